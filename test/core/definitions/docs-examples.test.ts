// The worked example of docs/connectors.md (rate budgets, call-limit headers, a multi-status
// batch, idempotency keys) is a connector that loads without a problem, shown as it is.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefinitions } from '../../../core/definitions';
import { compileBudgets } from '../../../core/ratelimit';
import type { ConnectorDefinition } from '../../../core/generated/connector';
import { LIMITS_EXAMPLE } from '../../../scripts/docs-text';

describe('the rate limits and writes example of docs/connectors.md', () => {
  it('validates, and docs/connectors.md shows it as written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-docs-'));
    try {
      mkdirSync(join(dir, 'connectors'));
      writeFileSync(join(dir, 'connectors', 'example-limits.json'), JSON.stringify(LIMITS_EXAMPLE, null, 2));
      const { problems, registry } = await loadDefinitions({ paths: [join(dir, 'connectors')] });
      expect(problems).toEqual([]);
      expect(registry.connector('example-limits').rate_limit?.budgets).toHaveLength(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const docs = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'connectors.md'), 'utf8');
    expect(docs).toContain(JSON.stringify(LIMITS_EXAMPLE, null, 2));
  });

  it('takes what the docs say from each budget: the first matching rule gives the weight', () => {
    const budgets = compileBudgets(LIMITS_EXAMPLE.rate_limit as ConnectorDefinition['rate_limit'], 0);
    const weights = (method: string, path: string): Record<string, number> =>
      Object.fromEntries(budgets.map((b) => [b.name, b.weightOf({ method, path })]).filter(([, w]) => w !== 0));
    expect(weights('POST', '/objects/contacts/search')).toEqual({ rate_limit: 1, search: 1 });
    expect(weights('GET', '/objects/contacts/search')).toEqual({ rate_limit: 1 });
    expect(weights('GET', '/exports/tickets/cursor.json')).toEqual({ rate_limit: 1, exports: 1 });
    expect(weights('GET', '/reports/7/full')).toEqual({ rate_limit: 1, reports: 5 });
    expect(weights('GET', '/reports/7/summary')).toEqual({ rate_limit: 1, reports: 1 });
  });
});
