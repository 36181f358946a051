// Which settings of a connection its credentials are bound to: the settings that decide where
// the credentials go or what they are sent with. They are the config keys that the connector's
// `base_url`, `auth` (every template, `token_url` included), `headers` and `allowed_origins`
// templates use, found from the definition alone. Changing one of them changes where stored
// secrets and tokens would be sent, so such a change must come with the secrets themselves.
import type { ConnectorDefinition } from '../generated/connector';
import { analyzeTemplate } from '../templates';

export interface BoundSettings {
  /** Config keys those templates name (secret ones included). */
  keys: ReadonlySet<string>;
  /** A template there uses `config` as a whole (e.g. `lookup config "host"`): every setting is bound. */
  all: boolean;
}

/** Config keys used by the templates in `value` (a string or any JSON tree of them). */
function configUses(value: unknown, into: { keys: Set<string>; all: boolean }): void {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return;
    for (const use of analyzeTemplate(value).uses) {
      if (use.kind !== 'root' || use.name !== 'config') continue;
      const key = use.path?.[1];
      if (key === undefined) into.all = true;
      else into.keys.add(key);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) configUses(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) configUses(item, into);
  }
}

const cache = new WeakMap<ConnectorDefinition, BoundSettings>();

/** The settings the credentials of a connection of `definition` are bound to. */
export function boundSettings(definition: ConnectorDefinition): BoundSettings {
  let bound = cache.get(definition);
  if (bound === undefined) {
    const found = { keys: new Set<string>(), all: false };
    configUses([definition.base_url, definition.auth, definition.headers, definition.allowed_origins], found);
    cache.set(definition, (bound = found));
  }
  return bound;
}

/** The config keys that the auth's `refresh_token` template uses: giving one anew means a new refresh token. */
export function refreshTokenSettings(definition: ConnectorDefinition): ReadonlySet<string> {
  const found = { keys: new Set<string>(), all: false };
  const auth = definition.auth;
  if (auth?.type === 'oauth2') configUses(auth.refresh_token, found);
  return found.keys;
}
