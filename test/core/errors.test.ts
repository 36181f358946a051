import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, SwitchboardError, isSwitchboardError, type ErrorCode } from '../../core/errors';

const docs = readFileSync(join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
const documented = new Map<string, { status: number; retryable: boolean }>();
for (const m of docs.matchAll(/^\| `(SB_[A-Z_]+)` \| (\d{3}) \| (yes|no) \|/gm)) {
  documented.set(m[1]!, { status: Number(m[2]), retryable: m[3] === 'yes' });
}

describe('error codes', () => {
  it.each(Object.keys(ERROR_CODES) as ErrorCode[])('%s is documented in docs/errors.md with its status and retryability', (code) => {
    const spec = ERROR_CODES[code];
    expect(documented.get(code)).toEqual({ status: spec.status, retryable: spec.retryable });
  });

  it('documents no code that does not exist', () => {
    const unknown = [...documented.keys()].filter((c) => !(c in ERROR_CODES));
    expect(unknown).toEqual([]);
  });

  it('serializes to the API error shape', () => {
    const err = new SwitchboardError('SB_DB_NOT_FOUND', 'contacts/42 does not exist', { details: { id: '42' } });
    expect(err.toJSON()).toEqual({
      statusCode: 404,
      code: 'SB_DB_NOT_FOUND',
      error: 'Record Not Found',
      message: 'contacts/42 does not exist',
      details: { id: '42' },
    });
    expect(isSwitchboardError(err, 'SB_DB_NOT_FOUND')).toBe(true);
    expect(isSwitchboardError(err, 'SB_NOT_FOUND')).toBe(false);
    expect(isSwitchboardError(new Error('x'))).toBe(false);
  });
});
