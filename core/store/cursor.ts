// Opaque keyset-pagination cursors: the sort, direction and the last row's key, base64url JSON.
import { SwitchboardError } from '../errors';

export interface CursorKey {
  sort: string;
  order: 'asc' | 'desc';
  /** The last row's value of the sort column (absent when sorting by id alone). */
  value?: string | number | null;
  id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.sort, key.order, key.value ?? null, key.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, sort: string, order: 'asc' | 'desc'): CursorKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || typeof parsed[3] !== 'string') {
    throw new SwitchboardError('SB_DB_INVALID_CURSOR', 'the cursor is not one this list issued');
  }
  const [s, o, value, id] = parsed as [unknown, unknown, unknown, string];
  if (s !== sort || o !== order) {
    throw new SwitchboardError('SB_DB_INVALID_CURSOR', `the cursor was issued for sort=${String(s)} order=${String(o)}, not sort=${sort} order=${order}`);
  }
  if (value !== null && typeof value !== 'string' && typeof value !== 'number') {
    throw new SwitchboardError('SB_DB_INVALID_CURSOR', 'the cursor is not one this list issued');
  }
  return { sort, order, value, id };
}
