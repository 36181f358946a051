// `switchboard serve` as a real process: first start prints an admin client once (on stdout,
// never in the log), the API answers with its token, /docs is served, SIGTERM stops it cleanly
// with exit 0, and a restart on the same database creates no second admin.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';

const ROOT = join(__dirname, '..', '..');

interface Server {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  url: string;
}

async function start(cwd: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', `require(${JSON.stringify(join(ROOT, 'cli', 'main'))}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })`, 'serve', '--port', '0', '--host', '127.0.0.1'], {
    cwd,
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s:\n${out}\n${err}`)), 60_000);
    const check = (): void => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`serve exited with ${String(code)}:\n${out}\n${err}`)));
  });
  return { child, stdout: () => out, stderr: () => err, url };
}

/** SIGTERM, then the exit code (or the signal that ended it, with what it wrote, to say why). */
async function stop(server: Server): Promise<number | string> {
  const exited = new Promise<number | string>((resolve) =>
    server.child.once('exit', (code, signal) => resolve(code ?? `${String(signal)}\n${server.stdout()}\n${server.stderr()}`)),
  );
  server.child.kill('SIGTERM');
  return exited;
}

describe('switchboard serve', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'switchboard-serve-'));
  const env = { DATABASE_URL: join(cwd, 'data', 'api.db'), SWITCHBOARD_SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'info' };
  beforeAll(() => {
    for (const dir of ['connectors', 'mappings']) mkdirSync(join(cwd, dir));
    copyFileSync(join(ROOT, 'test', 'fixtures', 'valid', 'hubspot.json'), join(cwd, 'connectors', 'hubspot.json'));
    copyFileSync(join(ROOT, 'test', 'fixtures', 'valid', 'hubspot-contacts.json'), join(cwd, 'mappings', 'hubspot-contacts.json'));
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  it('serves the API, prints the first admin client once, and stops cleanly on SIGTERM', async () => {
    const server = await start(cwd, env);
    try {
      const clientId = /client_id:\s+(\S+)/.exec(server.stdout())![1]!;
      const secret = /client_secret:\s+(\S+)/.exec(server.stdout())![1]!;
      expect(server.stderr()).not.toContain(secret);
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(200);
      const tokenRes = await fetch(`${server.url}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&scope=definitions:read',
      });
      expect(tokenRes.status).toBe(200);
      const { access_token: token } = (await tokenRes.json()) as { access_token: string };
      const connectors = await fetch(`${server.url}/connectors`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await connectors.json()) as Array<{ id: string }>).map((c) => c.id)).toEqual(['hubspot']);
      expect((await fetch(`${server.url}/connections`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
      const docs = await fetch(`${server.url}/docs/`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('<html');
      expect(server.stderr()).toContain('"msg":"serving"');
      expect(server.stderr()).not.toContain(token);
    } finally {
      expect(await stop(server)).toBe(0);
    }
    expect(server.stdout()).toContain('shutting down');

    const again = await start(cwd, env);
    expect(again.stdout()).not.toContain('client_secret');
    expect(await stop(again)).toBe(0);
  }, 180_000);

  it('refuses a bad --port before opening anything', async () => {
    const r = await runCli(['serve', '--port', 'eighty'], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--port');
  });
});
