// The CRM store: opening the database, migrations, the CRM repository and the engine's tables.
export { openDatabase, resolveDatabaseTarget, dialectOf, inTransaction, redactUrl, DEFAULT_SQLITE_FILE, type Db, type Dialect, type DatabaseTarget } from './db';
export { migrate, pendingMigrations, rollbackAll, MIGRATIONS_TABLE } from './migrate';
export { ENTITIES, ENTITY_NAMES, isEntityName, type EntityName, type FieldSpec, type FieldType } from './entities';
export * as crm from './crm';
export * as connections from './tables/connections';
export * as schedules from './tables/schedules';
export * as recordLinks from './tables/record-links';
export * as pendingRefs from './tables/pending-refs';
export * as syncState from './tables/sync-state';
export * as syncRuns from './tables/sync-runs';
export * as rejectedRecords from './tables/rejected-records';
export * as changeOutbox from './tables/change-outbox';
export * as apiClients from './tables/api-clients';
