// The pull runner's StreamSource over a connector stream: the HTTP engine's reader, with its
// checkpoints and its prefetch of the next page.
import type { ConnectorClient } from '../http/client';
import { readStream, type StreamCheckpoint } from '../http/stream';
import type { ReadOptions, SourcePage, StreamSource } from './source';

export class HttpStreamSource implements StreamSource {
  constructor(
    private readonly client: ConnectorClient,
    private readonly stream: string,
  ) {}

  async *read(options: ReadOptions): AsyncIterable<SourcePage> {
    const pages = readStream(this.client, this.stream, {
      mode: options.mode,
      state: { cursor: options.cursor },
      ...(options.checkpoint === null ? {} : { checkpoint: options.checkpoint as unknown as StreamCheckpoint }),
      ...(options.committedCursor === undefined ? {} : { restartCursor: options.committedCursor }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    for await (const page of pages) {
      yield { records: page.records, checkpoint: page.done ? null : (page.checkpoint as unknown as Record<string, unknown>), requests: page.requests, retries: page.retries };
    }
  }
}
