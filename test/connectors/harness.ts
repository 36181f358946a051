// The shipped connectors against their local mock APIs: `switchboard sync` runs of the real
// files in connectors/ and mappings/, and the CRM's live records as the source's ids to
// compare with what the source holds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry, type Registry } from '../../core/definitions';
import { ConnectorClient, type ApiResponse } from '../../core/http';
import { RateLimiters } from '../../core/ratelimit';
import * as crm from '../../core/store/crm';
import type { EntityName } from '../../core/store/entities';
import * as connections from '../../core/store/tables/connections';
import { RECORD_LINKS_TABLE } from '../../core/store/tables/record-links';
import type { RunSummary } from '../../cli/summary';
import type { MockApi } from '../../examples/mock-apis';
import { runCli } from '../helpers/cli';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db';
import type { Dialect } from '../../core/store/db';

export const REPO = join(__dirname, '..', '..');
export const CONNECTORS_DIR = join(REPO, 'connectors');
export const MAPPINGS_DIR = join(REPO, 'mappings');
const SECRET_KEY = 'b'.repeat(64);

/** A row as the test compares it: field name -> value; references as the source's ids. */
export type Row = Record<string, unknown>;

export type { RunSummary };

let registry: Promise<Registry> | undefined;

/** connectors/ and mappings/ loaded with the real loader (every problem refuses the load). */
export function shippedRegistry(): Promise<Registry> {
  registry ??= loadRegistry({ connectorsDir: CONNECTORS_DIR, mappingsDir: MAPPINGS_DIR });
  return registry;
}

export class Harness {
  readonly dir: string;
  private constructor(
    readonly db: TestDatabase,
    readonly connector: string,
    private readonly configFile: string,
    dir: string,
  ) {
    this.dir = dir;
  }

