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
}

export interface ReadOptions {
  mode: 'full' | 'incremental';
  /** `state.cursor` for templates and incremental params, lookback already applied. */
  cursor: string | number | undefined;
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
