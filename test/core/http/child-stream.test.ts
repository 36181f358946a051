// The child-stream reader against a local Mailchimp-shaped API (lists -> members -> activity,
// three levels): parents in the templates, pages of several parents at once within the
// concurrency, checkpoints that stay small, and a resume from any checkpoint that reads every
// record not handed out before it and no finished parent again.
import { ConnectorClient } from '../../../core/http/client';
import { readRecords, type ReadPage } from '../../../core/http/read';
import type { ConnectorDefinition } from '../../../core/generated/connector';
import { RateLimiters } from '../../../core/ratelimit';
import { startMockServer, type MockApi } from '../../../examples/mock-apis';

const LISTS = 3;
const MEMBERS = 40;

let api: MockApi;
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  api = await startMockServer(async (req) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 2));
    inFlight -= 1;
    const offset = Number(req.query.get('offset') ?? 0);
    const count = Number(req.query.get('count') ?? 10);
    if (req.path === '/lists') {
      const lists = Array.from({ length: LISTS }, (_, i) => ({ id: `L${i}`, name: `List ${i}` }));
      return { body: { lists: lists.slice(offset, offset + count), total_items: LISTS } };
    }
    const members = /^\/lists\/(L\d+)\/members$/.exec(req.path);
    if (members !== null) {
      const all = Array.from({ length: MEMBERS }, (_, i) => ({ id: `${members[1]}-M${i}`, email_address: `m${i}@${members[1]}.example` }));
      return { body: { members: all.slice(offset, offset + count), total_items: MEMBERS } };
    }
    const activity = /^\/lists\/(L\d+)\/members\/(L\d+-M\d+)\/activity$/.exec(req.path);
    if (activity !== null) {
      // Three actions per member, two per page; the member 'L1-M7' was deleted meanwhile.
      if (activity[2] === 'L1-M7') return { status: 404, body: { title: 'Resource Not Found' } };
      const all = [0, 1, 2].map((k) => ({ action: k === 0 ? 'open' : 'click', timestamp: `2024-01-0${k + 1}T00:00:00Z`, list: activity[1], member: activity[2] }));
      return { body: { activity: all.slice(offset, offset + 2), total_items: 3 } };
    }
    return { status: 404, body: {} };
  });
});
afterAll(async () => api.close());

function connector(concurrency: number): ConnectorDefinition {
  const offset = (limit: number) => ({ type: 'offset' as const, limit, limit_param: 'count', offset_param: 'offset', total_path: 'total_items' });
  return {
    id: 'chimp',
    name: 'Mailchimp-shaped',
    base_url: api.url,
    rate_limit: { concurrency },
    streams: {
      lists: { request: { path: '/lists' }, records: 'lists', primary_key: 'id', pagination: offset(2) },
      members: { parent: { stream: 'lists' }, request: { path: '/lists/{{parent.id}}/members' }, records: 'members', primary_key: 'id', pagination: offset(10) },
      activity: {
        parent: { stream: 'members' },
        request: { path: '/lists/{{parents.lists.id}}/members/{{parent.id}}/activity' },
        records: 'activity',
        primary_key: 'timestamp',
        pagination: offset(2),
      },
    },
  } as ConnectorDefinition;
}

async function readAll(client: ConnectorClient, checkpoint?: Record<string, unknown>): Promise<ReadPage[]> {
  const pages: ReadPage[] = [];
  for await (const page of readRecords(client, 'activity', { mode: 'full', state: {}, ...(checkpoint === undefined ? {} : { checkpoint }) })) pages.push(page);
  return pages;
}

const recordsOf = (pages: readonly ReadPage[]): string[] => pages.flatMap((p) => p.records.map((r) => `${(r as { member: string }).member}/${(r as { timestamp: string }).timestamp}`));

describe('child streams, three levels deep', () => {
  it('reads every grandchild with both parents in the templates, skipping a parent that is gone', async () => {
    maxInFlight = 0;
    const client = new ConnectorClient({ connector: connector(4), config: {}, rateLimiters: new RateLimiters() });
    const pages = await readAll(client);
    const records = recordsOf(pages);
    expect(records).toHaveLength((LISTS * MEMBERS - 1) * 3);
    expect(new Set(records).size).toBe(records.length);
    const skipped = pages.filter((p) => p.skippedParent === true);
    expect(skipped.map((p) => p.parentKey)).toEqual(['L1-M7']);
    // Every page says which parents its records came from.
    const page = pages.find((p) => p.records.length > 0)!;
    const member = page.records[0] as { member: string; list: string };
    expect(page.parentKey).toBe(member.member);
    expect((page.scope?.parents?.['lists'] as { id: string }).id).toBe(member.list);
    // Several parents at once, never more than the concurrency (the mock counts every level).
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(pages[pages.length - 1]!.checkpoint).toBeNull();
    expect(pages.slice(0, -1).every((p) => p.checkpoint !== null)).toBe(true);
  });

  it('keeps checkpoints small however many parents there are', async () => {
    const client = new ConnectorClient({ connector: connector(2), config: {}, rateLimiters: new RateLimiters() });
    const pages = await readAll(client);
    const largest = Math.max(...pages.map((p) => JSON.stringify(p.checkpoint ?? {}).length));
    // 120 members x 3 actions; the checkpoint names at most a window of finished parents.
    expect(largest).toBeLessThan(40_000);
    const sizes = pages.map((p) => ((p.checkpoint as { done?: unknown[] } | null)?.done ?? []).length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(256 + 10);
  });

  it('resumes from any checkpoint: the records not handed out before it, no finished parent again', async () => {
    const client = new ConnectorClient({ connector: connector(3), config: {}, rateLimiters: new RateLimiters() });
    const pages = await readAll(client);
    const all = recordsOf(pages);
    for (const at of [3, Math.floor(pages.length / 2), pages.length - 3]) {
      const before = recordsOf(pages.slice(0, at + 1));
      const checkpoint = pages[at]!.checkpoint!;
      const finished = new Set((checkpoint as { done: string[] }).done);
      const from = api.requests.length;
      const rest = recordsOf(await readAll(client, checkpoint));
      // Nothing lost: what was handed out before plus what the resumed read hands out is everything.
      expect(new Set([...before, ...rest])).toEqual(new Set(all));
      const requested = api.requests.slice(from).flatMap((r) => /\/members\/(L\d+-M\d+)\/activity$/.exec(r.path)?.[1] ?? []);
      for (const member of requested) expect(finished.has(member)).toBe(false);
    }
  });
});