  /** A fresh database and a config file for `connector`. */
  static async open(dialect: Dialect, connector: string, config: Record<string, unknown>): Promise<Harness> {
    const db = await createMigratedDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), `switchboard-${connector}-`));
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify(config));
    return new Harness(db, connector, configFile, dir);
  }

  async close(): Promise<void> {
    await this.db.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The arguments of `switchboard sync MAPPING --json` (or `push`) with the shipped definitions, and its environment. */
  cli(mapping: string, options: { full?: boolean; command?: 'sync' | 'push' } = {}): { args: string[]; cwd: string; env: NodeJS.ProcessEnv } {
    const args = [options.command ?? 'sync', mapping, '--config', this.configFile, '--db', this.db.url, '--connectors-dir', CONNECTORS_DIR, '--mappings-dir', MAPPINGS_DIR, '--json'];
    if (options.full === true) args.push('--full');
    return { args, cwd: this.dir, env: { SWITCHBOARD_SECRET_KEY: SECRET_KEY } };
  }

  /** `switchboard sync MAPPING --json` with the shipped definitions: the run's summary, however it ended. */
  async run(mapping: string, options: { full?: boolean; command?: 'sync' | 'push' } = {}): Promise<RunSummary> {
    const { args, cwd, env } = this.cli(mapping, options);
    const r = await runCli(args, { cwd, env });
    if (r.stderr !== '' || r.stdout === '') throw new Error(`sync ${mapping} wrote to stderr: ${r.stderr}`);
    return JSON.parse(r.stdout) as RunSummary;
  }

  /** A run that must succeed. */
  async sync(mapping: string, options: { full?: boolean } = {}): Promise<RunSummary> {
    const summary = await this.run(mapping, options);
    if (summary.status !== 'succeeded') throw new Error(`sync ${mapping} ended ${summary.status}: ${JSON.stringify(summary.error)}`);
    return summary;
  }

  /** `switchboard push MAPPING --json`: a push run that must succeed. */
  async push(mapping: string): Promise<RunSummary> {
    const summary = await this.run(mapping, { command: 'push' });
    if (summary.status !== 'succeeded') throw new Error(`push ${mapping} ended ${summary.status}: ${JSON.stringify(summary.error)}`);
    return summary;
  }

  /** Full runs of the mappings in order (referenced entities first), then returns their summaries. */
  async syncAll(mappings: readonly string[], options: { full?: boolean } = {}): Promise<Record<string, RunSummary>> {
    const out: Record<string, RunSummary> = {};
    for (const m of mappings) out[m] = await this.sync(m, options);
    return out;
  }

  private async connectionId(): Promise<string> {
    const row = await connections.findRow(this.db.knex, this.connector);
    if (row === undefined) throw new Error(`no connection ${this.connector} yet: sync first`);
    return row.id;
  }

  /** CRM id -> the source's id, for one entity of this connection. */
  async links(entity: EntityName): Promise<Map<string, string>> {
    const rows = (await this.db.knex(RECORD_LINKS_TABLE).where({ connection_id: await this.connectionId(), entity }).select('crm_id', 'external_id')) as { crm_id: string; external_id: string }[];
    return new Map(rows.map((r) => [r.crm_id, r.external_id]));
  }

  /**
   * The live (not deleted) CRM records of `entity` linked to this connection, by the source's
   * id, with `fields` (`custom.x` reads the custom column; reference fields give the referenced
   * record's source id).
   */
  async snapshot(entity: EntityName, fields: readonly string[], refs: Partial<Record<string, EntityName>> = {}): Promise<Map<string, Row>> {
    const links = await this.links(entity);
    const refLinks = new Map<EntityName, Map<string, string>>();
    for (const target of new Set(Object.values(refs))) refLinks.set(target!, await this.links(target!));
    const out = new Map<string, Row>();
    let cursor: string | undefined;
    do {
      const page = await crm.list(this.db.knex, entity, { limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
      for (const item of page.items) {
        const external = links.get(item.id);
        if (external === undefined) continue;
        const row: Row = {};
        for (const f of fields) {
          const raw = f.startsWith('custom.') ? (item.custom as Record<string, unknown>)[f.slice(7)] : (item as unknown as Record<string, unknown>)[f];
          const target = refs[f];
          row[f] = target !== undefined && typeof raw === 'string' ? (refLinks.get(target)!.get(raw) ?? `unlinked:${raw}`) : (raw ?? null);
        }
        out.set(external, row);
      }
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    return out;
  }
}

/**
 * A suite's mock API and harness: started before its tests, closed after them. The returned
 * object is filled in by `beforeAll`.
 */
export function withConnector(connector: string, start: () => Promise<MockApi>, config: (url: string) => Record<string, unknown>, dialect: Dialect = 'sqlite'): { api: MockApi; h: Harness } {
  const ctx = {} as { api: MockApi; h: Harness };
  beforeAll(async () => {
    ctx.api = await start();
    ctx.h = await Harness.open(dialect, connector, config(ctx.api.url));
  });
  afterAll(async () => {
    await ctx.api?.close();
    await ctx.h?.close();
  });
  return ctx;
}

/** Runs `body` with a mock API and a harness of their own, closing both however it ends. */
export async function withOwnConnector(connector: string, api: MockApi, config: Record<string, unknown>, body: (h: Harness) => Promise<void>): Promise<void> {
  const h = await Harness.open('sqlite', connector, config);
  try {
    await body(h);
  } finally {
    await api.close();
    await h.close();
  }
}

/** A client of a shipped connector with its own rate limiters, to call actions directly. */
export async function actionClient(connectorId: string, config: Record<string, unknown>): Promise<ConnectorClient> {
  const connector = (await shippedRegistry()).connector(connectorId);
  return new ConnectorClient({ connector, config, connectionId: `${connectorId}:actions-test`, rateLimiters: new RateLimiters() });
}

/** Sends a connector action with `record` as its payload (one request; batches hold one record). */
export async function sendAction(client: ConnectorClient, name: string, record: Record<string, unknown>): Promise<ApiResponse> {
  const action = client.connector.actions.get(name);
  if (action === undefined) throw new Error(`connector ${client.connector.definition.id} has no action ${name}`);
  return client.send(action, client.context({ record }));
}

/** Expected rows, by source id, from source records. */
export function expected<T>(records: readonly T[], id: (r: T) => string, row: (r: T) => Row, keep: (r: T) => boolean = () => true): Map<string, Row> {
  return new Map(records.filter(keep).map((r) => [id(r), row(r)]));
}

/** Maps in id order, so a failing comparison shows differences near each other. */
export function sorted(map: Map<string, Row>): [string, Row][] {
  return [...map.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
}
