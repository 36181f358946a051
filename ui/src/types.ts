// The API's resources as the console reads them (the OpenAPI document's components).
export interface SessionInfo {
  user: { id: string; username: string; role: 'admin' | 'viewer' };
  scopes: string[];
  csrf_token: string;
  expires_at: string;
}

export interface ConnectorSummary {
  id: string;
  name: string;
  description?: string;
  auth: string;
  streams: string[];
  incremental: string[];
  actions: string[];
  webhooks: boolean;
}

export interface MappingSummary {
  id: string;
  connector: string;
  stream: string;
  entity: string;
  push: boolean;
}

export interface JsonSchemaProp {
  type?: string | string[];
  description?: string;
  secret?: boolean;
  enum?: unknown[];
  default?: unknown;
  pattern?: string;
  format?: string;
}

export interface ConnectorDefinition {
  id: string;
  name: string;
  config_schema?: { required?: string[]; properties?: Record<string, JsonSchemaProp> };
  auth?: { type: string; grant?: string };
  streams?: Record<string, { description?: string; primary_key?: string; incremental?: unknown }>;
}

export interface Connection {
  id: string;
  name: string;
  connector: string;
  status: 'active' | 'disabled';
  config: Record<string, unknown>;
  secrets: Record<string, boolean>;
  authorized: boolean;
  created_at: string;
  updated_at: string;
}

export interface Schedule {
  id: string;
  name: string | null;
  connection_id: string;
  mapping: string | null;
  direction: string;
  mode: 'full' | 'incremental';
  cron: string;
  timezone: string;
  enabled: boolean;
  next_fire_times: string[];
}

export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';

export interface Run {
  id: string;
  connection_id: string;
  mapping: string;
  direction: string;
  mode: 'full' | 'incremental';
  trigger: string;
  status: RunStatus;
  attempts: number;
  cancel_requested: boolean;
  counts: Record<string, number>;
  progress: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface RejectedRecord {
  id: number;
  external_id: string | null;
  record: unknown;
  code: string;
  field: string | null;
  reason: string;
  created_at: string;
}

export interface Problem {
  file: string;
  line: number;
  column: number;
  pointer: string;
  message: string;
  hint?: string;
}

export interface PreviewResult {
  mapping: string;
  entity: string;
  rows: Array<{ index: number; external_id: string | null; values: Record<string, unknown>; refs: Array<{ field: string; entity: string; external_id: string }> }>;
  errors: Array<{ index: number; external_id: string | null; code: string; field: string | null; reason: string }>;
}

export interface ReadResult {
  connection: string;
  stream: string;
  records: unknown[];
  pages: number;
  requests: number;
  more: boolean;
  duration_ms: number;
}

export const ACTIVE: readonly RunStatus[] = ['queued', 'running'];
