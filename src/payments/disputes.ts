/**
 * Stripe's chargebacks, as the webhook receives them. `charge.dispute.created`
 * debits the disputed amount (as far as the unspent credits go) and suspends
 * the account for that dispute; `charge.dispute.closed` lifts that suspension
 * and, when the dispute was won, credits back what was debited. The account
 * object applies each event once and in any order (account-disputes.ts); D1's
 * account status follows the object's, and a suspension ends the account's web
 * sessions.
 */
import type { Env } from '../env';
import { accountStub } from '../account/client';
import type { DisputeOutcome } from '../account/account-disputes';
import { mirrorStatus } from '../accounts/status-mirror';
import { UNITS_PER_CENT } from './amounts';
import { findRechargeByPaymentIntent } from './recharges';
import type { StripeDispute } from './stripe';
import { logError } from '../base/log';

/** How a closed dispute ended for the money: won (or an inquiry closed, or prevented) gives it back; lost keeps it. */
export function disputeOutcome(status: string): DisputeOutcome | undefined {
  if (status === 'lost') return 'lost';
  if (status === 'won' || status === 'warning_closed' || status === 'prevented') return 'won';
  return undefined;
}

export async function applyDisputeEvent(env: Env, eventId: string, step: 'created' | 'closed', dispute: StripeDispute, now: number): Promise<string> {
  // Signed by Stripe, but checked all the same: a malformed event is acknowledged, never a 5xx Stripe would retry for days.
  if (typeof dispute.id !== 'string' || !/^[A-Za-z0-9_]{1,255}$/.test(dispute.id) || !Number.isInteger(dispute.amount) || dispute.amount < 0) return 'malformed';
  const paymentIntent = typeof dispute.payment_intent === 'string' ? dispute.payment_intent : dispute.payment_intent?.id;
  const recharge = paymentIntent ? await findRechargeByPaymentIntent(env.DB, paymentIntent) : null;
  if (!recharge) return 'not ours';
  const input = { disputeId: dispute.id, rechargeId: recharge.id, amount: Math.min(dispute.amount * UNITS_PER_CENT, recharge.amount), eventId, now };
  const stub = accountStub(env, recharge.account_id);
  let outcome: DisputeOutcome | undefined;
  if (step === 'closed') {
    outcome = disputeOutcome(dispute.status);
    if (!outcome) {
      logError('dispute.unknown_status', { disputeId: dispute.id, status: dispute.status, message: 'closed with a status not known: not applied' });
      return 'ignored';
    }
  }
  const change = outcome ? await stub.closeDispute({ ...input, outcome }) : await stub.openDispute(input);
  await mirrorStatus(env, recharge.account_id, change.account);
  if (!change.applied) return 'already applied';
  return outcome ? `dispute ${outcome}` : 'dispute opened';
}
