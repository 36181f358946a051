// Console sign-in on both databases: bcrypt passwords, httpOnly SameSite=Strict cookies,
// CSRF tokens on every state-changing request, roles as scopes (a viewer reads, an admin
// writes), lockout after repeated failures, idle and absolute expiry, sign-out, and secrets
// never logged.
import type { LightMyRequestResponse } from 'fastify';
import { DIALECTS } from '../helpers/db';
import * as userSessions from '../../core/store/tables/user-sessions';
import * as users from '../../core/store/tables/users';
import { createTestServer, type TestServer } from './helpers';

const PASSWORD = 'correct horse battery staple';

function cookieOf(res: LightMyRequestResponse): string {
  const header = String(res.headers['set-cookie'] ?? '');
  return /^sb_session=([^;]*)/.exec(header)![1]!;
}

describe.each(DIALECTS)('console sessions on %s', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await createTestServer(dialect, { lockout: { maxFailedAttempts: 3, lockMs: 60_000 } });
    await users.create(s.db.knex, { username: 'ada', password: PASSWORD, role: 'admin' });
    await users.create(s.db.knex, { username: 'vic', password: PASSWORD, role: 'viewer' });
    await users.create(s.db.knex, { username: 'lou', password: PASSWORD, role: 'viewer' });
  });
  afterAll(async () => s.close());

  async function signIn(username: string, password = PASSWORD): Promise<{ cookie: string; csrf: string; res: LightMyRequestResponse }> {
    const res = await s.app.inject({ method: 'POST', url: '/session', payload: { username, password } });
    if (res.statusCode !== 200) return { cookie: '', csrf: '', res };
    return { cookie: cookieOf(res), csrf: (res.json() as { csrf_token: string }).csrf_token, res };
  }

  it('signs in with a session cookie that scripts cannot read and other sites cannot send', async () => {
    const { res, cookie } = await signIn('ada');
    expect(res.statusCode).toBe(200);
    expect(res.headers['set-cookie']).toBe(`sb_session=${cookie}; Path=/; HttpOnly; SameSite=Strict`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toMatchObject({ user: { username: 'ada', role: 'admin' }, scopes: expect.arrayContaining(['connections:admin', 'definitions:write']), csrf_token: expect.any(String) });
    // Only a hash of the cookie is stored.
    const rows = (await s.db.knex('user_sessions').select('token_hash')) as Array<{ token_hash: string }>;
    expect(rows.map((r) => r.token_hash)).toContain(userSessions.hashToken(cookie));
    expect(JSON.stringify(rows)).not.toContain(cookie);
    const me = await s.app.inject({ method: 'GET', url: '/session', headers: { cookie: `other=1; sb_session=${cookie}` } });
    expect(me.json()).toMatchObject({ user: { username: 'ada' }, csrf_token: res.json().csrf_token });
  });

  it('answers a wrong password and an unknown user alike, and logs neither password', async () => {
    const wrong = await s.app.inject({ method: 'POST', url: '/session', payload: { username: 'lou', password: 'not the password' } });
    const unknown = await s.app.inject({ method: 'POST', url: '/session', payload: { username: 'nobody', password: 'not the password' } });
    for (const r of [wrong, unknown]) expect(r.json()).toMatchObject({ statusCode: 401, code: 'SB_LOGIN_FAILED', message: 'wrong username or password' });
    expect(s.logs()).not.toContain('not the password');
    expect(s.logs()).not.toContain(PASSWORD);
  });

  it('locks a user after repeated failures, even against the right password, with Retry-After', async () => {
    await users.create(s.db.knex, { username: 'max', password: PASSWORD, role: 'admin' });
    for (let i = 0; i < 2; i++) expect((await signIn('max', 'wrong wrong wrong')).res.statusCode).toBe(401);
    const third = (await signIn('max', 'wrong wrong wrong')).res;
    expect(third.statusCode).toBe(423);
    expect(third.json()).toMatchObject({ code: 'SB_ACCOUNT_LOCKED', details: { locked_until: expect.any(String) } });
    const right = (await signIn('max')).res;
    expect(right.statusCode).toBe(423);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
    // The lock runs out: the right password works again, and resets the count.
    const later = new Date(Date.now() + 61_000);
    expect(await users.signIn(s.db.knex, 'max', PASSWORD, { maxFailedAttempts: 3, lockMs: 60_000 }, later)).toMatchObject({ ok: true });
    expect((await users.get(s.db.knex, 'max')).failedAttempts).toBe(0);
  });

  it('counts concurrent failures without losing any', async () => {
    await users.create(s.db.knex, { username: 'zed', password: PASSWORD, role: 'viewer' });
    const policy = { maxFailedAttempts: 100, lockMs: 60_000 };
    await Promise.all(Array.from({ length: 6 }, () => users.signIn(s.db.knex, 'zed', 'wrong wrong wrong', policy)));
    expect((await users.get(s.db.knex, 'zed')).failedAttempts).toBe(6);
  });

  it('needs the CSRF token on every request that changes something', async () => {
    const { cookie, csrf } = await signIn('ada');
    const body = { name: 'from-console', connector: 'demo', config: { base_url: 'http://127.0.0.1:9', api_key: 'k-console-secret' } };
    const bare = await s.app.inject({ method: 'POST', url: '/connections', headers: { cookie: `sb_session=${cookie}` }, payload: body });
    expect(bare.json()).toMatchObject({ statusCode: 403, code: 'SB_CSRF_FAILED' });
    const forged = await s.app.inject({ method: 'POST', url: '/connections', headers: { cookie: `sb_session=${cookie}`, 'x-csrf-token': `${csrf.slice(0, -2)}xx` }, payload: body });
    expect(forged.json()).toMatchObject({ code: 'SB_CSRF_FAILED' });
    const ok = await s.app.inject({ method: 'POST', url: '/connections', headers: { cookie: `sb_session=${cookie}`, 'x-csrf-token': csrf }, payload: body });
    expect(ok.statusCode).toBe(201);
    // Reads need no token.
    expect((await s.app.inject({ method: 'GET', url: '/connections', headers: { cookie: `sb_session=${cookie}` } })).statusCode).toBe(200);
    expect(s.logs()).not.toContain('k-console-secret');
  });

  it('gives a viewer the read scopes only: reads answer, writes are 403', async () => {
    const { cookie, csrf, res } = await signIn('vic');
    expect((res.json() as { scopes: string[] }).scopes.sort()).toEqual(['connections:read', 'crm:read', 'definitions:read', 'runs:read']);
    const headers = { cookie: `sb_session=${cookie}`, 'x-csrf-token': csrf };
    expect((await s.app.inject({ method: 'GET', url: '/connections', headers })).statusCode).toBe(200);
    expect((await s.app.inject({ method: 'GET', url: '/crm/contacts', headers })).statusCode).toBe(200);
    for (const [method, url] of [['POST', '/connections'], ['POST', '/crm/contacts'], ['POST', '/connections/x/runs'], ['PUT', '/mappings/demo-contacts'], ['DELETE', '/connections/x']] as const) {
      const r = await s.app.inject({ method, url, headers, payload: {} });
      expect({ method, url, status: r.statusCode, code: r.json().code }).toEqual({ method, url, status: 403, code: 'SB_FORBIDDEN' });
    }
  });

  it('ends a session at sign-out, and a session unused for too long or past its end', async () => {
    const { cookie, csrf } = await signIn('ada');
    const headers = { cookie: `sb_session=${cookie}` };
    expect((await s.app.inject({ method: 'DELETE', url: '/session', headers })).json()).toMatchObject({ code: 'SB_CSRF_FAILED' });
    const out = await s.app.inject({ method: 'DELETE', url: '/session', headers: { ...headers, 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(204);
    expect(out.headers['set-cookie']).toBe('sb_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    const after = await s.app.inject({ method: 'GET', url: '/connections', headers });
    expect(after.json()).toMatchObject({ statusCode: 401, code: 'SB_UNAUTHORIZED', message: expect.stringContaining('sign in again') });
    expect((await s.app.inject({ method: 'GET', url: '/session', headers })).statusCode).toBe(401);

    const ada = await users.get(s.db.knex, 'ada');
    const policy = { idleMs: 60_000, absoluteMs: 3_600_000 };
    const start = new Date();
    const idle = await userSessions.create(s.db.knex, ada.id, policy, start);
    expect(await userSessions.find(s.db.knex, idle.token, policy, new Date(start.getTime() + 59_000))).toBeDefined();
    // Used at 59 s, so alive at 118 s; unused since then, gone at 180 s.
    expect(await userSessions.find(s.db.knex, idle.token, policy, new Date(start.getTime() + 118_000))).toBeDefined();
    expect(await userSessions.find(s.db.knex, idle.token, policy, new Date(start.getTime() + 180_000))).toBeUndefined();
    const absolute = await userSessions.create(s.db.knex, ada.id, policy, start);
    let at = start.getTime();
    while (at < start.getTime() + 3_500_000) {
      at += 50_000;
      expect(await userSessions.find(s.db.knex, absolute.token, policy, new Date(at))).toBeDefined();
    }
    expect(await userSessions.find(s.db.knex, absolute.token, policy, new Date(start.getTime() + 3_600_000))).toBeUndefined();

    // Sessions past their end are deleted at the next sign-in.
    const old = await userSessions.create(s.db.knex, ada.id, policy, new Date(Date.now() - 7_200_000));
    await signIn('ada');
    expect(await s.db.knex('user_sessions').where('token_hash', userSessions.hashToken(old.token)).first()).toBeUndefined();
  });

  it('keeps bearer tokens working as before, a cookie beside them changing nothing', async () => {
    const token = await s.token(['connections:read']);
    const r = await s.app.inject({ method: 'GET', url: '/connections', headers: { authorization: `Bearer ${token}`, cookie: 'sb_session=not-a-real-session-token-at-all' } });
    expect(r.statusCode).toBe(200);
    expect((await s.app.inject({ method: 'GET', url: '/connections', headers: { cookie: 'sb_session=not-a-real-session-token-at-all' } })).statusCode).toBe(401);
  });
});
