// The HTTP engine: a requester per connection (auth, rate limit, retries), stream reading as
// pages with checkpoints, and the connection check.
export { ConnectorClient, type ApiResponse, type ConnectorClientOptions, type RequestEvent, type RequestStats, type ResponseCheck } from './client';
export { compileConnector, streamOf, DEFAULT_TIMEOUT_MS, type CompiledConnector, type CompiledStream, type IncrementalPlan, type ReadPlan } from './compiled';
export { readStream, type ReadMode, type ReadOptions, type StreamCheckpoint, type StreamPage } from './stream';
export { checkConnection, type CheckResult } from './check';
export { formatCursor } from './incremental';
export { httpFailureError, type FailureContext, type HttpFailure } from './errors';
export { REDACTED, Redactor, secretConfigValues } from './redact';
export { compileRequest, renderRequest, joinUrl, resolvePageUrl, type CompiledRequest, type RequestBase } from './request';
export { backoffDelay, parseRetryAfter, rateLimitResetMs, retryAfterMs, retryPolicy, DEFAULT_RETRY_STATUSES, type RetryPolicy } from './retry';
export { encodeForm, encodeQuery, withQuery } from './encode';
export { send, TransportError, type HttpRequest, type HttpResponse } from './transport';
