// The pull runner's StreamSource over a connector stream of any kind (list or child), through
// the HTTP engine's readers, with their checkpoints and prefetch.
import type { ConnectorClient } from '../http/client';
import { readRecords } from '../http/read';
import type { ReadOptions, SourcePage, StreamSource } from './source';

export class HttpStreamSource implements StreamSource {
  constructor(
    private readonly client: ConnectorClient,
    private readonly stream: string,
  ) {}

  read(options: ReadOptions): AsyncIterable<SourcePage> {
    const parents = options.state?.['parents'];
    return readRecords(this.client, this.stream, {
      mode: options.mode,
      state: { cursor: options.cursor, ...(parents !== null && typeof parents === 'object' ? { parents: parents as Record<string, unknown> } : {}) },
      ...(options.checkpoint === null ? {} : { checkpoint: options.checkpoint }),
      ...(options.committedCursor === undefined ? {} : { restartCursor: options.committedCursor }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }
}
