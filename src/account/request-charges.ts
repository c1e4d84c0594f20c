/**
 * Charging a request: its real cost replaces its hold, as one ledger row
 * carrying its billing log, written in one transaction with the BYOK month's
 * count. A request id is charged once; a second charge of it (a retried round
 * trip, the queue delivering it again) returns the first result.
 *
 * A charge never throws for want of a hold: a request the object forgot (a
 * restart, or a hold released unrenewed) is charged its real cost all the
 * same. A charge takes its own hold and then only the free balance, never
 * other requests' holds; what it cannot take is recorded on its billing log as
 * `uncollected`.
 */
import { billingLogId } from '../base/ids';
import type { BillingLogRecord, RequestContext, RequestOutcome } from '../billing/billing-log';
import type { AccountLedger } from './account-ledger';
import { utcMonth, type RequestHolds } from './request-holds';
import type { KeyPolicies } from './key-policies';

export interface ChargeInput {
  requestId: string;
  /** What the worker held for it (units): what a restarted object may have kept for it. */
  held: number;
  /** What was known when it was admitted: the billing log's key, model and mode. */
  context: RequestContext;
  outcome: RequestOutcome;
  now: number;
  /** The registered provider key that served it (BYOK), to record its use. */
  byokKeyId?: string;
}

export interface ChargeResult {
  /** Units taken from the balance. */
  charged: number;
  /** Units of the cost that neither the hold nor the free balance could cover. */
  uncollected: number;
  /** The balance right after this charge. */
  balance: number;
  /** True when this request id was charged before: the first result. */
  replay: boolean;
}

export function chargeRequest(ledger: AccountLedger, holds: RequestHolds, keys: KeyPolicies, input: ChargeInput): ChargeResult {
  const previous = ledger.findCharge(input.requestId);
  if (previous) return { charged: previous.charged, uncollected: previous.uncollected, balance: previous.balanceAfter, replay: true };

  const { own, byokMonth } = holds.claim(input.requestId, input.held);
  // Its own hold, then what nobody holds; never more than the balance (a refund may have taken some).
  const collectible = Math.min(ledger.balance, own + holds.free());
  const charged = Math.min(input.outcome.cost, collectible);
  const uncollected = input.outcome.cost - charged;
  const result = ledger.transaction(() => {
    ledger.bind();
    const balanceAfter = ledger.balance - charged;
    const { model = input.context.model, provider = input.context.provider, ...usage } = input.outcome;
    const log: BillingLogRecord = {
      ...input.context,
      ...usage,
      model,
      provider,
      cost: charged,
      uncollected,
      id: billingLogId(input.requestId),
      requestId: input.requestId,
      accountId: ledger.accountId,
      createdAt: input.context.startedAt,
      latencyMs: Math.max(0, input.now - input.context.startedAt),
    };
    if (input.context.mode === 'byok') {
      // Counted once per request, when it is charged, in the month it was admitted.
      holds.countByokRequest(byokMonth ?? utcMonth(input.context.startedAt));
    }
    // What it cost counts against its key's spend limit (and its parents'), collected or not.
    keys.recordSpend(input.context.keyId, input.outcome.cost, input.context.startedAt);
    // The row records what is still in flight once this request's hold is gone.
    ledger.append({ kind: 'usage', requestId: input.requestId, amount: 0 - charged, balanceAfter, now: input.now, log, inFlight: holds.inFlight() - own });
    return { charged, uncollected, balance: balanceAfter, replay: false };
  }, () => keys.load());
  // Memory changes only once the row is written: a failed write leaves the hold in place.
  holds.release(input.requestId, input.held);
  return result;
}
