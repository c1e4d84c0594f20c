/**
 * The rules an API key carries, kept by its account's object (the authority on
 * every request): revocation, expiry, scopes, a model allowlist, and a spend
 * limit per calendar day or month (UTC) or in total. A key's rules are fixed
 * when it is made; only its spend moves.
 *
 * A key made with a key is its child: no wider than its parent, revoked with
 * it, and its spend counts against every limit up its chain, so minting a
 * child never escapes a parent's limit. A key this object has no rules for
 * (made before keys had any) may do everything its account can.
 *
 * Storage is bounded by the account's keys: one rules row per live key, and one
 * spend row per live key with a limit (a revoked key's are deleted; only its id
 * stays, in revoked_keys). A key without a limit costs its charges no write.
 */
import { KEY_SCOPES, type KeyLimit, type KeyPolicy, type KeyRequest, type KeyScope, type LimitPeriod } from '../base/key-rules';

export type KeyRefusal =
  | { ok: false; reason: 'key_revoked' }
  | { ok: false; reason: 'key_expired'; expiredAt: number }
  | { ok: false; reason: 'insufficient_scope'; scope: KeyScope }
  | { ok: false; reason: 'model_not_allowed'; model: string; models: string[] };

/** The limit that binds a request: its key's (or an ancestor's), what is spent in its period and held now, in units. */
export interface KeyLimitFacts {
  limit: KeyLimit;
  spent: number;
  held: number;
  /** When the period ends (ms), or null for a `total` limit. */
  resetsAt: number | null;
}

export type KeyLimitExceeded = { ok: false; reason: 'key_limit_exceeded' } & KeyLimitFacts;

/** What a request of the key may still hold, under the tightest limit up its chain. */
export interface KeyBudget {
  room: number;
  facts: KeyLimitFacts;
}

export type RegisterKeyAnswer =
  | { ok: true; policy: KeyPolicy }
  | { ok: false; reason: 'key_revoked' }
  | { ok: false; reason: 'key_expired'; expiredAt: number }
  | { ok: false; reason: 'wider_than_parent'; param: 'scopes' | 'models' | 'limit' | 'expires_at'; message: string };

/** What a key (with its children) has spent in its limit's current period. */
export interface KeySpend {
  keyId: string;
  spent: number;
}

/** A hold as the limits see it: which key's request holds how much. */
export interface KeyHold {
  keyId: string;
  amount: number;
}

const PERIOD_RANK: Record<LimitPeriod, number> = { day: 0, month: 1, total: 2 };

/** The calendar period (UTC) `at` falls in: `2026-12-01`, `2026-12`, or `total`. Sorts in time order within a kind. */
export function periodOf(period: LimitPeriod, at: number): string {
  if (period === 'total') return 'total';
  const iso = new Date(at).toISOString();
  return period === 'day' ? iso.slice(0, 10) : iso.slice(0, 7);
}

/** When the period `at` falls in ends (ms, UTC), or null for `total`. */
export function periodEnd(period: LimitPeriod, at: number): number | null {
  const date = new Date(at);
  if (period === 'day') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
  if (period === 'month') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  return null;
}

type PolicyRow = {
  key_id: string;
  parent_id: string | null;
  scopes: string;
  models: string | null;
  limit_amount: number | null;
  limit_period: LimitPeriod | null;
  expires_at: number | null;
};

export class KeyPolicies {
  private policies = new Map<string, KeyPolicy>();
  private revoked = new Set<string>();
  /** Each limited key's spend in the latest period charged (for `total`, always the one row). */
  private spend = new Map<string, { period: string; spent: number }>();

