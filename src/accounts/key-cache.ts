/**
 * Which account a key belongs to never changes, so an isolate keeps that mapping
 * (key hash → identity) and skips D1 on the hot path. Whether the key is still
 * usable is not cached: the account's Durable Object answers that on every request.
 */
import type { AuthenticatedKey } from '../env';

const MAX_ENTRIES = 10_000;

export interface CachedKey extends AuthenticatedKey {
  /** When this isolate last recorded the key's use in D1 (a hint for humans, written sparingly). */
  lastUsedAt: number | null;
}

export class KeyCache {
  private readonly entries = new Map<string, CachedKey>();

  get(hash: string): CachedKey | undefined {
    return this.entries.get(hash);
  }

  set(hash: string, key: CachedKey): void {
    if (this.entries.size >= MAX_ENTRIES && !this.entries.has(hash)) {
      // Drop the oldest entry (a Map iterates in insertion order).
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(hash, key);
  }

  deleteKeyId(keyId: string): void {
    for (const [hash, entry] of this.entries) if (entry.keyId === keyId) this.entries.delete(hash);
  }
}

export const keyCache = new KeyCache();
