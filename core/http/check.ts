// `check`: send the definition's check request (else the first stream's first page) and say
// whether the credentials work, with the reason when they do not.
import { SwitchboardError, isSwitchboardError, errorMessage } from '../errors';
import type { ConnectorClient } from './client';
import type { CompiledRequest } from './request';

export interface CheckResult {
  ok: boolean;
  /** What was sent, e.g. `GET /crm/v3/objects/contacts` (the definition's path template). */
  request: string;
  /** Where the request came from: the definition's `check`, or the first stream when there is none. */
  source: 'check' | `stream:${string}`;
  /** The answer's status, when there was one. */
  status?: number;
  durationMs: number;
  /** Why it failed: the underlying error's code and message, secrets redacted. */
  reason?: string;
  /** SB_CHECK_FAILED naming the connector and the reason; `cause` is the underlying error. */
  error?: SwitchboardError;
}

function pick(client: ConnectorClient): { request: CompiledRequest; source: CheckResult['source']; path: string } {
  const def = client.connector.definition;
  if (client.connector.check !== undefined && def.check !== undefined) {
    return { request: client.connector.check, source: 'check', path: def.check.request.path };
  }
  const first = [...client.connector.streams.values()][0];
  if (first === undefined) {
    throw new SwitchboardError('SB_DEFINITION_INVALID', `connector "${def.id}" has neither a check request nor a stream to check with`);
  }
  return { request: first.full.request, source: `stream:${first.name}`, path: first.spec.request.path };
}

/** Runs the check; resolves with the outcome (failures are in `error`, never thrown, except a definition with nothing to check). */
export async function checkConnection(client: ConnectorClient, signal?: AbortSignal): Promise<CheckResult> {
  const { request, source, path } = pick(client);
  const label = `${request.method} ${path}`;
  const started = Date.now();
  try {
    const res = await client.send(request, client.context({ state: {}, page: { number: 1, offset: 0 } }), undefined, signal);
    return { ok: true, request: label, source, status: res.status, durationMs: Date.now() - started };
  } catch (err) {
    const status = isSwitchboardError(err) ? err.details?.['status'] : undefined;
    const reason = `${isSwitchboardError(err) ? `${err.code}: ` : ''}${client.redactor.redact(errorMessage(err))}`;
    const result: CheckResult = {
      ok: false,
      request: label,
      source,
      durationMs: Date.now() - started,
      reason,
      error: new SwitchboardError('SB_CHECK_FAILED', `the check of connector "${client.connector.definition.id}" failed: ${reason}`, {
        cause: err,
        details: { source, ...(isSwitchboardError(err) ? { cause: err.code } : {}) },
      }),
    };
    if (typeof status === 'number') result.status = status;
    return result;
  }
}
