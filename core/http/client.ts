// The requester of one connection: credentials, the connection's rate limits (budgets, pauses
// its headers ask for), the attempt's timeout, retries with backoff and Retry-After, one renewal
// on a 401, JSON parsing, and the request counts and costs the sync runner reports.
import { setTimeout as delay } from 'node:timers/promises';
import type { IncomingHttpHeaders } from 'node:http';
import type { Auth, AuthOAuth2, ConnectorDefinition } from '../generated/connector';
import { authorizationUrl, createAuthSession, exchangeCode, MemoryTokenStore, type AuthContext, type AuthSession, type TokenStore } from '../auth';
import { SwitchboardError } from '../errors';
import type { PageParams } from '../pagination';
import { API_WAIT, RateLimiters, type ConnectionLimiter } from '../ratelimit';
import type { TemplateContext } from '../templates';
import { packageVersion } from '../util/package-root';
import { compileConnector, type CompiledConnector } from './compiled';
import { CostLedger } from './cost';
import { httpFailureError, type HttpFailure } from './errors';
import { costWaitMs, graphqlErrors } from './graphql';
import { OriginPolicy } from './origins';
import { Redactor, secretConfigValues } from './redact';
import { headerMap, renderRequest, type CompiledRequest, type RequestBase } from './request';
import { backoffDelay, callLimitWaitMs, rateLimitResetMs, retryAfterMs } from './retry';
import { open, readText, send, TransportError, type HttpRequest, type HttpResponse, type OpenResponse } from './transport';

export interface ConnectorClientOptions {
  /** The definition (compiled once and cached) or an already compiled one. */
  connector: ConnectorDefinition | CompiledConnector;
  /** The connection's settings (secrets decrypted), as `config` in templates. */
  config: Record<string, unknown>;
  /** Keys the rate limiter: every client of one connection shares its budget. Default `<connector id>:default`. */
  connectionId?: string;
  /** OAuth2 token persistence. Default: in memory (tokens are lost when the process ends). */
  tokenStore?: TokenStore;
  /**
   * Rate limiters to take budgets from: the engine's registry (in Redis when it has one, so every
   * worker shares the budgets). Default: a registry of this client alone, in memory.
   */
  rateLimiters?: RateLimiters;
  /** Called after every attempt (logs, metrics); URLs and messages are already redacted. */
  onRequest?: (event: RequestEvent) => void;
}

export interface RequestEvent {
  method: string;
  url: string;
  /** 1-based attempt number of this request. */
  attempt: number;
  status?: number;
  durationMs: number;
  /** Why the attempt failed (network, timeout), redacted. */
  error?: string;
  /** The wait before the next attempt, when one follows. */
  retryInMs?: number;
}

/** A successful (2xx) answer, body parsed. */
export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body; null when the body is empty. */
  body: unknown;
  /** HTTP requests made, retries included, and how many of them were retries. */
  requests: number;
  retries: number;
  /** With `mode: 'stream'`: the 2xx answer's body, still arriving (`body` is then null). */
  stream?: OpenResponse;
}

/**
 * What a read expects of a 2xx answer's parsed body: undefined when it is usable, else why not
 * (with facts for the error's details). An unusable answer is retried like a 5xx, then fails
 * with SB_HTTP_INVALID_RESPONSE; so is a body that is not JSON. Only reads, which may be sent
 * again, pass one (an action's answer is never a reason to send the write twice).
 */
export type ResponseCheck = (body: unknown) => { reason: string; details?: Record<string, unknown> } | undefined;

/** Request and retry counts of a client since it was made. */
export interface RequestStats {
  requests: number;
  retries: number;
}

/** The path of a base URL without its trailing slash ('' for none). */
function basePathOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

function isCompiled(c: ConnectorDefinition | CompiledConnector): c is CompiledConnector {
  return 'definition' in c && 'streams' in c && c.streams instanceof Map;
}

function abortReason(signal: AbortSignal | undefined): unknown {
  return signal?.reason ?? new SwitchboardError('SB_RUN_CANCELED', 'the request was aborted');
}

/** Waits, or rejects with the abort reason when the signal fires first. */
async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    throw abortReason(signal);
  }
}

/** A body parsed as JSON (an empty body is null), or why it is not JSON. */
function parseJson(text: string): { value: unknown } | { reason: string } {
  if (text === '' || /^\s*$/.test(text)) return { value: null };
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { reason: `the response body is not valid JSON (${(err as Error).message})` };
  }
}

