/**
 * A BYOK request re-authorized as standard, when its registered provider key
 * was refused and carries fallback_to_credits: its hold becomes the standard
 * worst case on the model it will now be served on — sized from the balance
 * as an admission is (its own hold counts as available to it), within its
 * key's limit — and it leaves the BYOK month's count, so a fallback does not
 * use up a free BYOK request. One synchronous step in the object: no other
 * request can take the money between the check and the hold. A refusal
 * changes nothing (the BYOK hold stands until the worker releases it).
 */
import type { RequestHolds } from './request-holds';
import { decideHold, type HoldTerms, type InsufficientCredits } from './hold-size';
import type { KeyBudget, KeyLimitExceeded } from './key-policies';

export interface StandardFallbackInput {
  requestId: string;
  keyId: string;
  /** What the worker holds for the request now (its BYOK hold): what a restarted object may have kept for it. */
  held: number;
  /** The standard terms on the model the request will now be served on (1 + the fee, the platform's key). */
  terms: HoldTerms;
}

export type StandardFallbackDecision =
  /** `held`: what the request now holds; `maxTokens`: the output limit granted, when the client sent none. */
  | { ok: true; held: number; maxTokens?: number }
  | KeyLimitExceeded
  | ({ ok: false; reason: 'insufficient_credits' } & InsufficientCredits);

/** `budget`: the room under the request's key's limit (which already counts its hold), when it has one. */
export function holdAsStandard(holds: RequestHolds, input: StandardFallbackInput, budget?: KeyBudget): StandardFallbackDecision {
  const { requestId, keyId } = input;
  // A hold this object forgot (a restart) is held again first, as a renewal would.
  if (holds.holdOf(requestId) === undefined) holds.renew(requestId, input.held, keyId);
  const own = holds.holdOf(requestId) ?? 0;
  const room = budget?.room ?? Number.POSITIVE_INFINITY;
  const credits = own + holds.free();
  const hold = decideHold({ terms: input.terms }, Math.min(credits, own + room));
  if (!hold.ok) {
    if (budget && own + budget.room < credits) return { ok: false, reason: 'key_limit_exceeded', ...budget.facts };
    return { ok: false, reason: 'insufficient_credits', ...hold.refusal };
  }
  const raised = holds.raiseHold(requestId, hold.amount, keyId, room);
  // Not raised only for a request already charged (a replayed id): nothing to move.
  if (!raised.ok) return { ok: false, reason: 'insufficient_credits', available: credits, required: hold.amount };
  holds.leaveByokMonth(requestId);
  const granted = hold.maxTokens !== undefined ? { maxTokens: hold.maxTokens } : {};
  return { ok: true, held: holds.holdOf(requestId) ?? hold.amount, ...granted };
}
