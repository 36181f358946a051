// What the pull runner reads from: pages of records, each with the checkpoint to resume after it.
// The HTTP engine's stream reader implements it for connector streams; tests may implement it
// over any local server.

export interface SourcePage {
  records: unknown[];
  /** Everything needed to resume after this page (never the records). Null on the last page. */
  checkpoint: Record<string, unknown> | null;
  /** Requests and retries this page cost. */
  requests: number;
  retries: number;
  /** Child streams: the parent records of this page's records (`from: parent` in mappings). */
  scope?: { parent?: unknown; parents?: Readonly<Record<string, unknown>> };
  /** Child streams: the id of the parent this page belongs to, kept on the children's links. */
  parentKey?: string;
  /** Child streams: the parent was gone (a `skip_status`): its children are kept by this run. */
  skippedParent?: boolean;
  /** Merged into the durable state when the run succeeds (the latest page's value is the whole contribution). */
  state?: Record<string, unknown>;
}

export interface ReadOptions {
  mode: 'full' | 'incremental';
  /** `state.cursor` for templates and incremental params, lookback already applied. */
  cursor: string | number | undefined;
  /** The durable state as saved (child streams read their parents' cursors in it). */
  state?: Record<string, unknown>;
  /** Resume after this checkpoint instead of starting over. */
  checkpoint: Record<string, unknown> | null;
  /**
   * The greatest cursor committed so far in this run (lookback applied): for
   * `restart_after_records`, the reader restarts the incremental request from it. It resolves
   * once every page read so far is committed.
   */
  committedCursor?: () => string | number | undefined | Promise<string | number | undefined>;
  signal?: AbortSignal;
}

export interface StreamSource {
  read(options: ReadOptions): AsyncIterable<SourcePage>;
}
