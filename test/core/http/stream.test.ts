// The stream reader: checkpoints that resume without refetching, prefetch bounded to one page,
// incremental reads (param, replacement request, start), restart_after_records.
import { isSwitchboardError } from '../../../core/errors';
import { readStream, type StreamCheckpoint, type StreamPage } from '../../../core/http';
import { hubspotContacts, startHubSpot } from '../../../examples/mock-apis/hubspot';
import { salesforceContacts, startSalesforce } from '../../../examples/mock-apis/salesforce';
import { startMockServer, type MockApi } from '../../../examples/mock-apis/server';
import type { Stream } from '../../../core/generated/connector';
import { client, connector, hubspotDefinition, idsOf, readAll, recordsOf, salesforceDefinition } from '../../helpers/http-connectors';

let api: MockApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const TOKEN = 'pat-token';
const config = (url: string) => ({ base_url: url, access_token: TOKEN });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('checkpoints', () => {
  it('a read stopped after page 2 resumes from its checkpoint without fetching pages 1-2 again', async () => {
    const contacts = hubspotContacts(530);
    api = await startHubSpot({ objects: { contacts }, token: TOKEN });
    const first: StreamPage[] = [];
    for await (const page of readStream(client(hubspotDefinition(), config(api.url)), 'contacts')) {
      first.push(page);
      if (first.length === 2) break; // the process "dies" after committing page 2
    }
    const saved = JSON.parse(JSON.stringify(first[1]!.checkpoint)) as StreamCheckpoint;
    const before = api.requests.length;
    const rest = await readAll(client(hubspotDefinition(), config(api.url)), 'contacts', { checkpoint: saved });
    expect(idsOf([...recordsOf(first), ...recordsOf(rest)])).toEqual(contacts.map((c) => c.id));
    // The resumed read starts at page 3 (the prefetched page 3 of the first read was discarded).
    expect(api.requests.slice(before).map((r) => r.query.get('after'))).toEqual(api.requests.slice(2, 2 + rest.length).map((r) => r.query.get('after')));
    expect(rest).toHaveLength(4);
  });

  it('checkpoints hold pagination state only: small, JSON, no records', async () => {
    const contacts = hubspotContacts(250);
    api = await startHubSpot({ objects: { contacts }, token: TOKEN });
    const pages = await readAll(client(hubspotDefinition(), config(api.url)), 'contacts');
    for (const p of pages) {
      const text = JSON.stringify(p.checkpoint);
      expect(text.length).toBeLessThan(200);
      expect(text).not.toContain('@example.com');
    }
    expect(pages[0]!.checkpoint).toEqual({ v: 1, stream: 'contacts', mode: 'full', records: 100, done: false, next: { number: 2, offset: 100, cursor: expect.any(String) } });
    expect(pages.at(-1)!.checkpoint).toMatchObject({ done: true });
    expect(pages.at(-1)!.checkpoint.next).toBeUndefined();
  });

  it('a done checkpoint reads nothing; a checkpoint of another stream or mode is refused', async () => {
    api = await startHubSpot({ objects: { contacts: hubspotContacts(5) }, token: TOKEN });
    const c = client(hubspotDefinition(), config(api.url));
    const done: StreamCheckpoint = { v: 1, stream: 'contacts', mode: 'full', records: 5, done: true };
    expect(await readAll(c, 'contacts', { checkpoint: done })).toEqual([]);
    await expect(readAll(c, 'contacts', { mode: 'incremental', checkpoint: { ...done, done: false } })).rejects.toMatchObject({ code: 'SB_BAD_REQUEST' });
    expect(api.requests).toHaveLength(0);
  });

  it('a next_url read resumes with the saved URL', async () => {
    const records = salesforceContacts(50);
    api = await startSalesforce({ records, token: TOKEN, batchSize: 20 });
    const c = client(salesforceDefinition(), config(api.url));
    const pages: StreamPage[] = [];
    for await (const p of readStream(c, 'contacts', { prefetch: false })) {
      pages.push(p);
      break;
    }
    expect(pages[0]!.checkpoint.next?.url).toMatch(/^\/services\/data\/v60\.0\/query\/.+-20$/);
    const rest = await readAll(c, 'contacts', { checkpoint: pages[0]!.checkpoint });
    expect(idsOf([...recordsOf(pages), ...recordsOf(rest)], 'Id')).toEqual(records.map((r) => r.Id));
  });
});