export class ConnectorClient {
  readonly connector: CompiledConnector;
  readonly config: Record<string, unknown>;
  readonly connectionId: string;
  readonly redactor: Redactor;
  readonly tokenStore: TokenStore;
  readonly stats: RequestStats = { requests: 0, retries: 0 };
  /** Requests per endpoint and waits per budget, drained by whoever records them (a run). */
  readonly cost = new CostLedger();
  private readonly auth: AuthSession;
  private readonly authSpec: Auth;
  private readonly authContext: AuthContext;
  private readonly limiter: ConnectionLimiter | undefined;
  private readonly base: RequestBase;
  private readonly origins: OriginPolicy;
  private readonly onRequest: ((event: RequestEvent) => void) | undefined;
  /** Until when rate-limit headers told this client to hold back (epoch ms); shared through the limiter too. */
  private pausedUntil = 0;
  /** The base URL's path, which budget patterns leave out (`/api/v2` for Zendesk). */
  private readonly basePath: string;
  /** Units per second the `call_limit` bucket leaks, and the free units to keep. */
  private readonly callLimit: { leak: number; headroom: number };

  constructor(options: ConnectorClientOptions) {
    this.connector = isCompiled(options.connector) ? options.connector : compileConnector(options.connector);
    const def = this.connector.definition;
    this.config = options.config;
    this.connectionId = options.connectionId ?? `${def.id}:default`;
    this.redactor = new Redactor(secretConfigValues(def.config_schema, options.config));
    this.tokenStore = options.tokenStore ?? new MemoryTokenStore();
    this.onRequest = options.onRequest;
    const ctx = { config: options.config, now: new Date().toISOString() };
    this.authSpec = this.connector.auth(ctx);
    this.authContext = { tokenStore: this.tokenStore, redactor: this.redactor, timeoutMs: this.connector.timeoutMs, retry: this.connector.retry };
    this.auth = createAuthSession(this.authSpec, this.authContext);
    const headers = headerMap({ accept: 'application/json', 'accept-encoding': 'gzip, deflate', 'user-agent': `switchboard/${packageVersion()}` });
    if (this.connector.headers !== undefined) headerMap(this.connector.headers(ctx), headers);
    this.base = { baseUrl: String(this.connector.baseUrl(ctx) ?? ''), headers };
    const allowed = this.connector.allowedOrigins?.(ctx);
    this.origins = new OriginPolicy(this.base.baseUrl, Array.isArray(allowed) ? allowed : [], def.id);
    // A permit is held for one attempt; in Redis, units of a killed worker come back once the
    // connection has been idle for this lease.
    const leaseMs = this.connector.timeoutMs * 2 + 10_000;
    const paced = this.connector.retry.rateLimitHeaders !== undefined || this.connector.graphql.cost !== undefined;
    this.limiter = (options.rateLimiters ?? new RateLimiters()).forConnection(this.connectionId, def.rate_limit, { leaseMs, paced });
    this.basePath = basePathOf(this.base.baseUrl);
    const rl = def.rate_limit;
    const leak = this.connector.retry.rateLimitHeaders?.leak_per_second ?? (rl?.requests !== undefined ? rl.requests / (rl.per_seconds ?? 1) : 1);
    this.callLimit = { leak, headroom: rl?.concurrency ?? 1 };
  }

  /** For the oauth2 `authorization_code` grant: the URL to send the admin's browser to. */
  authorizationUrl(params: { redirectUri: string; state: string }): string {
    return authorizationUrl(this.oauth2Spec(), params);
  }

  /** For the oauth2 `authorization_code` grant: exchanges the callback's code and saves the tokens in the token store. */
  async completeAuthorization(params: { code: string; redirectUri: string }): Promise<void> {
    const spec = this.oauth2Spec();
    const state = await exchangeCode(spec, this.authContext, params);
    await this.tokenStore.lock(() => this.tokenStore.save(state));
  }

  private oauth2Spec(): AuthOAuth2 {
    if (this.authSpec.type !== 'oauth2') {
      throw new SwitchboardError('SB_BAD_REQUEST', `connector "${this.connector.definition.id}" does not use oauth2 (auth type ${this.authSpec.type})`);
    }
    return this.authSpec;
  }

  /** The template context of this connection, plus `extra` roots. */
  context(extra: TemplateContext = {}): TemplateContext {
    return { now: new Date().toISOString(), ...extra, config: this.config };
  }

