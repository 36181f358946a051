// Reads of single CRM records, coalesced: while one query for an entity is in flight, the
// requests that arrive wait and are answered together by the next one (`id IN (...)`). On
// SQLite, whose one connection serializes queries, this is what lets concurrent GETs scale.
// Each request is answered by a query that started after it arrived, so it sees every write
// committed before it.
import type { Db } from '../core/store/db';
import * as crm from '../core/store/crm';
import type { EntityName } from '../core/store/entities';

/** Longest batch: the repository lists at most 1000 records at once. */
const MAX_BATCH = 1000;
/** Record ids are at most 36 characters; longer ones cannot exist (and must not fail a batch). */
const MAX_ID_LENGTH = 36;

interface Waiter {
  resolve(record: crm.EntityRecord | undefined): void;
  reject(err: unknown): void;
}

export class RecordLoader {
  readonly #queues = new Map<EntityName, Map<string, Waiter[]>>();
  readonly #busy = new Set<EntityName>();

  constructor(private readonly db: Db) {}

  /** The record, or undefined when there is none (or it is soft-deleted). */
  find(entity: EntityName, id: string): Promise<crm.EntityRecord | undefined> {
    if (id.length === 0 || id.length > MAX_ID_LENGTH) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      let queue = this.#queues.get(entity);
      if (queue === undefined) this.#queues.set(entity, (queue = new Map()));
      const waiters = queue.get(id);
      if (waiters === undefined) queue.set(id, [{ resolve, reject }]);
      else waiters.push({ resolve, reject });
      if (!this.#busy.has(entity)) void this.#flush(entity);
    });
  }

  async #flush(entity: EntityName): Promise<void> {
    this.#busy.add(entity);
    try {
      for (;;) {
        const queue = this.#queues.get(entity);
        if (queue === undefined || queue.size === 0) return;
        const batch = new Map<string, Waiter[]>();
        for (const [id, waiters] of queue) {
          if (batch.size >= MAX_BATCH) break;
          batch.set(id, waiters);
          queue.delete(id);
        }
        try {
          const ids = [...batch.keys()];
          const found =
            ids.length === 1
              ? await crm.find(this.db, entity, ids[0]!).then((r) => (r === undefined ? [] : [r]))
              : (await crm.list(this.db, entity, { filter: { id: { in: ids } }, limit: ids.length })).items;
          const byId = new Map(found.map((r) => [r.id, r]));
          for (const [id, waiters] of batch) for (const w of waiters) w.resolve(byId.get(id));
        } catch (err) {
          for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
        }
      }
    } finally {
      this.#busy.delete(entity);
    }
  }
}
