/**
 * The per-account Durable Object (SQLite storage): the authority on the
 * account's balance, reservations, rate limit, BYOK month counter, ledger and
 * its keys' rules (revocation, expiry, scopes, models, spend limits). One object per account and a single thread, so every
 * check-then-write is atomic however many requests arrive at once. Holds live
 * in its memory (request-holds.ts); charges are durable (request-charges.ts).
 * Its alarm (object-alarm.ts) hands billing logs to the BILLING_LOGS queue and drops them after the
 * read-your-writes window; holds left unrenewed are released lazily.
 * Its storage is migrated to schema.ts's version before the first call; it knows its
 * account from its name (idFromName(accountId)) and its policy (rate limit, Checkout
 * Sessions per hour, hold bound, BYOK free tier) from its own vars: callers send neither.
 */
import { DurableObject } from 'cloudflare:workers';
import { parseConfig, type Config, type Env } from '../env';
import { AccountLedger, type AdjustResult } from './account-ledger';
import { adoptStoredReservations, RequestHolds, type AuthorizeDecision, type AuthorizeInput, type RateLimited } from './request-holds';
import { CheckoutLimit } from './checkout-limit';
import { chargeRequest, type ChargeInput, type ChargeResult } from './request-charges';
import type { BillingLogRecord } from '../billing/billing-log';
import type { KeyRequest, KeyScope } from '../base/key-rules';
import { KeyPolicies, type KeyRefusal, type KeySpend, type RegisterKeyAnswer } from './key-policies';
import { ObjectAlarm } from './object-alarm';
import { ByokKeyStore, type ByokKeySet, type EncryptedKey, type StoredByokKey } from './byok-key-store';
import { AccountCredits, type RechargeCredit } from './account-credits';
import { expireInactiveCredits, type InactivityExpiry } from './inactivity-expiry';
import { OperatorAdjustments, type KeyedAdjustment, type KeyedAdjustResult } from './operator-adjustments';
import { AccountRefunds, type BeginRefund, type RefundAttemptInput, type RefundState, type SettledRefund } from './account-refunds';
import { AccountDisputes, type DisputeChange, type DisputeEvent, type DisputeOutcome } from './account-disputes';
import { accountStatus, AccountSuspensions, type AccountStatusView, type SuspensionReason } from './account-status';
import { migrate } from './schema';
import { holdAsStandard, type StandardFallbackDecision, type StandardFallbackInput } from './standard-fallback';
import type { AccountSummary } from './account-summary';

/** Authorize's answer: the holds' decision, or "your copy of the BYOK keys is stale" (re-plan and ask again). */
export type AuthorizeAnswer =
  | AuthorizeDecision
  | { ok: false; reason: 'byok_stale'; byok: ByokKeySet }
  | { ok: false; reason: 'account_deactivated' }
  | { ok: false; reason: 'account_suspended' }
  | KeyRefusal;

/** What the object rules on a key for a request that does not authorize (every /v1 request but chat). */
export type KeyRuling = { ok: true } | Exclude<AuthorizeAnswer, { ok: true } | { reason: 'byok_stale' | 'insufficient_credits' | 'key_limit_exceeded' }>;