  /**
   * Sends one request of the definition (a stream page, the check, an action) and returns its
   * 2xx answer; any other outcome is a SwitchboardError (see core/http/errors.ts).
   */
  async send(req: CompiledRequest, ctx: TemplateContext, page?: PageParams, signal?: AbortSignal, check?: ResponseCheck, mode: 'json' | 'stream' = 'json'): Promise<ApiResponse> {
    const policy = this.connector.retry;
    const history: HttpFailure['kind'][] = [];
    let requests = 0;
    let retries = 0;
    let failures = 0;
    let renewed = false;
    for (;;) {
      if (signal?.aborted === true) throw abortReason(signal);
      const credentials = await this.auth.current();
      const base = credentials.baseUrl === undefined ? this.base : { ...this.base, baseUrl: credentials.baseUrl };
      const request = renderRequest(req, ctx, base, page, credentials.query);
      // Before credentials are added, and before anything is sent or waited for.
      this.origins.check(request.method, request.url, credentials.baseUrl, this.redactor);
      for (const [name, value] of Object.entries(credentials.headers)) request.headers[name] = value;
      const paused = this.pausedUntil - Date.now();
      if (paused > 0) {
        await sleep(paused, signal);
        this.cost.waited(API_WAIT, paused);
      }
      const permit = this.limiter === undefined ? undefined : await this.limiter.acquire({ method: request.method, path: this.budgetPath(request.url) }, signal);
      if (permit !== undefined) this.cost.admitted(permit.budgets, permit.waits);
      const retry = requests > 0;
      requests += 1;
      this.stats.requests += 1;
      const started = Date.now();
      let outcome: { res: HttpResponse; stream?: OpenResponse } | { failure: HttpFailure };
      try {
        outcome = mode === 'json' ? { res: await send(request, this.connector.timeoutMs, signal) } : await this.openStream(request, signal);
      } catch (err) {
        outcome = { failure: this.transportFailure(err, request, signal) };
      } finally {
        permit?.release();
      }
      // Counted once it went out and came back (an aborted read-ahead is no cost of the run).
      this.cost.request(req.label, retry);
      let waitMs: number | undefined;
      let failure: HttpFailure;
      const answered = 'res' in outcome;
      if ('failure' in outcome) {
        failure = outcome.failure;
      } else {
        const res = outcome.res;
        await this.pace(res.headers);
        this.report(request, requests, started, res.status);
        if (res.status >= 200 && res.status < 300) {
          if (outcome.stream !== undefined) return { status: res.status, headers: res.headers, body: null, requests, retries, stream: outcome.stream };
          const parsed = parseJson(res.text);
          const gql = req.graphql && !('reason' in parsed) ? await this.graphqlAnswer(request, requests, parsed.value, res.text) : undefined;
          if (gql !== undefined) {
            // Throttled: the query was not run; wait as its cost says, then send it again.
            failure = { kind: 'status', status: res.status, statusText: 'GraphQL throttled', body: res.text };
            waitMs = gql.waitMs;
            if (waitMs !== undefined) await this.limiter?.pause(waitMs);
            history.push(failure.kind);
            failures += 1;
            if (failures >= policy.maxAttempts) throw httpFailureError(failure, { method: request.method, url: request.url, attempts: requests, history, redactor: this.redactor }, true);
            const wait = waitMs ?? backoffDelay(policy, failures);
            retries += 1;
            this.stats.retries += 1;
            await sleep(wait, signal);
            this.cost.waited(API_WAIT, wait);
            continue;
          }
          const invalid: ReturnType<ResponseCheck> = 'reason' in parsed ? parsed : check?.(parsed.value);
          if (invalid === undefined) return { status: res.status, headers: res.headers, body: (parsed as { value: unknown }).value, requests, retries };
          failure = { kind: 'invalid', reason: invalid.reason, body: res.text, ...(invalid.details === undefined ? {} : { details: invalid.details }) };
          // A read answered with something unusable is tried again like a 5xx; anything else fails now.
          if (check === undefined) throw httpFailureError(failure, { method: request.method, url: request.url, attempts: requests, redactor: this.redactor });
        } else {
          failure = { kind: 'status', status: res.status, statusText: res.statusText, body: res.text };
          if (res.status === 401) {
            if (!renewed && (await this.auth.renew(credentials))) {
              renewed = true;
              retries += 1;
              this.stats.retries += 1;
              continue;
            }
            throw httpFailureError(failure, { method: request.method, url: request.url, attempts: requests, unauthorized: true, redactor: this.redactor });
          }
          if (!policy.onStatus.has(res.status)) {
            throw httpFailureError(failure, { method: request.method, url: request.url, attempts: requests, redactor: this.redactor });
          }
          waitMs = retryAfterMs(policy, res.headers);
          // A 429 with a wait speaks of the connection: every request of it holds back, on every worker.
          if (res.status === 429 && waitMs !== undefined) await this.limiter?.pause(waitMs);
        }
      }
      history.push(failure.kind);
      failures += 1;
      const ctxInfo = { method: request.method, url: request.url, attempts: requests, history, redactor: this.redactor };
      if (failures >= policy.maxAttempts) {
        if (!answered) this.report(request, requests, started, undefined, failure);
        throw httpFailureError(failure, ctxInfo, true);
      }
      const wait = waitMs ?? backoffDelay(policy, failures);
      if (!answered) this.report(request, requests, started, undefined, failure, wait);
      retries += 1;
      this.stats.retries += 1;
      await sleep(wait, signal);
      if (waitMs !== undefined) this.cost.waited(API_WAIT, wait);
    }
  }