describe('prefetch', () => {
  it('fetches the next page while the caller works, never more than one ahead', async () => {
    const contacts = hubspotContacts(600);
    api = await startHubSpot({ objects: { contacts }, token: TOKEN });
    const seen: number[] = [];
    for await (const page of readStream(client(hubspotDefinition(), config(api.url)), 'contacts')) {
      await sleep(40); // the caller writes the page
      seen.push(api.requests.length - page.index);
    }
    // While page k was handled, page k+1 had been requested (except after the last page).
    expect(seen.slice(0, -1).every((ahead) => ahead === 1)).toBe(true);
    expect(seen.at(-1)).toBe(0);
  });

  it('without prefetch, one request per page asked for', async () => {
    api = await startHubSpot({ objects: { contacts: hubspotContacts(300) }, token: TOKEN });
    for await (const page of readStream(client(hubspotDefinition(), config(api.url)), 'contacts', { prefetch: false })) {
      await sleep(10);
      expect(api.requests.length).toBe(page.index);
    }
  });

  it('leaving the loop early cancels the page being prefetched', async () => {
    api = await startHubSpot({ objects: { contacts: hubspotContacts(500) }, token: TOKEN, faults: (i) => (i === 2 ? { delayMs: 300 } : undefined) });
    const c = client(hubspotDefinition(), config(api.url));
    const started = Date.now();
    for await (const page of readStream(c, 'contacts')) {
      expect(page.index).toBe(1);
      break;
    }
    expect(Date.now() - started).toBeLessThan(250);
    await sleep(350);
    // The prefetch was cancelled (before or after it reached the server) and not retried.
    expect(api.requests.length).toBeLessThanOrEqual(2);
    expect(c.stats.retries).toBe(0);
  });
});

describe('incremental reads', () => {
  it('starts from `start` when there is no state, and uses state.cursor as given otherwise', async () => {
    const contacts = hubspotContacts(120);
    api = await startHubSpot({ objects: { contacts }, token: TOKEN });
    const def = hubspotDefinition();
    def.streams!['contacts']!.incremental!.start = '2024-01-01T00:01:00Z';
    const c = client(def, config(api.url));
    const fromStart = await readAll(c, 'contacts', { mode: 'incremental' });
    expect(recordsOf(fromStart)).toHaveLength(60);
    const fromState = await readAll(c, 'contacts', { mode: 'incremental', state: { cursor: '2024-01-01T00:01:50Z' } });
    expect(recordsOf(fromState)).toHaveLength(10);
  });

  it('a stream without `incremental` reads in full in incremental mode', async () => {
    api = await startHubSpot({ objects: { contacts: hubspotContacts(30) }, token: TOKEN });
    const def = hubspotDefinition();
    delete def.streams!['contacts']!.incremental;
    const pages = await readAll(client(def, config(api.url)), 'contacts', { mode: 'incremental', state: { cursor: '2030-01-01T00:00:00Z' } });
    expect(recordsOf(pages)).toHaveLength(30);
    expect(pages[0]!.checkpoint.mode).toBe('full');
  });

  describe('restart_after_records (HubSpot search stops at 10,000; here at 1,000)', () => {
    const contacts = hubspotContacts(2600);
    const definition = () => {
      const def = hubspotDefinition();
      def.streams!['contacts']!.incremental!.restart_after_records = 1000;
      return def;
    };
    /** What a runner does: commit pages, track the greatest cursor_field committed. */
    function committer() {
      let max: string | undefined;
      return {
        commit(page: StreamPage) {
          for (const r of page.records as { properties: { lastmodifieddate: string } }[]) {
            if (max === undefined || r.properties.lastmodifieddate > max) max = r.properties.lastmodifieddate;
          }
        },
        cursor: () => max,
      };
    }

    it('with a callback, one iteration restarts from the committed cursor', async () => {
      api = await startHubSpot({ objects: { contacts }, token: TOKEN, searchLimit: 1000 });
      const runner = committer();
      const pages: StreamPage[] = [];
      for await (const page of readStream(client(definition(), config(api.url)), 'contacts', { mode: 'incremental', state: { cursor: '2023-12-31T00:00:00Z' }, restartCursor: runner.cursor })) {
        runner.commit(page);
        pages.push(page);
      }
      const ids = idsOf(recordsOf(pages));
      expect(new Set(ids)).toEqual(new Set(contacts.map((c) => c.id)));
      // GTE restarts read the boundary record again: at most one duplicate per restart.
      expect(pages.filter((p) => p.restart)).toHaveLength(2);
      expect(ids.length - contacts.length).toBe(2);
      expect(api.requests.every((r) => r.method === 'POST')).toBe(true);
    });

    it('without a callback, the iteration ends on the restart page and a new read resumes from its checkpoint', async () => {
      api = await startHubSpot({ objects: { contacts }, token: TOKEN, searchLimit: 1000 });
      const runner = committer();
      const c = client(definition(), config(api.url));
      let checkpoint: StreamCheckpoint | undefined;
      let reads = 0;
      const ids: unknown[] = [];
      do {
        reads += 1;
        const options = { mode: 'incremental' as const, state: { cursor: runner.cursor() ?? '2023-12-31T00:00:00Z' }, ...(checkpoint === undefined ? {} : { checkpoint }) };
        for await (const page of readStream(c, 'contacts', options)) {
          runner.commit(page);
          ids.push(...idsOf(page.records));
          checkpoint = page.checkpoint;
        }
      } while (checkpoint?.done !== true);
      expect(reads).toBe(3);
      expect(new Set(ids)).toEqual(new Set(contacts.map((c) => c.id)));
    });

    it('a restart that would not move state.cursor is an error, not a loop', async () => {
      const same = hubspotContacts(1500).map((c) => ({ ...c, properties: { ...c.properties, lastmodifieddate: '2024-05-01T00:00:00.000Z' } }));
      api = await startHubSpot({ objects: { contacts: same }, token: TOKEN, searchLimit: 1000 });
      const runner = committer();
      const err = await (async () => {
        for await (const page of readStream(client(definition(), config(api!.url)), 'contacts', { mode: 'incremental', state: { cursor: '2024-01-01T00:00:00Z' }, restartCursor: runner.cursor })) runner.commit(page);
      })().catch((e: unknown) => e);
      // The first restart moves from 2024-01-01 to 2024-05-01; the second would stay there.
      expect(isSwitchboardError(err, 'SB_PAGINATION_LOOP')).toBe(true);
    });
  });
});

