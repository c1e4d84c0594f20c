/**
 * How the rest of the worker reaches an account's object, and what its
 * refusals mean to a client: one switch turns each reason the object gives
 * into the public error, whichever path asked (a chat request's authorize, or
 * the key check of every other request).
 */
import type { AuthenticatedKey, Env } from '../env';
import type { KeyScope } from '../base/key-rules';
import {
  accountDeactivated,
  accountSuspended,
  insufficientCredits,
  insufficientScope,
  keyExpired,
  keyLimitExceeded,
  modelNotAllowed,
  rateLimited,
  revokedKey,
  type ApiError,
} from '../errors';
import { formatUsd } from '../base/money';
import type { AccountDurableObject, AuthorizeAnswer } from './account-object';
import type { KeyLimitFacts } from './key-policies';

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
    case 'key_expired':
      return keyExpired(new Date(refusal.expiredAt).toISOString());
    case 'insufficient_scope':
      return insufficientScope(refusal.scope);
    case 'model_not_allowed':
      return modelNotAllowed(refusal.model, refusal.models);
    case 'account_deactivated':
      return accountDeactivated();
    case 'account_suspended':
      return accountSuspended();
    case 'rate_limited':
      return rateLimited(refusal.limit, refusal.retryAfterSeconds);
    case 'key_limit_exceeded':
      return keyLimitExceeded(keyLimitMessage(refusal));
    case 'insufficient_credits':
      return insufficientCredits(insufficientCreditsMessage(refusal));
    default:
      return refusal satisfies never;
  }
}

const PERIOD_WORDS = { day: 'daily', month: 'monthly', total: 'total' } as const;

/** What a key_limit_exceeded says: the limit, what is spent and held against it, and when it resets. */
function keyLimitMessage(facts: KeyLimitFacts): string {
  const { limit, spent, held, resetsAt } = facts;
  const used = `$${formatUsd(spent)} spent${held > 0 ? ` and $${formatUsd(held)} held by requests in flight` : ''}`;
  const reset = resetsAt === null ? ' It does not reset: raise it by making a new key.' : ` It resets at ${new Date(resetsAt).toISOString()}.`;
  return `This API key's ${PERIOD_WORDS[limit.period]} spend limit of $${formatUsd(limit.amount)} does not cover this request: ${used}.${reset}`;
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

/**
 * Asks the account's object, the authority, whether the key may act for a request that needs
 * `scope` (its revocation, expiry and scopes, the account's status) and counts the request in the
 * account's rate window, in one round trip: the error to answer, or undefined.
 */
export async function keyAccessError(env: Env, auth: Pick<AuthenticatedKey, 'accountId' | 'keyId'>, now: number, scope?: KeyScope): Promise<ApiError | undefined> {
  const ruling = await accountStub(env, auth.accountId).keyState({ keyId: auth.keyId, now, ...(scope ? { scope } : {}) });
  return ruling.ok ? undefined : refusalToError(ruling);
}
