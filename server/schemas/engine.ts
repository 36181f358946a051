// API schemas of the engine's resources: connections, schedules, runs, rejected records, and
// the views that turn store objects into them (snake_case, secrets reduced to set / not set).
import type { Connection } from '../../core/store/tables/connections';
import type { RejectedRecord } from '../../core/store/tables/rejected-records';
import { nextFireTimes } from '../../core/queue/memory';
import type { Schedule } from '../../core/store/tables/schedules';
import type { RunCost } from '../../core/store/tables/run-costs';
import { isoInZone } from '../../core/util/time';
import { COUNT_COLUMNS, RUN_WARNING_CODES, type RunDirection, type RunMode, type RunStatus, type RunTrigger, type SyncRun } from '../../core/store/tables/sync-runs';
import { ANY_OBJECT, type JsonSchema } from './common';

/** The list of every value of T: it does not compile when one is missing or unknown. */
function everyValueOf<T>() {
  return <const L extends readonly T[]>(list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : never)): L => list;
}

/** The store's run types as schema enums, kept in step with them by the compiler. */
export const RUN_DIRECTIONS = everyValueOf<RunDirection>()(['pull', 'push', 'both']);
export const RUN_MODES = everyValueOf<RunMode>()(['full', 'incremental']);
export const RUN_STATUSES = everyValueOf<RunStatus>()(['queued', 'running', 'succeeded', 'failed', 'canceled']);
const RUN_TRIGGERS = everyValueOf<RunTrigger>()(['manual', 'api', 'cli', 'schedule', 'webhook']);

const TIME = { type: 'string', format: 'date-time' } as const;
const TIME_OR_NULL = { type: ['string', 'null'], format: 'date-time' } as const;

export const connectionSchema = {
  $id: 'Connection',
  type: 'object',
  description: 'A connector plus the settings of one account. Secret settings are never returned: `secrets` says which are set.',
  required: ['id', 'name', 'connector', 'status', 'config', 'secrets', 'authorized', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    connector: { type: 'string', description: 'The connector id.' },
    status: { type: 'string', enum: ['active', 'disabled'] },
    config: { ...ANY_OBJECT, description: 'The non-secret settings.' },
    secrets: { type: 'object', additionalProperties: { type: 'boolean' }, description: 'Each secret setting of the connector: true when it has a value.' },
    authorized: { type: 'boolean', description: 'Whether OAuth2 tokens are stored (after the authorization-code flow, or a first token request).' },
    created_at: TIME,
    updated_at: TIME,
  },
} as const;

export interface ConnectionView {
  id: string;
  name: string;
  connector: string;
  status: string;
  config: Record<string, unknown>;
  secrets: Record<string, boolean>;
  authorized: boolean;
  created_at: string;
  updated_at: string;
}

