/**
 * How the rest of the worker reaches an account's object, and what its
 * refusals mean to a client: one switch turns each reason the object gives
 * into the public error, whichever path asked (a chat request's authorize, or
 * the key check of every other request).
 */
import type { AuthenticatedKey, Env } from '../env';
import { accountDeactivated, accountSuspended, insufficientCredits, rateLimited, revokedKey, type ApiError } from '../errors';
import { formatUsd } from '../base/money';
import type { AccountDurableObject, AuthorizeAnswer } from './account-object';

/** The account's one Durable Object, addressed by its account id (which is also the object's name). */
export const accountStub = (env: Env, accountId: string): DurableObjectStub<AccountDurableObject> =>
  env.ACCOUNTS.get(env.ACCOUNTS.idFromName(accountId));

/** Why the object refuses a key or a request (a stale BYOK copy is not a refusal: the caller plans again). */
export type AccessRefusal = Exclude<AuthorizeAnswer, { ok: true } | { reason: 'byok_stale' }>;

/** The client's error for each of the object's refusals. */
export function refusalToError(refusal: AccessRefusal): ApiError {
  switch (refusal.reason) {
    case 'key_revoked':
      return revokedKey();
    case 'account_deactivated':
      return accountDeactivated();
    case 'account_suspended':
      return accountSuspended();
    case 'rate_limited':
      return rateLimited(refusal.limit, refusal.retryAfterSeconds);
    case 'insufficient_credits':
      return insufficientCredits(insufficientCreditsMessage(refusal));
    default:
      return refusal satisfies never;
  }
}

/** What a 402 says: what the request may cost, what is available, and the largest max_tokens that fits (when known). */
function insufficientCreditsMessage(refusal: Extract<AccessRefusal, { reason: 'insufficient_credits' }>): string {
  const available = `$${formatUsd(refusal.available)} is available`;
  const largest = refusal.affordableMaxTokens;
  if (largest === undefined) return `Insufficient credits: this request may cost up to $${formatUsd(refusal.required)} and ${available}. Recharge, or lower max_tokens.`;
  if (largest === 0) return `Insufficient credits: ${available}, which does not cover this request's prompt and a single output token. Recharge, or shorten the prompt.`;
  if (refusal.floor !== undefined) {
    return `Insufficient credits: ${available}, enough for at most ${largest} output tokens; without max_tokens a request needs room for at least ${refusal.floor} rather than be cut short. Recharge, or set max_tokens to ${largest} or less.`;
  }
  return `Insufficient credits: this request may cost up to $${formatUsd(refusal.required)} and ${available}; the largest max_tokens it affords is ${largest}. Recharge, or set max_tokens to ${largest} or less.`;
}

/** The refusal in a key's state (keyState), if any: a revoked key first, then a suspended account, then a deactivated one. */
export function keyStateRefusal(state: { revoked: boolean; deactivated: boolean; suspended?: boolean; rateLimited?: AccessRefusal }): AccessRefusal | undefined {
  if (state.revoked) return { ok: false, reason: 'key_revoked' };
  if (state.suspended) return { ok: false, reason: 'account_suspended' };
  if (state.deactivated) return { ok: false, reason: 'account_deactivated' };
  return state.rateLimited;
}

/** Asks the account's object, the authority, whether the key may act and the account is within its rate limit: the error to answer, or undefined. */
export async function keyAccessError(env: Env, auth: Pick<AuthenticatedKey, 'accountId' | 'keyId'>, now: number): Promise<ApiError | undefined> {
  // One round trip: the ruling on the key, and this request counted in the account's rate window.
  const refusal = keyStateRefusal(await accountStub(env, auth.accountId).keyState(auth.keyId, now));
  return refusal && refusalToError(refusal);
}
