// The quick start (`npm run demo`) as a user runs it: a child process through tsx, from another
// folder, with nothing but SQLite; it succeeds, says what it did, and leaves a store whose deals
// reference their contacts and companies.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, resolveDatabaseTarget } from '../../core/store/db';
import { REPO } from './harness';

function runDemo(cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env['REDIS_URL'];
    delete env['DATABASE_URL'];
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), join(REPO, 'examples', 'demo.ts'), ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('npm run demo: full, incremental and sweeping syncs into a fresh SQLite store, then where to look next', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-demo-'));
  try {
    const r = await runDemo(dir, ['--db', 'data/demo.db']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const row = (section: string, mapping: string): string[] => {
      const start = lines.findIndex((l) => l.startsWith(section));
      return lines.slice(start).find((l) => l.trim().startsWith(`${mapping} `))!.trim().split(/\s+/);
    };
    // mapping, read, created, updated, unchanged, deleted, rejected, requests, time
    expect(row('3. Full sync', 'hubspot-deals').slice(0, 7)).toEqual(['hubspot-deals', '120', '120', '0', '0', '0', '0']);
    expect(row('5. Incremental sync', 'hubspot-contacts').slice(2, 7)).toEqual(['3', '5', '61', '0', '0']);
    expect(row('6. Full sync of contacts', 'hubspot-contacts').slice(5, 6)).toEqual(['1']);
    expect(r.stdout).toContain('npm start -- --db data/demo.db');
    const db = openDatabase(resolveDatabaseTarget(join(dir, 'data', 'demo.db')));
    try {
      const deals = (await db('deals').whereNull('deleted_at').select('contact_id', 'company_id')) as { contact_id: string | null; company_id: string | null }[];
      expect(deals).toHaveLength(121);
      expect(deals.every((d) => d.contact_id !== null && d.company_id !== null)).toBe(true);
    } finally {
      await db.destroy();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
