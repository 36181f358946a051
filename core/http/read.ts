// Reading any stream as pages of records for the pull runner, whatever its kind: a list (one
// request chain, core/http/stream.ts) or a child stream (one request chain per parent record,
// core/http/child-stream.ts). Each kind is one module registered in STREAM_KINDS; later kinds
// (event feeds, date windows) add theirs without touching the others; bulk jobs are core/http/bulk.ts.
import type { ConnectorClient } from './client';
import { streamOf, type CompiledStream } from './compiled';
import type { ParentScope } from './enrich';
import { readStream, type ReadMode, type StreamCheckpoint } from './stream';
import { readChildStream } from './child-stream';
import { readBulk } from './bulk';

/** One page as the pull runner takes it. */
export interface ReadPage {
  records: unknown[];
  /** Plain JSON to resume after this page (never the records); null once the read is complete. */
  checkpoint: Record<string, unknown> | null;
  requests: number;
  retries: number;
  /** Child streams: the parent records of this page's records (mappings' `from: parent`). */
  scope?: ParentScope;
  /** Child streams: the id of the parent this page belongs to (kept on the children's record links). */
  parentKey?: string;
  /** Child streams: this parent answered a `skip_status` and was skipped (the page has no records). */
  skippedParent?: boolean;
  /**
   * Values to merge into the mapping's durable state when the run succeeds (the cursors of
   * parents read incrementally, as `parents`); the latest page's value is the whole contribution.
   */
  state?: Record<string, unknown>;
}

export interface ReadRecordsOptions {
  mode: ReadMode;
  /** The durable state: `cursor` (lookback applied) and `parents` (cursors of parent streams, as saved). */
  state: { cursor?: unknown; parents?: Record<string, unknown> };
  /** Resume after the page that produced this checkpoint. */
  checkpoint?: Record<string, unknown>;
  /** For `restart_after_records` (list streams): the greatest committed `state.cursor`; it resolves once every page handed out is committed, which bulk reads wait for before freeing their job. */
  restartCursor?: () => unknown;
  signal?: AbortSignal;
}

export type StreamReader = (client: ConnectorClient, stream: CompiledStream, options: ReadRecordsOptions) => AsyncGenerator<ReadPage, void, undefined>;

async function* readList(client: ConnectorClient, stream: CompiledStream, options: ReadRecordsOptions): AsyncGenerator<ReadPage, void, undefined> {
  const pages = readStream(client, stream.name, {
    mode: options.mode,
    state: { cursor: options.state.cursor },
    ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint as unknown as StreamCheckpoint }),
    ...(options.restartCursor === undefined ? {} : { restartCursor: options.restartCursor }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  for await (const page of pages) {
    yield { records: page.records, checkpoint: page.done ? null : (page.checkpoint as unknown as Record<string, unknown>), requests: page.requests, retries: page.retries };
  }
}

/** The kinds of stream, told apart by the definition (a `parent` makes a child stream). */
export const STREAM_KINDS = {
  list: readList,
  // The parent is read through readRecords too, so a parent may itself be a child stream.
  child: (client, stream, options) => readChildStream(client, stream, options, (c, parent, o) => readRecords(c, parent.name, o)),
  // Runs of the modes the job does not serve read the stream as a list.
  bulk: (client, stream, options) => readBulk(client, stream, options, readList),
} as const satisfies Record<string, StreamReader>;

export type StreamKind = keyof typeof STREAM_KINDS;

export function kindOf(stream: CompiledStream): StreamKind {
  return stream.parent !== undefined ? 'child' : stream.bulk !== undefined ? 'bulk' : 'list';
}

/** Reads a stream of the client's connector page by page, whatever its kind. */
export function readRecords(client: ConnectorClient, streamName: string, options: ReadRecordsOptions): AsyncGenerator<ReadPage, void, undefined> {
  const stream = streamOf(client.connector, streamName);
  return STREAM_KINDS[kindOf(stream)](client, stream, options);
}
