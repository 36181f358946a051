// Time-ordered ids (UUIDv7, RFC 9562): sortable by creation time, unique across processes.
import { randomFillSync } from 'node:crypto';

// Random bytes come from a pool refilled 4 KiB at a time: one system call per 256 ids.
const pool = Buffer.allocUnsafe(4096);
let poolOffset = pool.length;

function randomInto(target: Buffer): void {
  if (poolOffset + target.length > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  pool.copy(target, 0, poolOffset, poolOffset + target.length);
  poolOffset += target.length;
}

let lastMs = 0;
let seq = 0;

/**
 * A new UUIDv7. Within one millisecond the 12-bit `rand_a` field counts up from a random
 * start (RFC 9562 method 1), so ids made by one process are strictly increasing.
 */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    seq = Math.floor(Math.random() * 0x800); // leave room to count up
  } else {
    seq += 1;
    if (seq > 0xfff) {
      // 4096 ids in one millisecond: borrow the next millisecond rather than repeat.
      lastMs += 1;
      seq = 0;
    }
  }
  const bytes = Buffer.allocUnsafe(16);
  randomInto(bytes);
  const ms = lastMs;
  bytes[0] = Math.floor(ms / 2 ** 40) & 0xff;
  bytes[1] = Math.floor(ms / 2 ** 32) & 0xff;
  bytes[2] = (ms >>> 24) & 0xff;
  bytes[3] = (ms >>> 16) & 0xff;
  bytes[4] = (ms >>> 8) & 0xff;
  bytes[5] = ms & 0xff;
  bytes[6] = 0x70 | ((seq >>> 8) & 0x0f);
  bytes[7] = seq & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}
