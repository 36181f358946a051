// Child streams end to end, on both databases: Zendesk-style ticket comments (a comment carries
// no ticket id; it is read per ticket) become CRM activities whose contact is the ticket's
// requester. Exact contents after a full run, after source changes read by an incremental run
// (only the changed tickets' comments are read), after a full run (a gone ticket's comments are
// swept; a ticket that answers 404 is skipped and keeps its comments), and a run killed with
// SIGKILL and resumed without reading finished tickets again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS, createMigratedDatabase, type TestDatabase } from '../helpers/db';
import { killCliWhen, runCli } from '../helpers/cli';
import { fixtureArgs } from '../helpers/e2e';
import { startZendesk, zdTime, zendeskAccount, zendeskComment, zendeskComments, type MockApi, type ZendeskRecord } from '../../examples/mock-apis';
import * as syncRuns from '../../core/store/tables/sync-runs';
import * as syncState from '../../core/store/tables/sync-state';

const SECRET = { SWITCHBOARD_SECRET_KEY: 'c'.repeat(64) };

interface Desk {
  db: TestDatabase;
  api: MockApi;
  users: ZendeskRecord[];
  tickets: ZendeskRecord[];
  comments: Map<number, ZendeskRecord[]>;
  gone: Set<number>;
  dir: string;
  config: string;
  sync(mapping: string, ...extra: string[]): Promise<{ code: number; summary: Record<string, unknown> & { records: Record<string, number> } }>;
  close(): Promise<void>;
}

