// What the connection routes share: loading a connection with its connector, turning it into
// its API view, and the connector client of a connection (secrets in memory only).
import type { Engine } from '../core/engine';
import { SwitchboardError, isSwitchboardError } from '../core/errors';
import type { ConnectorDefinition } from '../core/generated/connector';
import type { ConnectorClient } from '../core/http';
import * as connections from '../core/store/tables/connections';
import { connectionView, type ConnectionView } from './schemas/engine';

export async function loadConnection(engine: Engine, idOrName: string): Promise<connections.Connection> {
  return connections.get(engine.db, engine.box, idOrName);
}

export function viewOf(engine: Engine, c: connections.Connection): ConnectionView {
  return connectionView(c, secretKeysOf(engine, c.connectorId));
}

/** The connector's secret setting names; none when the connector is no longer loaded. */
function secretKeysOf(engine: Engine, connectorId: string): string[] {
  return engine.registry.connectors.has(connectorId) ? engine.secretKeysOf(connectorId) : [];
}

/** A definition named in a request body that is not loaded: the body is wrong (422), not the URL. */
export async function unprocessable<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isSwitchboardError(err, 'SB_DEFINITION_NOT_FOUND')) throw new SwitchboardError(err.code, err.message, { status: 422, details: err.details ?? {} });
    throw err;
  }
}

/** The client of a stored connection, tokens in the database. */
export async function clientOf(engine: Engine, c: connections.Connection): Promise<{ client: ConnectorClient; connector: ConnectorDefinition }> {
  return { client: await engine.connectionClient(c), connector: engine.connector(c.connectorId) };
}
