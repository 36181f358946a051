// The configuration loader: every variable read once, with defaults, bad values refused naming
// the variable; and no other module of the product reads the environment.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DEFAULT_RUN_SETTINGS, loadConfig } from '../../core/config';

const ROOT = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('the configuration', () => {
  it('reads the variables with their defaults', () => {
    expect(loadConfig({})).toEqual({
      databaseUrl: undefined,
      redisUrl: undefined,
      queuePrefix: 'switchboard',
      secretKey: undefined,
      port: undefined,
      host: undefined,
      publicUrl: undefined,
      trustProxy: false,
      logLevel: 'info',
      debug: false,
      runs: DEFAULT_RUN_SETTINGS,
    });
    const config = loadConfig({ REDIS_URL: 'redis://r:6379', DATABASE_URL: '', SWITCHBOARD_HEARTBEAT_MS: '500', SWITCHBOARD_RECONCILE_INTERVAL_MS: '0', SWITCHBOARD_TRUST_PROXY: '1', LOG_LEVEL: 'debug' });
    expect(config).toMatchObject({ redisUrl: 'redis://r:6379', databaseUrl: undefined, trustProxy: true, logLevel: 'debug', runs: { heartbeatMs: 500, staleAfterMs: 3000, reconcileIntervalMs: 0 } });
  });

  it('refuses a bad value, naming the variable', () => {
    expect(() => loadConfig({ SWITCHBOARD_RUN_ATTEMPTS: 'many' })).toThrow(expect.objectContaining({ code: 'SB_CONFIG_INVALID', message: expect.stringContaining('SWITCHBOARD_RUN_ATTEMPTS') }));
    expect(() => loadConfig({ SWITCHBOARD_RUN_ATTEMPTS: '0' })).toThrow(expect.objectContaining({ code: 'SB_CONFIG_INVALID' }));
    expect(() => loadConfig({ SWITCHBOARD_HEARTBEAT_MS: '1000', SWITCHBOARD_STALE_AFTER_MS: '500' })).toThrow(expect.objectContaining({ message: expect.stringContaining('SWITCHBOARD_STALE_AFTER_MS') }));
  });

  it('is the only module of core, server, cli and examples that reads process.env', () => {
    const allowed = new Set(['core/config.ts']);
    const readers = ['core', 'server', 'cli', 'examples']
      .flatMap((dir) => sources(join(ROOT, dir)))
      .filter((file) => /process\.env\b/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file).split('\\').join('/'))
      .filter((file) => !allowed.has(file));
    expect(readers).toEqual([]);
  });
});
