/**
 * fallback_to_credits: when the provider refuses a registered key that carries
 * it (auth, balance), the request is served in standard mode from credits
 * instead of answering 400. The account object re-authorizes it as standard
 * (the hold raised to the standard worst case, out of the BYOK month's count),
 * then the request is planned again on the platform's keys, every provider
 * allowed, as billing_mode "standard" plans it. An inline key never falls
 * back, nor does a request that asked for BYOK (billing_mode "byok").
 */
import { refusalToError } from '../account/client';
import type { Meter, StandardFallbackRefusal } from '../account/meter';
import type { RefusedKey } from '../byok/request-keys';
import type { Config } from '../env';
import { insufficientCredits, messageOf, providerUnavailable, type ApiError } from '../errors';
import { providerHealth } from '../routing/health';
import type { ChatNeeds } from '../routing/plan-request';
import type { ChatRequest } from '../schemas/chat-request';
import { planRequest, type RoutePlan } from './plan-route';
import { logError } from '../base/log';

/** The refused key the request falls back from, when it may. */
export function creditFallback(refused: RefusedKey | undefined, request: ChatRequest): RefusedKey | undefined {
  return refused?.fallbackToCredits === true && request.billing_mode !== 'byok' ? refused : undefined;
}

/**
 * Re-authorizes the request as standard and plans it on the platform's keys; throws the client's
 * error when the object refuses (402 naming the refused key) or cannot be reached (503: retry).
 */
export async function fallBackToCredits(request: ChatRequest, chat: ChatNeeds, meter: Meter, refused: RefusedKey, config: Config, now: number): Promise<RoutePlan> {
  // Standard credentials ignore the registered keys, so the byok set they are planned with is empty.
  const standard = planRequest({ ...request, billing_mode: 'standard' }, chat, { version: '0', keys: [] }, config, providerHealth, now);
  let refusal: StandardFallbackRefusal | undefined;
  try {
    refusal = await meter.holdAsStandard(standard.plan[0]!, refused.reason);
  } catch (error) {
    // The BYOK hold stands (the worker releases it); the client may retry.
    logError('byok.fallback_failed', { message: 're-authorizing as standard failed', cause: messageOf(error) });
    throw providerUnavailable(`Your ${refused.provider} key was refused, and this request could not be moved to credits right now. Please retry.`, 1_000);
  }
  if (refusal) throw fallbackRefused(refused, refusal);
  return standard;
}

/** Credits that do not cover the request as standard: a 402 that names the key refused. */
function fallbackRefused(refused: RefusedKey, refusal: StandardFallbackRefusal): ApiError {
  const error = refusalToError(refusal);
  if (refusal.reason !== 'insufficient_credits') return error;
  const facts = error.message.replace(/^Insufficient credits: /, '');
  return insufficientCredits(`Your ${refused.provider} key was refused and credits do not cover this request as standard: ${facts}`);
}
