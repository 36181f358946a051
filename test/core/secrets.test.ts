import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SecretBox, loadKey, parseKey } from '../../core/secrets';

describe('secrets', () => {
  it('seals and opens values; a tampered value or another key fails', () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal({ token: 'sk_live_abc' });
    expect(sealed).not.toContain('sk_live_abc');
    expect(box.open(sealed)).toEqual({ token: 'sk_live_abc' });
    expect(box.seal({ token: 'sk_live_abc' })).not.toBe(sealed); // fresh IV every time
    const parts = sealed.split(':');
    const tampered = [...parts.slice(0, 3), Buffer.from('x' + Buffer.from(parts[3]!, 'base64').toString('latin1').slice(1), 'latin1').toString('base64')].join(':');
    expect(() => box.open(tampered)).toThrow(expect.objectContaining({ code: 'SB_SECRET_DECRYPT_FAILED' }));
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(expect.objectContaining({ code: 'SB_SECRET_DECRYPT_FAILED' }));
    expect(JSON.stringify({ box })).toBe('{"box":"[SecretBox]"}');
  });

  it('parses hex and base64 keys and refuses others', () => {
    const key = randomBytes(32);
    expect(parseKey(key.toString('hex'))).toEqual(key);
    expect(parseKey(key.toString('base64'))).toEqual(key);
    expect(() => parseKey('short')).toThrow(expect.objectContaining({ code: 'SB_SECRET_KEY_INVALID' }));
  });

  it('takes the key from the environment, else generates one into the data folder once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-key-'));
    try {
      const env = randomBytes(32).toString('hex');
      expect(loadKey(env, dir)).toMatchObject({ origin: 'env' });
      const generated = loadKey(undefined, dir);
      expect(generated.origin).toBe('generated');
      expect(statSync(generated.file!).mode & 0o777).toBe(0o600);
      const again = loadKey(undefined, dir);
      expect(again.origin).toBe('file');
      expect(again.key).toEqual(generated.key);
      expect(readFileSync(generated.file!, 'utf8').trim()).toBe(generated.key.toString('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
