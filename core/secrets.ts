// Secrets at rest: AES-256-GCM under SWITCHBOARD_SECRET_KEY (or a key generated into the data
// folder on first use, with a warning). Plaintext secrets exist only in memory.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SwitchboardError } from './errors';

const VERSION = 'v1';
export const KEY_FILE = 'data/secret.key';

/** Parses a 32-byte key given as 64 hex characters or base64. */
export function parseKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new SwitchboardError('SB_SECRET_KEY_INVALID', 'SWITCHBOARD_SECRET_KEY must be 32 bytes: 64 hex characters or 44 base64 characters (e.g. `openssl rand -hex 32`)');
  }
  return key;
}

export interface KeySource {
  key: Buffer;
  /** Where it came from: the environment, an existing key file, or a key file just created. */
  origin: 'env' | 'file' | 'generated';
  file?: string;
}

/** The key given (SWITCHBOARD_SECRET_KEY, see core/config.ts), else from (or newly written to) `data/secret.key`. */
export function loadKey(secretKey: string | undefined, cwd = process.cwd()): KeySource {
  if (secretKey !== undefined && secretKey !== '') return { key: parseKey(secretKey), origin: 'env' };
  const file = resolve(cwd, KEY_FILE);
  if (existsSync(file)) return { key: parseKey(readFileSync(file, 'utf8')), origin: 'file', file };
  const key = randomBytes(32);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { key, origin: 'generated', file };
}

/** Seals and opens JSON values with one key. */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new SwitchboardError('SB_SECRET_KEY_INVALID', 'the secret key must be 32 bytes');
    this.#key = key;
  }

  seal(value: unknown): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  open<T = unknown>(sealed: string): T {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== VERSION || iv === undefined || tag === undefined || data === undefined) {
      throw new SwitchboardError('SB_SECRET_DECRYPT_FAILED', 'stored secrets are not in a known format');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      const text = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
      return JSON.parse(text) as T;
    } catch (err) {
      throw new SwitchboardError('SB_SECRET_DECRYPT_FAILED', 'stored secrets cannot be decrypted with the current SWITCHBOARD_SECRET_KEY', { cause: err });
    }
  }

  /**
   * A 32-byte key for another purpose (e.g. signing API tokens), derived with HKDF-SHA256, so
   * one secret configures everything while the box's own key never leaves it.
   */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), `switchboard:${purpose}`, 32));
  }

  /** Never print the key. */
  toJSON(): string {
    return '[SecretBox]';
  }
}
