/**
 * Whether a request may start, and what it holds until it is charged: the
 * rate limit, the key's spend limit, the BYOK month's free requests, then funds
 * (the key's own rules are key-policies.ts's, asked first by the object).
 *
 * A hold is a limit, not money, so it lives in the object's memory only (the
 * object is the only writer): admitting a request writes nothing, not even an
 * alarm. A live request renews its hold every HOLD_RENEW_MS; a hold left
 * unrenewed for three periods (its worker died) is released the next time
 * anything asks what is held (`sweep`): until then it holds back only an
 * object nobody is asking. What a restart loses is
 * bounded by the restart guard: every ledger row records the total in flight
 * when it was written, and for three renew periods after a start the object
 * keeps that total out of what it admits, while the requests that held it
 * renew (re-creating their holds) or are charged.
 */
import { retryAfterSeconds } from '../base/retry-after';
import type { Config } from '../env';
import type { RequestContext } from '../billing/billing-log';
import type { AccountLedger } from './account-ledger';
import { decideHold, type HoldDecision, type HoldRequest, type InsufficientCredits } from './hold-size';
import { periodOf, type KeyBudget, type KeyHold, type KeyLimitExceeded } from './key-policies';
import { logWarn } from '../base/log';

const MINUTE_MS = 60_000;
/** A hold unrenewed for this many periods belongs to a request that died. */
export const HOLD_LIFETIME_PERIODS = 3;
/** How often (at most) the holds are swept for ones left unrenewed: a sweep walks them all. */
const SWEEP_EVERY_MS = 1_000;

export type AuthorizeDecision =
  /**
   * `byokFree`: a BYOK request within the month's free requests (it holds and costs nothing).
   * `maxTokens`: the output limit granted to a request whose terms carry no max_tokens (hold-size.ts).
   */
  | { ok: true; balance: number; reserved: number; replay: boolean; byokFree?: boolean; maxTokens?: number }
  | RateLimited
  | KeyLimitExceeded
  | ({ ok: false; reason: 'insufficient_credits' } & InsufficientCredits);

/**
 * What to hold: a fixed `amount` in units, or a chat request's `terms`, sized here from the balance
 * available at admission (for BYOK, at the routing fee; held only past the free tier).
 */
export type AuthorizeInput = HoldRequest & {
  requestId: string;
  context: RequestContext;
  now: number;
};

export type RateLimited = { ok: false; reason: 'rate_limited'; retryAfterSeconds: number; limit: number };

/** The configuration admission reads (the object's own vars). */
export type AdmissionConfig = Pick<Config, 'rateLimitPerMinute' | 'holdRenewMs' | 'byokFreeRequestsPerMonth'>;

/** `YYYY-MM` in UTC: the BYOK counter's key, so a new month starts at zero with no reset job. */
export const utcMonth = (now: number): string => periodOf('month', now);

interface Hold {
  amount: number;
  /** The key whose request it is: its spend limit (and its parents') counts the hold. */
  keyId: string;
  /** The object's clock when the request last renewed it (or was admitted). */
  renewedAt: number;
  /** A BYOK request's month: it counts toward that month's free requests until its charge records it. */
  byokMonth?: string;
}

/** What a restarted object keeps out of admission until the requests it forgot have renewed or been charged. */
interface RestartGuard {
  until: number;
  unaccounted: number;
}

export class RequestHolds {
  private readonly held = new Map<string, Hold>();
  private reservedNow = 0;
  private guard: RestartGuard | undefined;
  private rateLimitOverride: number | null = null;
  /** The rate window lives in memory only: a restarted object forgets at most one minute's count. */
  private window = { minute: 0, count: 0 };
  private nextSweepAt = 0;

