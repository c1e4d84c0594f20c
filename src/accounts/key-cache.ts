/**
 * Which account a key belongs to never changes, nor do the models it may use, so
 * an isolate keeps that mapping (key hash → identity) and skips D1 on the hot path.
 * Whether the key is still usable is not cached: the account's Durable Object
 * answers that on every request.
 */
import { BoundedMap } from '../base/bounded-map';
import type { AuthenticatedKey } from '../env';

const MAX_ENTRIES = 10_000;

export interface CachedKey extends AuthenticatedKey {
  /** When this isolate last recorded the key's use in D1 (a hint for humans, written sparingly). */
  lastUsedAt: number | null;
}

export class KeyCache {
  private readonly entries = new BoundedMap<string, CachedKey>(MAX_ENTRIES);

  get(hash: string): CachedKey | undefined {
    return this.entries.get(hash);
  }

  set(hash: string, key: CachedKey): void {
    this.entries.set(hash, key);
  }

  deleteKeyId(keyId: string): void {
    this.entries.deleteWhere((entry) => entry.keyId === keyId);
  }
}

export const keyCache = new KeyCache();
