// Auth types by name (`auth.type` -> implementation), compiled once per connector and turned
// into a session per connection.
import type { Auth } from '../generated/connector';
import { SwitchboardError } from '../errors';
import { compileTree } from '../templates';
import { apiKeyAuth } from './api-key';
import { basicAuth } from './basic';
import { bearerAuth } from './bearer';
import { noneAuth } from './none';
import { oauth2Auth } from './oauth2';
import type { AuthContext, AuthFactory, AuthSession } from './types';

export type { AuthContext, AuthCredentials, AuthFactory, AuthSession } from './types';
export { MemoryTokenStore, type TokenState, type TokenStore } from './token-store';
export { expiresSoon } from './oauth2';
export { authorizationUrl, exchangeCode, obtainToken } from './oauth2-grant';

type Factories = { [K in Auth['type']]: AuthFactory<Extract<Auth, { type: K }>> };

export const AUTH_TYPES: Readonly<Factories> = {
  none: noneAuth,
  api_key: apiKeyAuth,
  basic: basicAuth,
  bearer: bearerAuth,
  oauth2: oauth2Auth,
};

/** An auth definition with its templates compiled; rendering it for a connection applies `config`. */
export type CompiledAuth = (ctx: { config: unknown; now: string }) => Auth;

/** Compiles every template of an auth definition (they see `config` and `now`). */
export function compileAuth(spec: Auth | undefined): CompiledAuth {
  const render = compileTree(spec ?? { type: 'none' }, { roots: ['config', 'now'] });
  return (ctx) => render(ctx) as Auth;
}

/** The session of one connection for its rendered auth definition. */
export function createAuthSession(auth: Auth, ctx: AuthContext): AuthSession {
  const factory = (AUTH_TYPES as Record<string, AuthFactory<Auth> | undefined>)[auth.type];
  if (factory === undefined) throw new SwitchboardError('SB_DEFINITION_INVALID', `unknown auth type ${JSON.stringify(auth.type)}`);
  return factory(auth, ctx);
}