  /**
   * A GraphQL answer's errors and cost: holds the connection back while its cost bucket runs low;
   * throws SB_GRAPHQL_ERROR for errors that are not a throttle; for a throttle, the wait its cost
   * asks for (undefined: back off). Undefined when the answer has no errors.
   */
  private async graphqlAnswer(request: HttpRequest, attempts: number, body: unknown, text: string): Promise<{ waitMs: number | undefined } | undefined> {
    const settings = this.connector.graphql;
    const outcome = graphqlErrors(body, settings);
    const throttled = outcome?.throttled === true;
    const wait = costWaitMs(settings, body, this.callLimit.headroom, throttled);
    if (outcome === undefined || !throttled) {
      if (wait !== undefined) {
        this.pausedUntil = Math.max(this.pausedUntil, Date.now() + wait);
        await this.limiter?.pause(wait);
      }
    }
    if (outcome === undefined) return undefined;
    if (throttled) return { waitMs: wait };
    const url = this.redactor.redact(request.url);
    throw new SwitchboardError('SB_GRAPHQL_ERROR', `${request.method} ${url} answered GraphQL errors: ${this.redactor.redact(outcome.message)}`, {
      details: { method: request.method, url, attempts, errors: JSON.parse(this.redactor.redact(JSON.stringify(outcome.errors))) as unknown, body: this.redactor.redact(text.slice(0, 200)) },
    });
  }

  /** Holds the connection back as the answer's rate-limit headers ask (remaining 0 until the reset; a nearly full call-limit bucket). */
  private async pace(headers: IncomingHttpHeaders): Promise<void> {
    const spec = this.connector.retry.rateLimitHeaders;
    if (spec === undefined) return;
    const reset = rateLimitResetMs(spec, headers);
    const bucket = callLimitWaitMs(spec, headers, this.callLimit.leak, this.callLimit.headroom);
    const wait = Math.max(reset ?? 0, bucket ?? 0);
    if (wait <= 0) return;
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + wait);
    await this.limiter?.pause(wait);
  }

  /** A request URL's path as budget patterns see it: relative to the base URL's path when under it. */
  private budgetPath(url: string): string {
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      return url;
    }
    if (this.basePath !== '' && (path === this.basePath || path.startsWith(`${this.basePath}/`))) path = path.slice(this.basePath.length) || '/';
    return path;
  }

  /** A streamed exchange: a 2xx answer's body is left open; any other is read whole, as `send` reads it. */
  private async openStream(request: HttpRequest, signal: AbortSignal | undefined): Promise<{ res: HttpResponse; stream?: OpenResponse }> {
    const opened = await open(request, this.connector.timeoutMs, signal);
    const head = { status: opened.status, statusText: opened.statusText, headers: opened.headers };
    if (opened.status >= 200 && opened.status < 300) return { res: { ...head, text: '' }, stream: opened };
    try {
      return { res: { ...head, text: await readText(opened.body) } };
    } catch (err) {
      throw err instanceof TransportError ? err : new TransportError('network', (err as Error).message, { cause: err });
    }
  }

  /** A failed exchange as a retryable failure; aborts and unusable URLs are thrown instead. */
  private transportFailure(err: unknown, request: HttpRequest, signal: AbortSignal | undefined): HttpFailure {
    if (err instanceof TransportError) {
      if (err.kind === 'aborted') throw abortReason(signal);
      return err.kind === 'timeout' ? { kind: 'timeout', timeoutMs: this.connector.timeoutMs } : { kind: 'network', message: err.message, cause: err.cause };
    }
    if (err instanceof TypeError) {
      throw new SwitchboardError('SB_CONNECTION_CONFIG_INVALID', this.redactor.redact(`cannot send ${request.method} ${request.url}: ${err.message}`));
    }
    throw err;
  }

  private report(request: HttpRequest, attempt: number, started: number, status: number | undefined, failure?: HttpFailure, retryInMs?: number): void {
    if (this.onRequest === undefined) return;
    const event: RequestEvent = { method: request.method, url: this.redactor.redact(request.url), attempt, durationMs: Date.now() - started };
    if (status !== undefined) event.status = status;
    if (failure !== undefined && failure.kind !== 'status') event.error = failure.kind === 'timeout' ? 'timeout' : this.redactor.redact(failure.kind === 'network' ? failure.message : failure.reason);
    if (retryInMs !== undefined) event.retryInMs = retryInMs;
    this.onRequest(event);
  }
}
