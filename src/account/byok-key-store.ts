/**
 * The account's registered provider keys (BYOK), kept in its Durable Object:
 * encrypted (see byok/crypto.ts), mirrored in memory, and versioned so
 * that a worker's cached copy is checked on every authorize — a key registered
 * or removed is seen by the very next request, in every isolate.
 */
import { randomHex } from '../base/ids';
import type { ProviderId } from '../base/provider-id';

/** A provider key as sealed by byok/crypto.ts: this object stores it, never opens it. */
export interface EncryptedKey {
  ciphertext: string;
  iv: string;
  keyVersion: number;
}

export interface StoredByokKey extends EncryptedKey {
  id: string;
  provider: ProviderId;
  name: string;
  /** What the owner sees: `sk-…a1b2`. */
  hint: string;
  createdAt: number;
  lastUsedAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  /** When its provider refuses it (auth, balance), the request is served in standard mode from credits instead of a 400. */
  fallbackToCredits: boolean;
}

/** What a worker caches: the keys and the version they were read at. Version "0" = no keys. */
export interface ByokKeySet {
  version: string;
  keys: StoredByokKey[];
}

/** Last-used times are written at most this often per key. */
const LAST_USED_PRECISION_MS = 60 * 60_000;

type Row = {
  id: string;
  provider: string;
  name: string;
  hint: string;
  ciphertext: string;
  iv: string;
  key_version: number;
  created_at: number;
  last_used_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  fallback_to_credits: number;
};

export class ByokKeyStore {
  private keys: StoredByokKey[];
  /** Distinguishes this object's lifetime, so a version from before a restart never matches. */
  private readonly epoch = randomHex(4);
  private changes = 0;

  constructor(private readonly sql: SqlStorage) {
    this.keys = sql
      .exec<Row>('SELECT * FROM byok_keys ORDER BY created_at, id')
      .toArray()
      .map((row) => ({
        id: row.id,
        provider: row.provider as ProviderId,
        name: row.name,
        hint: row.hint,
        ciphertext: row.ciphertext,
        iv: row.iv,
        keyVersion: row.key_version,
        createdAt: row.created_at,
        lastUsedAt: row.last_used_at,
        lastError: row.last_error,
        lastErrorAt: row.last_error_at,
        fallbackToCredits: row.fallback_to_credits === 1,
      }));
  }

  get version(): string {
    return this.keys.length === 0 ? '0' : `${this.epoch}.${this.changes}`;
  }

  snapshot(): ByokKeySet {
    return { version: this.version, keys: this.keys.map((key) => ({ ...key })) };
  }

  add(key: StoredByokKey): void {
    this.sql.exec(
      'INSERT INTO byok_keys (id, provider, name, hint, ciphertext, iv, key_version, created_at, fallback_to_credits) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      key.id,
      key.provider,
      key.name,
      key.hint,
      key.ciphertext,
      key.iv,
      key.keyVersion,
      key.createdAt,
      key.fallbackToCredits ? 1 : 0,
    );
    this.keys.push({ ...key, lastUsedAt: null, lastError: null, lastErrorAt: null });
    this.changes += 1;
  }

  remove(id: string): boolean {
    const before = this.keys.length;
    this.sql.exec('DELETE FROM byok_keys WHERE id = ?', id);
    this.keys = this.keys.filter((key) => key.id !== id);
    this.changes += 1;
    return this.keys.length < before;
  }

  /** The provider refused the key: kept (the owner decides), shown with the error, used last. */
  recordError(id: string, error: string, now: number): void {
    const key = this.keys.find((candidate) => candidate.id === id);
    if (!key) return;
    this.sql.exec('UPDATE byok_keys SET last_error = ?, last_error_at = ? WHERE id = ?', error, now, id);
    Object.assign(key, { lastError: error, lastErrorAt: now });
    this.changes += 1;
  }

  /** A successful use clears the error; the time is written at most once an hour. */
  recordUse(id: string, now: number): void {
    const key = this.keys.find((candidate) => candidate.id === id);
    if (!key) return;
    if (key.lastError === null && key.lastUsedAt !== null && now - key.lastUsedAt < LAST_USED_PRECISION_MS) return;
    const hadError = key.lastError !== null;
    this.sql.exec('UPDATE byok_keys SET last_used_at = ?, last_error = NULL, last_error_at = NULL WHERE id = ?', now, id);
    Object.assign(key, { lastUsedAt: now, lastError: null, lastErrorAt: null });
    if (hadError) this.changes += 1;
  }

  /** Replaces a key's ciphertext (master key rotation). */
  reseal(id: string, sealed: EncryptedKey): void {
    const key = this.keys.find((candidate) => candidate.id === id);
    if (!key) return;
    this.sql.exec('UPDATE byok_keys SET ciphertext = ?, iv = ?, key_version = ? WHERE id = ?', sealed.ciphertext, sealed.iv, sealed.keyVersion, id);
    Object.assign(key, sealed);
    this.changes += 1;
  }
}

/** The key a request uses for a provider: the newest without an error, else the newest. */
export function chooseKey(keys: StoredByokKey[], provider: ProviderId): StoredByokKey | undefined {
  const forProvider = keys.filter((key) => key.provider === provider).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  return forProvider.find((key) => key.lastError === null) ?? forProvider[0];
}
