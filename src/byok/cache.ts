/**
 * Each isolate's copy of accounts' BYOK keys (encrypted, as the account object
 * holds them). A copy is only a guess: authorize checks its version, and a stale
 * one is replaced by what the object returns.
 */
import type { ByokKeySet } from '../account/byok-key-store';

const MAX_ACCOUNTS = 10_000;
/** What an isolate assumes of an account it has not seen: no keys (the common case, checked anyway). */
export const NO_KEYS: ByokKeySet = { version: '0', keys: [] };

const sets = new Map<string, ByokKeySet>();

export const byokCache = {
  get(accountId: string): ByokKeySet {
    return sets.get(accountId) ?? NO_KEYS;
  },
  set(accountId: string, set: ByokKeySet): void {
    if (sets.size >= MAX_ACCOUNTS && !sets.has(accountId)) {
      const oldest = sets.keys().next().value;
      if (oldest !== undefined) sets.delete(oldest);
    }
    sets.set(accountId, set);
  },
};