  /**
   * `inFlightAtLastWrite`: what the last ledger row recorded as in flight (plus
   * holds an older version left in storage); a restart cannot know more.
   */
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly ledger: AccountLedger,
    private readonly config: () => AdmissionConfig,
    private readonly clock: () => number,
    inFlightAtLastWrite: number,
  ) {
    this.load();
    if (inFlightAtLastWrite > 0) this.guard = { until: clock() + HOLD_LIFETIME_PERIODS * config().holdRenewMs, unaccounted: inFlightAtLastWrite };
    ledger.recordInFlight(() => this.inFlight());
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  /** The durable part: the operator's rate limit (reloaded if a transaction fails). */
  private load(): void {
    this.rateLimitOverride = this.sql.exec<{ rate_limit_per_minute: number | null }>('SELECT rate_limit_per_minute FROM account_state WHERE id = 1').toArray()[0]?.rate_limit_per_minute ?? null;
  }

  /**
   * Releases the holds left unrenewed for three periods, at most once a second: called before
   * anything reads or takes from what is held (admission, a raise, a renewal, the summary).
   */
  sweep(): void {
    const now = this.clock();
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + SWEEP_EVERY_MS;
    const released = this.expire(now);
    // Nothing is known of what they delivered: a charge that still comes is charged then, at its real cost.
    if (released.length > 0) logWarn('holds.released', { message: 'holds left unrenewed were released', count: released.length, requestIds: released });
  }

  /** Units held by the requests this object knows of. */
  get reserved(): number {
    return this.reservedNow;
  }

  /** Units kept out of admission for requests a restart made it forget (zero once the guard has passed). */
  guarded(now = this.clock()): number {
    if (this.guard && now >= this.guard.until) this.guard = undefined;
    return this.guard?.unaccounted ?? 0;
  }

  /** What every ledger row records: the total a restart must keep out of admission. */
  inFlight(): number {
    return this.reservedNow + this.guarded();
  }

  /** The balance no one holds: what a new request, a raise or an overrun may take. */
  free(): number {
    return Math.max(0, this.ledger.balance - this.reservedNow - this.guarded());
  }

  get rateLimitPerMinute(): number | null {
    return this.rateLimitOverride;
  }

  openHolds(): number {
    return this.held.size;
  }

  /** Counts a request of the account in the one-minute window (every /v1 request: chat here in authorize, the rest in keyState). */
  countRequest(now: number): RateLimited | undefined {
    const minute = Math.floor(now / MINUTE_MS);
    const limit = this.rateLimitOverride ?? this.config().rateLimitPerMinute;
    const used = this.window.minute === minute ? this.window.count : 0;
    if (used >= limit) return { ok: false, reason: 'rate_limited', limit, retryAfterSeconds: retryAfterSeconds((minute + 1) * MINUTE_MS - now) };
    this.window = { minute, count: used + 1 };
    return undefined;
  }

  holdOf(requestId: string): number | undefined {
    return this.held.get(requestId)?.amount;
  }

  /** The key whose request holds `requestId`, if it is held. */
  keyOf(requestId: string): string | undefined {
    return this.held.get(requestId)?.keyId;
  }

  /** Every hold, by key: what the keys' spend limits count. */
  byKey(): KeyHold[] {
    return [...this.held.values()].map((hold) => ({ keyId: hold.keyId, amount: hold.amount }));
  }

  /**
   * Rate limit, the key's spend limit (`budget`: the room under it, when it has one), then funds;
   * on success the worst case is held until the charge or expiry.
   */
  authorize(input: AuthorizeInput, budget?: KeyBudget): AuthorizeDecision {
    const config = this.config();
    if (this.held.has(input.requestId) || this.ledger.find('usage', input.requestId)) {
      // The same output limit as first granted: the most that the amount still held covers.
      const grant = decideHold(input, this.held.get(input.requestId)?.amount ?? 0);
      const maxTokens = grant.ok && grant.maxTokens !== undefined ? { maxTokens: grant.maxTokens } : {};
      return { ok: true, balance: this.ledger.balance, reserved: this.reservedNow, replay: true, ...maxTokens };
    }

    const limited = this.countRequest(input.now);
    if (limited) return limited;
    // A key at its limit is refused whatever the request would cost (even a free one).
    if (budget && budget.room <= 0) return { ok: false, reason: 'key_limit_exceeded', ...budget.facts };

    // BYOK: the month's first requests are free (nothing held); past them the routing fee is held like a charge.
    const byokMonth = input.context.mode === 'byok' ? utcMonth(input.now) : undefined;
    const byokFree = byokMonth !== undefined && this.byokRequests(input.now).requests < config.byokFreeRequestsPerMonth;
    // The output limit and its hold are sized against what is available now, in this same step.
    // The key's limit is held like credits: a hold fits under both, so concurrent requests cannot overshoot either.
    const credits = this.ledger.balance - this.reservedNow - this.guarded();
    const available = budget ? Math.min(credits, budget.room) : credits;
    const hold: HoldDecision = byokFree ? { ok: true, amount: 0 } : decideHold(input, available);
    if (!hold.ok) {
      if (budget && budget.room < credits) return { ok: false, reason: 'key_limit_exceeded', ...budget.facts };
      return { ok: false, reason: 'insufficient_credits', ...hold.refusal };
    }
    this.hold(input.requestId, hold.amount, input.context.keyId, byokMonth);
    const granted = hold.maxTokens !== undefined ? { maxTokens: hold.maxTokens } : {};
    return { ok: true, balance: this.ledger.balance, reserved: this.reservedNow, replay: false, ...(byokMonth ? { byokFree } : {}), ...granted };
  }

  /**
   * Keeps a live request's hold from expiring. A hold this object does not know
   * (it restarted, or released it unrenewed) is held again, as far as the guard
   * kept it out of admission or the free balance covers it: never from other
   * requests' holds. Returns whether the hold was still there.
   */
  renew(requestId: string, amount: number, keyId: string): boolean {
    this.sweep();
    const hold = this.held.get(requestId);
    if (hold) {
      hold.renewedAt = this.clock();
      return true;
    }
    if (!this.ledger.find('usage', requestId)) this.hold(requestId, this.reclaim(amount), keyId, undefined);
    return false;
  }

  /**
   * Raises an open hold to `amount` (failover to a pricier model) if the free balance covers the
   * difference, and the room under its key's limit (`room`, which already counts this hold) does.
   */
  raiseHold(requestId: string, amount: number, keyId: string, room = Number.POSITIVE_INFINITY): { ok: boolean; reserved: number } {
    if (!this.held.has(requestId)) this.renew(requestId, amount, keyId);
    const hold = this.held.get(requestId);
    if (!hold) return { ok: false, reserved: this.reservedNow };
    hold.renewedAt = this.clock();
    if (amount <= hold.amount) return { ok: true, reserved: this.reservedNow };
    if (amount - hold.amount > Math.min(this.free(), room)) return { ok: false, reserved: this.reservedNow };
    this.reservedNow += amount - hold.amount;
    hold.amount = amount;
    return { ok: true, reserved: this.reservedNow };
  }

  /** A BYOK request served standard after all (standard-fallback.ts): no longer one of the month's. */
  leaveByokMonth(requestId: string): void {
    const hold = this.held.get(requestId);
    if (hold) delete hold.byokMonth;
  }

  /**
   * What a request being charged may take beyond the free balance: its own hold,
   * or for a request this object forgot, what the restart guard kept for it.
   * Call `release` once the charge is written.
   */
  claim(requestId: string, held: number): { own: number; byokMonth: string | undefined } {
    const hold = this.held.get(requestId);
    if (hold) return { own: hold.amount, byokMonth: hold.byokMonth };
    return { own: Math.min(held, this.guarded()), byokMonth: undefined };
  }

  /** Drops a request's hold (charged, or failed), or what the guard kept for it when the object forgot it. */
  release(requestId: string, held: number): void {
    const hold = this.held.get(requestId);
    if (hold) {
      this.held.delete(requestId);
      this.reservedNow -= hold.amount;
    } else if (this.guard) {
      this.guard.unaccounted -= Math.min(held, this.guard.unaccounted);
    }
  }

  /** Releases the holds left unrenewed for three periods; returns their request ids. */
  expire(now = this.clock()): string[] {
    const bound = now - HOLD_LIFETIME_PERIODS * this.config().holdRenewMs;
    const expired = [...this.held].filter(([, hold]) => hold.renewedAt <= bound).map(([requestId]) => requestId);
    for (const requestId of expired) this.release(requestId, 0);
    return expired;
  }

  /** The month's BYOK requests: those charged, and those admitted and not charged yet. */
  byokRequests(now: number): { month: string; requests: number } {
    const month = utcMonth(now);
    let requests = this.sql.exec<{ requests: number }>('SELECT requests FROM byok_months WHERE month = ?', month).toArray()[0]?.requests ?? 0;
    for (const hold of this.held.values()) if (hold.byokMonth === month) requests += 1;
    return { month, requests };
  }

  /** Records one BYOK request of `month` (with its charge, inside the charge's transaction). */
  countByokRequest(month: string): void {
    this.sql.exec('INSERT INTO byok_months (month, requests) VALUES (?, 1) ON CONFLICT (month) DO UPDATE SET requests = requests + 1', month);
  }

  /** The operator's override of the configured limit; null = the configured one. */
  setRateLimit(limit: number | null): void {
    this.ledger.transaction(() => {
      this.ledger.bind();
      this.sql.exec('UPDATE account_state SET rate_limit_per_minute = ? WHERE id = 1', limit);
    });
    this.rateLimitOverride = limit;
  }

  private hold(requestId: string, amount: number, keyId: string, byokMonth: string | undefined): void {
    this.held.set(requestId, { amount, keyId, renewedAt: this.clock(), ...(byokMonth ? { byokMonth } : {}) });
    this.reservedNow += amount;
  }

  /** For a request the object forgot: what the guard kept for it, topped up from the free balance. */
  private reclaim(amount: number): number {
    const fromGuard = Math.min(amount, this.guarded());
    if (this.guard) this.guard.unaccounted -= fromGuard;
    return fromGuard + Math.min(amount - fromGuard, this.free());
  }
}

/**
 * Holds an object of version 1 wrote to storage (before holds lived in memory):
 * read once into the restart guard, then removed.
 */
export function adoptStoredReservations(storage: DurableObjectStorage): number {
  const held = storage.sql.exec<{ total: number }>('SELECT COALESCE(SUM(amount), 0) AS total FROM reservations').one().total;
  if (held > 0) storage.sql.exec('DELETE FROM reservations');
  return held;
}
