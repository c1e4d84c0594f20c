/**
 * Each isolate's copy of accounts' BYOK keys (encrypted, as the account object
 * holds them). A copy is only a guess: authorize checks its version, and a stale
 * one is replaced by what the object returns.
 */
import type { ByokKeySet } from '../account/byok-key-store';
import { BoundedMap } from '../base/bounded-map';

const MAX_ACCOUNTS = 10_000;
/** What an isolate assumes of an account it has not seen: no keys (the common case, checked anyway). */
export const NO_KEYS: ByokKeySet = { version: '0', keys: [] };

const sets = new BoundedMap<string, ByokKeySet>(MAX_ACCOUNTS);

export const byokCache = {
  get(accountId: string): ByokKeySet {
    return sets.get(accountId) ?? NO_KEYS;
  },
  set(accountId: string, set: ByokKeySet): void {
    sets.set(accountId, set);
  },
};