async function startDesk(dialect: (typeof DIALECTS)[number], sizes: { users: number; tickets: number; perTicket: number }, delayMs = 0): Promise<Desk> {
  const db = await createMigratedDatabase(dialect);
  const account = zendeskAccount({ organizations: 2, users: sizes.users, tickets: sizes.tickets });
  const comments = zendeskComments(account.tickets, sizes.perTicket);
  // Every third ticket's last comment is private: the stream's filter skips it.
  for (const [id, list] of comments) if (id % 3 === 0) list[list.length - 1]!['public'] = false;
  const gone = new Set<number>();
  const api = await startZendesk({
    users: account.users,
    tickets: account.tickets,
    comments,
    goneTickets: gone,
    email: 'admin@example.com',
    apiToken: 'zd-token',
    ...(delayMs > 0 ? { faults: (_i: number, req: { path: string }) => (req.path.includes('/comments.json') ? { delayMs } : undefined) } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-child-'));
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ email: 'admin@example.com', api_token: 'zd-token', base_url: api.url }));
  return {
    db,
    api,
    users: account.users,
    tickets: account.tickets,
    comments,
    gone,
    dir,
    config,
    async sync(mapping, ...extra) {
      const res = await runCli(['sync', mapping, ...fixtureArgs(config, db.url), '--json', ...extra], { cwd: dir, env: SECRET });
      if (res.code !== 0 && res.stdout === '') throw new Error(`sync ${mapping} exited ${res.code}: ${res.stderr}`);
      return { code: res.code, summary: JSON.parse(res.stdout) as never };
    },
    async close() {
      await api.close();
      await db.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the CRM must hold: one activity per public comment of each ticket, its contact the ticket's requester. */
function expected(desk: Desk, keep: ReadonlyMap<number, ZendeskRecord[]> = new Map()): string[] {
  const rows: string[] = [];
  for (const ticket of desk.tickets) {
    const list = keep.get(ticket.id) ?? desk.comments.get(ticket.id) ?? [];
    for (const c of list) {
      if (c['public'] !== true) continue;
      rows.push(JSON.stringify([`Ticket #${ticket.id}: ${String(ticket['subject'])}`, c['plain_body'], String(ticket.id), String(ticket['requester_id'])]));
    }
  }
  return rows.sort();
}

async function actual(db: TestDatabase): Promise<string[]> {
  const rows = (await db
    .knex('activities')
    .leftJoin('contacts', 'contacts.id', 'activities.contact_id')
    .whereNull('activities.deleted_at')
    .select('activities.subject', 'activities.body', 'activities.custom', 'activities.type', 'contacts.custom as contact_custom')) as Array<Record<string, unknown>>;
  return rows
    .map((r) => {
      const custom = (typeof r['custom'] === 'string' ? JSON.parse(r['custom']) : r['custom']) as Record<string, unknown>;
      const contact = (typeof r['contact_custom'] === 'string' ? JSON.parse(r['contact_custom']) : r['contact_custom']) as Record<string, unknown> | null;
      expect(r['type']).toBe('note');
      return JSON.stringify([r['subject'], r['body'], String(custom['ticket_id']), String(contact?.['zendesk_id'])]);
    })
    .sort();
}

const commentRequests = (api: MockApi, from = 0): number[] =>
  api.requests.slice(from).flatMap((r) => {
    const m = /\/tickets\/(\d+)\/comments\.json$/.exec(r.path);
    return m === null ? [] : [Number(m[1])];
  });

describe.each(DIALECTS)('child streams (%s)', (dialect) => {
  let desk: Desk;
  beforeAll(async () => {
    desk = await startDesk(dialect, { users: 40, tickets: 60, perTicket: 3 });
  });
  afterAll(async () => desk.close());

  it('syncs every ticket\'s comments exactly, then only the changed tickets\' comments, then sweeps only what is gone', async () => {
    expect((await desk.sync('zd-desk-users', '--full')).code).toBe(0);
    const first = await desk.sync('zd-desk-comments', '--full');
    expect(first.code).toBe(0);
    const publicComments = expected(desk).length;
    const privateComments = 60 * 3 - publicComments;
    expect(first.summary).toMatchObject({ status: 'succeeded', records: { read: 180, created: publicComments, skipped: privateComments, rejected: 0 }, parents_skipped: 0 });
    expect(await actual(desk.db)).toEqual(expected(desk));
    expect(new Set(commentRequests(desk.api)).size).toBe(60);

    // Changes at the source: a new comment on ticket 5, an edited comment on ticket 7 (both
    // tickets updated), ticket 9 removed (only a full run can tell), ticket 11 answers 404.
    const recently = zdTime(Date.now() - 120_000);
    const t5 = desk.tickets.find((t) => t.id === 5)!;
    const t7 = desk.tickets.find((t) => t.id === 7)!;
    desk.comments.get(5)!.push(zendeskComment(999_001, t5['requester_id'], 'A new reply', recently));
    desk.comments.get(7)![0]!['plain_body'] = 'Edited text';
    t5.updated_at = recently;
    t7.updated_at = recently;
    desk.tickets.splice(desk.tickets.findIndex((t) => t.id === 9), 1);
    desk.gone.add(11);
    const removed = desk.comments.get(9)!;

    const before = desk.api.requests.length;
    const inc = await desk.sync('zd-desk-comments');
    expect(inc.code).toBe(0);
    expect(inc.summary).toMatchObject({ status: 'succeeded', records: { created: 1, updated: 1, deleted: 0 } });
    // Only the changed tickets' comments were read, and those of ticket 60, the last updated
    // before: the export's start_time is inclusive, so the ticket at the saved cursor comes again.
    expect(commentRequests(desk.api, before).sort((a, b) => a - b)).toEqual([5, 7, 60]);
    // Ticket 9's comments are still there: an incremental run cannot tell it is gone.
    expect((await actual(desk.db)).length).toBe(expected(desk).length + removed.filter((c) => c['public'] === true).length);

    const full = await desk.sync('zd-desk-comments', '--full');
    expect(full.code).toBe(0);
    expect(full.summary).toMatchObject({ status: 'succeeded', parents_skipped: 1, records: { deleted: removed.filter((c) => c['public'] === true).length } });
    // Ticket 11 was skipped: its comments stay as they were; ticket 9's are gone.
    expect(await actual(desk.db)).toEqual(expected(desk));
    const runs = await syncRuns.list(desk.db.knex, { limit: 10 });
    expect(runs.find((r) => r.id === full.summary['run_id'])?.counts.parents_skipped).toBe(1);
  });
});

describe.each(DIALECTS)('a child-stream sync killed mid-run (%s)', (dialect) => {
  let desk: Desk;
  beforeAll(async () => {
    // Every comments request answers after 30 ms, so the run is still going when it is killed.
    desk = await startDesk(dialect, { users: 30, tickets: 150, perTicket: 2 }, 30);
    expect((await desk.sync('zd-desk-users', '--full')).code).toBe(0);
  });
  afterAll(async () => desk.close());

  it('resumes at the ticket it stopped at, without reading finished tickets again, and ends exact', async () => {
    const args = ['sync', 'zd-desk-comments', ...fixtureArgs(desk.config, desk.db.url), '--full', '--json'];
    expect(await killCliWhen(args, { cwd: desk.dir, env: SECRET }, () => commentRequests(desk.api).length >= 60)).toBe('SIGKILL');

    const [killed] = (await syncRuns.list(desk.db.knex, { limit: 5 })).filter((r) => r.mappingId === 'zd-desk-comments');
    expect(killed?.status).toBe('running');
    const state = await syncState.load(desk.db.knex, { connectionId: killed!.connectionId, mappingId: 'zd-desk-comments' });
    expect(state.checkpointRunId).toBe(killed!.id);
    const page = (state.checkpoint as { page: { done: string[]; from: unknown } }).page;
    const finished = new Set(page.done.map(Number));
    // Tickets before the low-water mark are finished too: every ticket of the pages before it.
    const readBefore = new Set(commentRequests(desk.api));
    const committedCreated = killed!.counts.records_created;
    expect(committedCreated).toBeGreaterThan(0);
    // The checkpoint stays small: finished tickets past the mark only, never all of them.
    expect(page.done.length).toBeLessThan(150);

    const before = desk.api.requests.length;
    const again = await desk.sync('zd-desk-comments', '--full');
    expect(again.code).toBe(0);
    expect(again.summary).toMatchObject({ run_id: killed!.id, status: 'succeeded' });
    const resumed = commentRequests(desk.api, before);
    // No finished ticket is read again; every ticket read in all, each once after the resume.
    for (const id of resumed) expect(finished.has(id)).toBe(false);
    expect(new Set(resumed).size).toBe(resumed.length);
    expect(new Set([...readBefore, ...resumed]).size).toBe(150);
    // It went on from where it stopped, not from the start.
    expect(resumed.length).toBeLessThan(150 - finished.size + 1);
    expect(resumed.length).toBeLessThan(150);
    expect(await actual(desk.db)).toEqual(expected(desk));
    const total = (await desk.db.knex('activities').count({ n: '*' }).first()) as { n: number | string };
    expect(Number(total.n)).toBe(expected(desk).length);
  });
});