export function connectionView(c: Connection, secretKeys: readonly string[]): ConnectionView {
  return {
    id: c.id,
    name: c.name,
    connector: c.connectorId,
    status: c.status,
    config: c.config,
    secrets: Object.fromEntries(secretKeys.map((k) => [k, c.secretsSet.includes(k)])),
    authorized: c.hasTokens,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

const NEXT_FIRE_TIMES = 3;

export const scheduleSchema = {
  $id: 'Schedule',
  type: 'object',
  required: ['id', 'name', 'connection_id', 'mapping', 'direction', 'mode', 'cron', 'timezone', 'enabled', 'next_fire_times', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string' },
    name: { type: ['string', 'null'], description: 'A label to tell schedules apart, e.g. `nightly full`.' },
    connection_id: { type: 'string' },
    mapping: { type: ['string', 'null'], description: 'The mapping run; null: every mapping of the connection\'s connector.' },
    direction: { type: 'string', enum: RUN_DIRECTIONS },
    mode: { type: 'string', enum: RUN_MODES },
    cron: { type: 'string' },
    timezone: { type: 'string' },
    enabled: { type: 'boolean' },
    next_fire_times: {
      type: 'array',
      maxItems: NEXT_FIRE_TIMES,
      items: { type: 'string', description: 'ISO-8601 in the schedule\'s time zone, with its offset there (`2026-12-02T02:00:00+01:00`).' },
      description: `The next ${NEXT_FIRE_TIMES} times the schedule fires; empty while it is disabled.`,
    },
    created_at: TIME,
    updated_at: TIME,
  },
} as const;

export function scheduleView(s: Schedule, now = new Date()): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    connection_id: s.connectionId,
    mapping: s.mappingId,
    direction: s.direction,
    mode: s.mode,
    cron: s.cron,
    timezone: s.timezone,
    enabled: s.enabled,
    next_fire_times: s.enabled ? nextFireTimes(s.cron, s.timezone, NEXT_FIRE_TIMES, now).map((d) => isoInZone(d, s.timezone)) : [],
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

const COUNT_NAMES = COUNT_COLUMNS.map((c) => c.replace(/^records_/, ''));

export const runSchema = {
  $id: 'Run',
  type: 'object',
  description: 'A sync run: its status, counts so far, and how it ended.',
  required: ['id', 'connection_id', 'mapping', 'direction', 'mode', 'trigger', 'status', 'attempts', 'cancel_requested', 'counts', 'progress', 'error', 'warnings', 'queued_at', 'started_at', 'finished_at', 'duration_ms'],
  properties: {
    id: { type: 'string' },
    connection_id: { type: 'string' },
    mapping: { type: 'string' },
    direction: { type: 'string', enum: RUN_DIRECTIONS, description: '`both`: a pull, then a push, in one run.' },
    mode: { type: 'string', enum: RUN_MODES },
    trigger: { type: 'string', enum: RUN_TRIGGERS },
    status: { type: 'string', enum: RUN_STATUSES },
    attempts: { type: 'integer' },
    cancel_requested: { type: 'boolean' },
    counts: {
      type: 'object',
      description: 'Records read, created, updated, unchanged, deleted, rejected and skipped (by the stream\'s `filter`); parents skipped (child streams: gone parents); pages, requests and retries.',
      required: COUNT_NAMES,
      properties: Object.fromEntries(COUNT_NAMES.map((n) => [n, { type: 'integer' }])),
    },
    progress: { type: ['object', 'null'], additionalProperties: true, description: 'What the run last reported while running.' },
    error: {
      type: ['object', 'null'],
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
      description: 'Why the run failed (or the last attempt failed), else null.',
    },
    warnings: {
      type: 'array',
      description: 'What a run that succeeded wants known, e.g. `sweep_skipped`: a full run that read far fewer records than the last one (the mapping\'s `sweep_min_ratio`) did not apply its deletions. Empty when there is nothing to say.',
      items: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: RUN_WARNING_CODES, description: 'A stable code.' },
          message: { type: 'string' },
          details: { type: 'object', additionalProperties: true, description: 'The facts behind it (for `sweep_skipped`: `read`, `last_full_run_read`, `last_full_run`, `sweep_min_ratio`).' },
        },
      },
    },
    queued_at: TIME,
    started_at: TIME_OR_NULL,
    finished_at: TIME_OR_NULL,
    duration_ms: { type: ['integer', 'null'], description: 'Wall time so far, or in all once finished; null before it starts.' },
    cost: {
      type: 'object',
      description: 'What the run\'s requests cost (in `GET /runs/{id}`): requests per endpoint, and requests and time spent waiting per rate budget, so you can see which limit the run is bound by.',
      required: ['endpoints', 'budgets', 'bound_by'],
      properties: {
        endpoints: {
          type: 'array',
          description: 'Per endpoint (the method and the path as the connector writes it, e.g. `POST /crm/v3/objects/contacts/search`), most requests first.',
          items: { type: 'object', required: ['endpoint', 'requests', 'retries'], properties: { endpoint: { type: 'string' }, requests: { type: 'integer' }, retries: { type: 'integer' } } },
        },
        budgets: {
          type: 'array',
          description: 'Per budget: `rate_limit` (the connection-wide one), each of `rate_limit.budgets` by name, `concurrency`, and `api` (pauses the API asked for in its headers or 429s); most waiting first.',
          items: { type: 'object', required: ['budget', 'requests', 'wait_ms'], properties: { budget: { type: 'string' }, requests: { type: 'integer' }, wait_ms: { type: 'integer' } } },
        },
        bound_by: { type: ['string', 'null'], description: 'The budget the run waited on most (null when it never waited).' },
      },
    },
  },
} as const;

export function runView(r: SyncRun, cost?: RunCost): Record<string, unknown> {
  return {
    id: r.id,
    connection_id: r.connectionId,
    mapping: r.mappingId,
    direction: r.direction,
    mode: r.mode,
    trigger: r.trigger,
    status: r.status,
    attempts: r.attempts,
    cancel_requested: r.cancelRequested,
    counts: Object.fromEntries(COUNT_COLUMNS.map((c, i) => [COUNT_NAMES[i], r.counts[c]])),
    progress: r.progress,
    error: r.error,
    warnings: r.warnings,
    queued_at: r.queuedAt,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    duration_ms: r.durationMs,
    ...(cost === undefined ? {} : { cost }),
  };
}

export const rejectedSchema = {
  $id: 'RejectedRecord',
  type: 'object',
  description: 'A source record a run kept aside instead of writing, with the reason.',
  required: ['id', 'run_id', 'external_id', 'record', 'code', 'field', 'reason', 'created_at'],
  properties: {
    id: { type: 'integer' },
    run_id: { type: 'string' },
    external_id: { type: ['string', 'null'] },
    record: { description: 'The source record as received.' },
    code: { type: 'string', description: 'e.g. SB_MAPPING_FAILED, SB_DB_INVALID_VALUE.' },
    field: { type: ['string', 'null'] },
    reason: { type: 'string' },
    created_at: TIME,
  },
} as const;

export function rejectedView(r: RejectedRecord): Record<string, unknown> {
  return { id: r.id, run_id: r.runId, external_id: r.externalId, record: r.record, code: r.code, field: r.field, reason: r.reason, created_at: r.createdAt };
}

export const ENGINE_SCHEMAS: readonly JsonSchema[] = [connectionSchema, scheduleSchema, runSchema, rejectedSchema];
