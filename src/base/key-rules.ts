/**
 * What an API key may do, as it is made (PRODUCT "Keys and access"): its scopes,
 * the models it may use, a spend limit per calendar period (UTC), an expiry, and
 * the key that made it. The account's object enforces them (account/key-policies.ts).
 */

/** `inference`: chat, models, balance, billing logs, the recharges list. `manage`: keys, provider keys, recharges. */
export const KEY_SCOPES = ['inference', 'manage'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

export const LIMIT_PERIODS = ['day', 'month', 'total'] as const;
export type LimitPeriod = (typeof LIMIT_PERIODS)[number];

/** A spend limit: `amount` in units (1e-8 USD) per calendar `period`. */
export interface KeyLimit {
  amount: number;
  period: LimitPeriod;
}

export interface KeyRules {
  scopes: KeyScope[];
  /** The only model ids the key may use; null = every model. */
  models: string[] | null;
  limit: KeyLimit | null;
  /** When the key stops working (ms); null = never. */
  expiresAt: number | null;
}

export interface KeyPolicy extends KeyRules {
  keyId: string;
  /** The key that made this one (null: made in the dashboard or by the operator). */
  parentId: string | null;
}

/** What a new key asks for: a rule left out is its parent's (or, without a parent, none). */
export type KeyRequest = { keyId: string; parentId: string | null } & Partial<KeyRules>;
