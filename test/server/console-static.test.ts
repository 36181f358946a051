// The console's files: `/` redirects to /ui/, the app's own paths answer index.html with a strict
// Content-Security-Policy, hashed assets are cached for good, and a server without a built
// console says how to build it.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestServer, type TestServer } from './helpers';

describe('console files', () => {
  let dir: string;
  let s: TestServer;
  let bare: TestServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-ui-files-'));
    mkdirSync(join(dir, 'ui', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'ui', 'index.html'), '<!doctype html><title>console</title><script type="module" src="/ui/assets/app-1.js"></script>');
    writeFileSync(join(dir, 'ui', 'assets', 'app-1.js'), 'console.log(1)');
    s = await createTestServer('sqlite', { uiDir: join(dir, 'ui') });
    bare = await createTestServer('sqlite', { uiDir: join(dir, 'missing') });
  });
  afterAll(async () => {
    await s.close();
    await bare.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('redirects / and /ui to the app', async () => {
    for (const url of ['/', '/ui']) {
      const r = await s.app.inject({ method: 'GET', url });
      expect({ url, status: r.statusCode, location: r.headers['location'] }).toEqual({ url, status: 302, location: '/ui/' });
    }
  });

  it('answers index.html for the app\'s paths, with a strict Content-Security-Policy', async () => {
    for (const url of ['/ui/', '/ui/runs/0192', '/ui/connections/new?x=1']) {
      const r = await s.app.inject({ method: 'GET', url });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.body).toContain('<title>console</title>');
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(r.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves assets cached for good, and 404 for a missing one (never the page)', async () => {
    const js = await s.app.inject({ method: 'GET', url: '/ui/assets/app-1.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await s.app.inject({ method: 'GET', url: '/ui/assets/app-2.js' });
    expect(missing.json()).toMatchObject({ statusCode: 404, code: 'SB_NOT_FOUND' });
  });

  it('says how to build the console when it is not built', async () => {
    const r = await bare.app.inject({ method: 'GET', url: '/ui/' });
    expect(r.json()).toMatchObject({ statusCode: 404, message: expect.stringContaining('npm run build') });
  });
});