export class AccountDurableObject extends DurableObject<Env> {
  private ledger!: AccountLedger;
  private holds!: RequestHolds;
  private byokKeys!: ByokKeyStore;
  private credits!: AccountCredits;
  private adjustments!: OperatorAdjustments;
  private refunds!: AccountRefunds;
  private disputes!: AccountDisputes;
  private suspensions!: AccountSuspensions;
  private checkouts!: CheckoutLimit;
  private keys!: KeyPolicies;
  private alarms!: ObjectAlarm;
  /** The clock holds are renewed and expired by (tests move it instead of waiting). */
  private clock: () => number = Date.now;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      migrate(ctx.storage);
      // Every account object is addressed by idFromName(accountId), so its name is its account's id.
      this.ledger = new AccountLedger(ctx.storage, ctx.id.name);
      this.holds = new RequestHolds(ctx.storage, this.ledger, () => this.config, () => this.clock(), this.ledger.inFlightAtLastWrite + adoptStoredReservations(ctx.storage));
      this.byokKeys = new ByokKeyStore(ctx.storage.sql);
      this.credits = new AccountCredits(ctx.storage.sql, this.ledger);
      this.refunds = new AccountRefunds(ctx.storage.sql, this.ledger, this.holds);
      this.suspensions = new AccountSuspensions(ctx.storage.sql);
      this.disputes = new AccountDisputes(ctx.storage.sql, this.ledger, this.holds, this.suspensions);
      this.adjustments = new OperatorAdjustments(ctx.storage.sql, this.ledger);
      this.checkouts = new CheckoutLimit(ctx.storage.sql);
      this.keys = new KeyPolicies(ctx.storage);
      this.alarms = new ObjectAlarm(ctx.storage, () => this.env.BILLING_LOGS, () => this.config, this.ledger, this.holds);
    });
  }

  /** The object's own vars, parsed once per env: the rate limit, hold bound and free tier are decided here. */
  private get config(): Config {
    return parseConfig(this.env);
  }

  /**
   * `byokVersion`: the version of the BYOK keys the worker planned with; when it is
   * not this object's, nothing is held and the current keys come back instead.
   */
  async authorize(input: AuthorizeInput & { byokVersion?: string }): Promise<AuthorizeAnswer> {
    const { keyId, model } = input.context;
    // The key's own state, the account's, then what the key may do (the same order as keyState).
    const refused = this.keys.refusal(keyId, input.now) ?? this.accountRefusal() ?? this.keys.refusal(keyId, input.now, 'inference', model);
    if (refused) return refused;
    if (input.byokVersion !== undefined && input.byokVersion !== this.byokKeys.version) {
      return { ok: false, reason: 'byok_stale', byok: this.byokKeys.snapshot() };
    }
    // Admission writes nothing, not even an alarm: the one durable write of a request is its charge.
    this.holds.sweep();
    return this.holds.authorize(input, this.keys.budget(keyId, input.now, () => this.holds.byKey(), this.holds.guarded()));
  }

  private accountRefusal(): { ok: false; reason: 'account_suspended' | 'account_deactivated' } | undefined {
    if (this.suspensions.suspended) return { ok: false, reason: 'account_suspended' };
    if (this.credits.deactivated) return { ok: false, reason: 'account_deactivated' };
    return undefined;
  }

  /**
   * A live request keeps its hold (every HOLD_RENEW_MS). Never throws: a hold
   * this object does not know is held again as far as the guard or the free
   * balance covers it. `renewed`: whether the hold was still there.
   */
  async renew(input: { requestId: string; amount: number; keyId: string }): Promise<{ renewed: boolean }> {
    return { renewed: this.holds.renew(input.requestId, input.amount, input.keyId) };
  }

  /**
   * Charges a request once (a replay returns the first result), whether or not
   * its hold is still here: its hold, then the free balance, the rest recorded
   * as `uncollected`. A request that failed is charged its outcome's zero cost,
   * which releases its hold.
   */
  async charge(input: ChargeInput): Promise<ChargeResult> {
    const result = chargeRequest(this.ledger, this.holds, this.keys, input);
    if (input.byokKeyId && !result.replay && input.outcome.status === 'succeeded') this.byokKeys.recordUse(input.byokKeyId, input.now);
    if (!result.replay) await this.alarms.afterCharge();
    return result;
  }

  /** Raises a request's hold (failover to a pricier model) within the free balance and its key's limit. */
  async raiseHold(requestId: string, amount: number, keyId: string): Promise<{ ok: boolean; reserved: number }> {
    this.holds.sweep();
    const budget = this.keys.budget(keyId, this.clock(), () => this.holds.byKey(), this.holds.guarded());
    return this.holds.raiseHold(requestId, amount, keyId, budget?.room);
  }

  /** A BYOK request whose registered key was refused, served standard from credits instead (standard-fallback.ts). */
  async reauthorizeAsStandard(input: StandardFallbackInput): Promise<StandardFallbackDecision> {
    this.holds.sweep();
    return holdAsStandard(this.holds, input, this.keys.budget(input.keyId, this.clock(), () => this.holds.byKey(), this.holds.guarded()));
  }

  async byokKeySet(): Promise<ByokKeySet> {
    return this.byokKeys.snapshot();
  }

  async registerByokKey(key: StoredByokKey): Promise<ByokKeySet> {
    this.byokKeys.add(key);
    return this.byokKeys.snapshot();
  }

  async deleteByokKey(id: string): Promise<boolean> {
    return this.byokKeys.remove(id);
  }

  async byokKeyFailed(id: string, error: string, now: number): Promise<void> {
    this.byokKeys.recordError(id, error, now);
  }

  /** Replaces ciphertexts re-encrypted under a new master key (the worker holds the secrets, not this object). */
  async resealByokKeys(sealed: Array<{ id: string } & EncryptedKey>): Promise<void> {
    for (const { id, ...record } of sealed) this.byokKeys.reseal(id, record);
  }

  async adjust(input: { amount: number; reason: string; now: number }): Promise<AdjustResult> {
    return this.ledger.adjust(input);
  }

  /** An operator's adjustment under an Idempotency-Key: applied once; a retry answers the first result. */
  async adjustOnce(input: KeyedAdjustment): Promise<KeyedAdjustResult> {
    return this.adjustments.adjust(input);
  }

  /**
   * Whether the key may act for a request that needs `scope`, asked by every /v1 request that does
   * not authorize: the key's own state, then the account's, then the scope; a request let through
   * counts in the rate window.
   */
  async keyState(input: { keyId: string; now: number; scope?: KeyScope }): Promise<KeyRuling> {
    const refused = this.keys.refusal(input.keyId, input.now) ?? this.accountRefusal() ?? this.keys.refusal(input.keyId, input.now, input.scope);
    return refused ?? this.holds.countRequest(input.now) ?? { ok: true };
  }

  /** Records a new key's rules (checked against its parent's) before the key exists anywhere else. */
  async registerKey(input: { request: KeyRequest; now: number }): Promise<RegisterKeyAnswer> {
    return this.keys.register(input.request, input.now);
  }

  /** Drops the rules of a key that was never made (the key cap refused it). */
  async forgetKey(keyId: string): Promise<void> {
    this.keys.forget(keyId);
  }

  /** Revokes a key and the keys it made (and theirs): the ids revoked now, the key first. */
  async revokeKey(keyId: string, now: number): Promise<string[]> {
    return this.keys.revoke(keyId, now);
  }

  /** What each key has spent in its limit's current period. */
  async keySpending(input: { keyIds: string[]; now: number }): Promise<KeySpend[]> {
    return this.keys.spending(input.keyIds, input.now);
  }

  /** Counts a Checkout Session against CHECKOUT_SESSIONS_PER_HOUR before Stripe is called: undefined, or the refusal. */
  async openCheckout(now: number): Promise<RateLimited | undefined> { return this.checkouts.open(this.config.checkoutSessionsPerHour, now); }

  async creditRecharge(input: RechargeCredit): Promise<{ credited: boolean; balance: number }> {
    const result = this.ledger.transaction(() => {
      const credit = this.credits.creditRecharge(input);
      // A refund Stripe reported before this payment was credited is applied with the credit, in its transaction.
      if (credit.credited) this.refunds.applyStripeTotal(input.rechargeId, input.now);
      return { credited: credit.credited, balance: this.ledger.balance };
    });
    // A recharge is activity: an account deactivated for inactivity comes back.
    if (result.credited) this.credits.setDeactivated(null);
    return result;
  }

  /** A recharge's refunds as this object has them: credited, refunding, refunded, refundable, disputed. */
  async refundState(rechargeId: string): Promise<RefundState> {
    return this.refunds.state(rechargeId);
  }

  /** Opens a support refund attempt: debits it (unspent credits only) before the card is refunded. */
  async beginRefund(input: RefundAttemptInput): Promise<BeginRefund> {
    return this.refunds.begin(input);
  }

  /** Whether the card was refunded for an attempt: kept, or that attempt alone reversed. */
  async settleRefund(input: RefundAttemptInput & { outcome: 'refunded' | 'not_refunded'; stripeRefundId?: string }): Promise<SettledRefund> {
    return this.refunds.settle(input);
  }

  /** Stripe's charge.refunded: the refunded total it reports, applied once (or once the recharge is credited). */
  async reportStripeRefund(input: { rechargeId: string; total: number; eventId: string; now: number }) {
    return this.refunds.reportStripeTotal(input);
  }

  async openDispute(input: DisputeEvent): Promise<DisputeChange & { account: AccountStatusView }> {
    return { ...this.disputes.open(input), account: this.statusView() };
  }

  async closeDispute(input: DisputeEvent & { outcome: DisputeOutcome }): Promise<DisputeChange & { account: AccountStatusView }> {
    return { ...this.disputes.close(input), account: this.statusView() };
  }

  async accountStatus(): Promise<AccountStatusView> {
    return this.statusView();
  }

  /** Suspends the account for `reason` ('operator', 'dispute:<id>'); every key gets 403 account_suspended. */
  async suspend(input: { reason: SuspensionReason; now: number }): Promise<AccountStatusView> {
    this.suspensions.add(input.reason, input.now);
    return this.statusView();
  }

  /** Lifts one suspension reason; the account stays suspended while any other stands. */
  async liftSuspension(input: { reason: SuspensionReason }): Promise<AccountStatusView> {
    this.suspensions.remove(input.reason);
    return this.statusView();
  }

  private statusView(): AccountStatusView {
    return accountStatus(this.suspensions.current, this.credits.deactivatedSince);
  }

  async expireInactiveCredits(input: { activityAt: number; now: number }): Promise<InactivityExpiry> {
    return expireInactiveCredits(this.ledger, input);
  }

  async setDeactivated(at: number | null): Promise<void> {
    this.credits.setDeactivated(at);
  }

  /** The operator's override of the configured rate limit; null = the configured one. */
  async setRateLimit(limit: number | null): Promise<void> {
    this.holds.setRateLimit(limit);
  }

  async summary(now: number): Promise<AccountSummary> {
    this.holds.sweep();
    return {
      accountId: this.ledger.accountId,
      balance: this.ledger.balance,
      reserved: this.holds.reserved + this.holds.guarded(),
      openReservations: this.holds.openHolds(),
      rateLimitPerMinute: this.holds.rateLimitPerMinute,
      ledgerTotals: this.ledger.ledgerTotals(),
      byok: this.holds.byokRequests(now),
      storageBytes: this.ctx.storage.sql.databaseSize,
    };
  }

  /** A request's billing log as D1 will have it (read-your-writes): held until handed, then BILLING_LOG_READ_WINDOW_MS. */
  async billingLog(requestId: string): Promise<BillingLogRecord | null> {
    const log = this.ledger.logOf(requestId);
    return log === undefined ? null : (JSON.parse(log) as BillingLogRecord);
  }

  override async alarm(): Promise<void> {
    await this.alarms.fire();
  }
}
