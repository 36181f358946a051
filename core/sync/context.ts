// What sync code is given to run a run: the store, the secret box, the definitions, the logger,
// the connection rate limiters and a token store per connection. A narrow view the engine hands
// down (core/runs), so that sync code never sees, nor imports, the engine.
import type { Knex } from 'knex';
import type { TokenStore } from '../auth/token-store';
import type { Registry } from '../definitions';
import type { ConnectorDefinition } from '../generated/connector';
import { ConnectorClient } from '../http/client';
import type { Logger } from '../logger';
import type { RateLimiters } from '../ratelimit';
import type { SecretBox } from '../secrets';

export interface RunContext {
  readonly db: Knex;
  readonly box: SecretBox;
  readonly registry: Registry;
  readonly logger: Logger;
  /** The connection rate limiters to take budgets from (undefined: the process-wide registry). */
  readonly rateLimiters: RateLimiters | undefined;
  /** Where a connection's OAuth2 tokens are kept (its row, sealed). */
  tokenStore(connectionId: string): TokenStore;
}

/** The requester of a run's connection, with the context's rate limiters and token store. */
export function connectionClient(ctx: RunContext, connector: ConnectorDefinition, connectionId: string, config: Record<string, unknown>): ConnectorClient {
  return new ConnectorClient({ connector, config, connectionId, tokenStore: ctx.tokenStore(connectionId), ...(ctx.rateLimiters === undefined ? {} : { rateLimiters: ctx.rateLimiters }) });
}