  constructor(private readonly storage: DurableObjectStorage) {
    this.load();
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  /** Reads everything again from storage (after a transaction that rolled back). */
  load(): void {
    this.revoked = new Set(this.sql.exec<{ key_id: string }>('SELECT key_id FROM revoked_keys').toArray().map((row) => row.key_id));
    const rows = this.sql.exec<PolicyRow>('SELECT key_id, parent_id, scopes, models, limit_amount, limit_period, expires_at FROM key_policies').toArray();
    this.policies = new Map(rows.map((row) => [row.key_id, fromRow(row)]));
    const spent = this.sql.exec<{ key_id: string; period: string; spent: number }>('SELECT key_id, period, spent FROM key_spend').toArray();
    this.spend = new Map(spent.map((row) => [row.key_id, { period: row.period, spent: row.spent }]));
  }

  isRevoked(keyId: string): boolean {
    return this.revoked.has(keyId);
  }

  /** Why the key may not act now, for a request that needs `scope` (and, for chat, `model`); undefined when it may. */
  refusal(keyId: string, now: number, scope?: KeyScope, model?: string): KeyRefusal | undefined {
    if (this.revoked.has(keyId)) return { ok: false, reason: 'key_revoked' };
    const policy = this.policies.get(keyId);
    if (!policy) return undefined;
    if (policy.expiresAt !== null && policy.expiresAt <= now) return { ok: false, reason: 'key_expired', expiredAt: policy.expiresAt };
    if (scope !== undefined && !policy.scopes.includes(scope)) return { ok: false, reason: 'insufficient_scope', scope };
    if (model !== undefined && policy.models !== null && !policy.models.includes(model)) return { ok: false, reason: 'model_not_allowed', model, models: policy.models };
    return undefined;
  }

  /**
   * What a request of `keyId` may still hold: for each limit up its chain, the
   * limit less what is spent in its period, what that key's requests (its
   * children's included) hold, and what a restart keeps unaccounted; the least
   * of them. Undefined when no limit applies.
   */
  budget(keyId: string, now: number, holdsByKey: () => readonly KeyHold[], unaccounted: number): KeyBudget | undefined {
    let tightest: KeyBudget | undefined;
    let holds: readonly KeyHold[] | undefined;
    for (const policy of this.chain(keyId)) {
      if (!policy.limit) continue;
      holds ??= holdsByKey();
      const held = holds.reduce((sum, hold) => (this.descendsFrom(hold.keyId, policy.keyId) ? sum + hold.amount : sum), 0);
      const spent = this.spentInPeriod(policy.keyId, policy.limit, now);
      const room = policy.limit.amount - spent - held - unaccounted;
      if (!tightest || room < tightest.room) tightest = { room, facts: { limit: policy.limit, spent, held, resetsAt: periodEnd(policy.limit.period, now) } };
    }
    return tightest;
  }

  /** Adds a request's cost to the spend of its key and of every key up its chain that has a limit, in the period it started in (inside the charge's transaction). */
  recordSpend(keyId: string, cost: number, startedAt: number): void {
    if (cost <= 0) return;
    for (const policy of this.chain(keyId)) {
      if (!policy.limit) continue;
      const period = periodOf(policy.limit.period, startedAt);
      const current = this.spend.get(policy.keyId);
      // A late charge of a closed period is not counted in the current one.
      if (current && current.period > period) continue;
      const spent = current?.period === period ? current.spent + cost : cost;
      this.sql.exec('INSERT INTO key_spend (key_id, period, spent) VALUES (?, ?, ?) ON CONFLICT (key_id) DO UPDATE SET period = excluded.period, spent = excluded.spent', policy.keyId, period, spent);
      this.spend.set(policy.keyId, { period, spent });
    }
  }

  /**
   * Records a new key's rules, checked against its parent's in the same step
   * (a parent revoked or expired meanwhile makes no child). A rule the request
   * leaves out is its parent's.
   */
  register(request: KeyRequest, now: number): RegisterKeyAnswer {
    const parent = request.parentId === null ? undefined : this.policies.get(request.parentId);
    if (request.parentId !== null) {
      if (this.revoked.has(request.parentId)) return { ok: false, reason: 'key_revoked' };
      if (parent?.expiresAt != null && parent.expiresAt <= now) return { ok: false, reason: 'key_expired', expiredAt: parent.expiresAt };
    }
    const policy: KeyPolicy = {
      keyId: request.keyId,
      parentId: request.parentId,
      scopes: request.scopes ?? parent?.scopes ?? [...KEY_SCOPES],
      models: request.models ?? parent?.models ?? null,
      limit: request.limit ?? parent?.limit ?? null,
      expiresAt: request.expiresAt ?? parent?.expiresAt ?? null,
    };
    const wider = parent && widerThan(policy, parent);
    if (wider) return { ok: false, reason: 'wider_than_parent', ...wider };
    this.sql.exec(
      'INSERT INTO key_policies (key_id, parent_id, scopes, models, limit_amount, limit_period, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      policy.keyId,
      policy.parentId,
      policy.scopes.join(','),
      policy.models === null ? null : JSON.stringify(policy.models),
      policy.limit?.amount ?? null,
      policy.limit?.period ?? null,
      policy.expiresAt,
      now,
    );
    this.policies.set(policy.keyId, policy);
    return { ok: true, policy };
  }

  /** Drops the rules of a key that was never handed out (its D1 row was refused). */
  forget(keyId: string): void {
    if (this.children(keyId).length > 0) return;
    this.storage.transactionSync(() => {
      this.sql.exec('DELETE FROM key_policies WHERE key_id = ?', keyId);
      this.sql.exec('DELETE FROM key_spend WHERE key_id = ?', keyId);
    });
    this.policies.delete(keyId);
    this.spend.delete(keyId);
  }

  /** Revokes a key and every key under it, for good; returns the ids revoked by this call (the key first). */
  revoke(keyId: string, now: number): string[] {
    const ids = [keyId, ...this.descendants(keyId)].filter((id) => !this.revoked.has(id));
    this.storage.transactionSync(() => {
      for (const id of ids) {
        this.sql.exec('INSERT OR IGNORE INTO revoked_keys (key_id, revoked_at) VALUES (?, ?)', id, now);
        this.sql.exec('DELETE FROM key_policies WHERE key_id = ?', id);
        this.sql.exec('DELETE FROM key_spend WHERE key_id = ?', id);
      }
    });
    for (const id of ids) {
      this.revoked.add(id);
      this.policies.delete(id);
      this.spend.delete(id);
    }
    return ids;
  }

  /** Each limited key's spend in its limit's current period (0 when none yet); other keys are not listed. */
  spending(keyIds: readonly string[], now: number): KeySpend[] {
    return keyIds.flatMap((keyId) => {
      const policy = this.policies.get(keyId);
      return policy?.limit ? [{ keyId, spent: this.spentInPeriod(policy.keyId, policy.limit, now) }] : [];
    });
  }

  private spentInPeriod(keyId: string, limit: KeyLimit, now: number): number {
    const current = this.spend.get(keyId);
    return current?.period === periodOf(limit.period, now) ? current.spent : 0;
  }

  /** The key's rules and its ancestors', the key first (a key without rules has none). */
  private *chain(keyId: string): Generator<KeyPolicy> {
    for (let policy = this.policies.get(keyId); policy; policy = policy.parentId === null ? undefined : this.policies.get(policy.parentId)) yield policy;
  }

  private descendsFrom(keyId: string, ancestorId: string): boolean {
    for (const policy of this.chain(keyId)) if (policy.keyId === ancestorId) return true;
    return false;
  }

  private children(keyId: string): string[] {
    return [...this.policies.values()].filter((policy) => policy.parentId === keyId).map((policy) => policy.keyId);
  }

  private descendants(keyId: string): string[] {
    const found: string[] = [];
    for (let frontier = this.children(keyId); frontier.length > 0; frontier = frontier.flatMap((id) => this.children(id))) found.push(...frontier);
    return found;
  }
}

/** Which rule of a child is wider than its parent's, and why; undefined when none is. */
function widerThan(child: KeyPolicy, parent: KeyPolicy): { param: 'scopes' | 'models' | 'limit' | 'expires_at'; message: string } | undefined {
  const extraScope = child.scopes.find((scope) => !parent.scopes.includes(scope));
  if (extraScope) return { param: 'scopes', message: `A key can only make keys within its own scopes (${parent.scopes.join(', ')}); '${extraScope}' is not one of them.` };
  if (parent.models !== null) {
    const extra = child.models === null ? 'every model' : child.models.find((model) => !parent.models!.includes(model));
    if (extra) return { param: 'models', message: `A key can only make keys within its own models (${parent.models.join(', ')}); ${extra === 'every model' ? 'not for every model' : `'${extra}' is not one of them`}.` };
  }
  if (parent.limit !== null && child.limit !== null) {
    if (child.limit.amount > parent.limit.amount || PERIOD_RANK[child.limit.period] < PERIOD_RANK[parent.limit.period]) {
      return { param: 'limit', message: `A key's limit can be no wider than its parent's: at most the same amount, over the same period or a longer one (the parent's is per ${parent.limit.period}).` };
    }
  }
  if (parent.expiresAt !== null && (child.expiresAt === null || child.expiresAt > parent.expiresAt)) {
    return { param: 'expires_at', message: `A key can only make keys that expire no later than it does (${new Date(parent.expiresAt).toISOString()}).` };
  }
  return undefined;
}

function fromRow(row: PolicyRow): KeyPolicy {
  return {
    keyId: row.key_id,
    parentId: row.parent_id,
    scopes: row.scopes.split(',').filter((scope): scope is KeyScope => (KEY_SCOPES as readonly string[]).includes(scope)),
    models: row.models === null ? null : (JSON.parse(row.models) as string[]),
    limit: row.limit_amount === null || row.limit_period === null ? null : { amount: row.limit_amount, period: row.limit_period },
    expiresAt: row.expires_at,
  };
}
