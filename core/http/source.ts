// The pull runner's StreamSource (core/sync/source.ts) over a connector stream: readStream's
// pages with the runner's conventions (a null checkpoint on the last page).
import { SwitchboardError } from '../errors';
import type { ReadOptions as SourceReadOptions, SourcePage, StreamSource } from '../sync/source';
import type { ConnectorClient } from './client';
import { readStream, type ReadOptions, type StreamCheckpoint } from './stream';

function asCheckpoint(value: Record<string, unknown>): StreamCheckpoint {
  if (value['v'] !== 1 || typeof value['stream'] !== 'string' || typeof value['done'] !== 'boolean') {
    throw new SwitchboardError('SB_BAD_REQUEST', 'the saved checkpoint was not made by the stream reader');
  }
  return value as unknown as StreamCheckpoint;
}

/** A StreamSource reading `stream` through `client`. */
export function connectorStreamSource(client: ConnectorClient, stream: string): StreamSource {
  return {
    async *read(options: SourceReadOptions): AsyncGenerator<SourcePage, void, undefined> {
      const read: ReadOptions = { mode: options.mode, state: { cursor: options.cursor } };
      if (options.checkpoint !== null) read.checkpoint = asCheckpoint(options.checkpoint);
      if (options.committedCursor !== undefined) read.restartCursor = options.committedCursor;
      if (options.signal !== undefined) read.signal = options.signal;
      for await (const page of readStream(client, stream, read)) {
        yield {
          records: page.records,
          checkpoint: page.done ? null : (page.checkpoint as unknown as Record<string, unknown>),
          requests: page.requests,
          retries: page.retries,
        };
      }
    },
  };
}