describe('records at the records path', () => {
  /** A list API paged by offset whose pages come from `pages` (then `{"items": []}`). */
  async function listApi(pages: unknown[]): Promise<MockApi> {
    return startMockServer((req) => ({ body: pages[Number(req.query.get('offset') ?? 0) / 2] ?? { items: [] } }));
  }
  const def = (extra: Partial<Stream> = {}) =>
    connector('list', { streams: { things: { request: { path: '/things' }, records: 'items', primary_key: 'id', pagination: { type: 'offset', limit: 2 }, ...extra } } });

  it('a missing or null value there is an invalid response, retried, naming the stream, page, path and what was found', async () => {
    for (const [broken, found] of [[{ items: null }, 'null'], [{ other: [] }, 'nothing (no such key)'], [{ items: { id: 1 } }, 'an object'], [{ items: 3 }, 'a number (3)']] as const) {
      api = await listApi([{ items: [{ id: 1 }, { id: 2 }] }, broken]);
      const err = await readAll(client(def(), { base_url: api.url }), 'things').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isSwitchboardError(err, 'SB_HTTP_INVALID_RESPONSE')).toBe(true);
      const e = err as { message: string; details: Record<string, unknown> };
      expect(e.message).toContain(`stream "things", page 2: no array of records at "items" (found ${found})`);
      expect(e.details).toMatchObject({ stream: 'things', page: 2, records: 'items', attempts: 5 });
      expect(api.requests).toHaveLength(1 + 5);
      await api.close();
      api = undefined;
    }
  });

  it('with "missing_records": "empty_page", a missing or null value is an empty page, which ends an offset read', async () => {
    for (const empty of [{ items: null }, {}]) {
      api = await listApi([{ items: [{ id: 1 }, { id: 2 }] }, empty, { items: [{ id: 5 }] }]);
      const pages = await readAll(client(def({ missing_records: 'empty_page' }), { base_url: api.url }), 'things');
      expect(idsOf(recordsOf(pages))).toEqual([1, 2]);
      expect(pages.at(-1)).toMatchObject({ records: [], done: true });
      await api.close();
      api = undefined;
    }
    // Any other value is still invalid.
    api = await listApi([{ items: 'x' }]);
    await expect(readAll(client(def({ missing_records: 'empty_page' }), { base_url: api.url }), 'things')).rejects.toMatchObject({ code: 'SB_HTTP_INVALID_RESPONSE' });
  });

  it('an empty page that names a next cursor is read past: the rest of the stream is not lost', async () => {
    const pages: Record<string, unknown> = { '': { items: [{ id: 1 }], next: 'b' }, b: { items: [], next: 'c' }, c: { items: [{ id: 3 }], next: null } };
    api = await startMockServer((req) => ({ body: pages[req.query.get('after') ?? ''] }));
    const cursor = connector('list', { streams: { things: { request: { path: '/things' }, records: 'items', pagination: { type: 'cursor', cursor_path: 'next', cursor_param: 'after' } } } });
    expect(idsOf(recordsOf(await readAll(client(cursor, { base_url: api.url }), 'things')))).toEqual([1, 3]);
  });
});
