/**
 * How much a chat request holds, and how many output tokens it may be sent
 * with: decided by the account object inside authorize, from the balance
 * available at that moment (balance − the other requests' holds), in the same
 * step that holds it. A hold is a true worst case only because its output is
 * the limit actually sent upstream: the client's own max_tokens, or the one
 * granted here (the model's cap, or the most output the balance affords).
 * Pure and exact: every amount is base/cost.ts's cost function.
 */
import { computeCost, type Rate } from '../base/cost';
import type { CatalogModel } from '../base/catalog';

/** Below this many output tokens, a request without max_tokens is refused (402) rather than cut short. */
export const OUTPUT_FLOOR_TOKENS = 16;

/** What a chat request's hold is sized from: the worker sends these to authorize. */
export interface HoldTerms {
  /** The prompt estimate, all of it priced as uncached input. */
  promptTokens: number;
  /** The price of the model the request starts on. */
  price: CatalogModel['price'];
  /** What the user pays per unit of provider cost: 1 + the fee (standard), the fee (BYOK past the free tier). */
  multiplier: Rate;
  /** The client's max_tokens: held whole or refused. Absent: the most output up to `cap` that the balance affords. */
  requested?: number;
  /** The model's output cap for this prompt (see outputCap). */
  cap: number;
}

export interface HoldSizeInput extends HoldTerms {
  /** The fewest output tokens granted to a request without max_tokens. */
  floor: number;
  /** Units available at admission: balance − other holds. */
  available: number;
}

export type HoldSize =
  /** `outputTokens`: the output limit held for (the client's max_tokens, or the one granted); `amount`: its worst case in units. */
  | { ok: true; outputTokens: number; amount: number }
  /** `required`: what the smallest acceptable hold would cost; `affordable`: the largest max_tokens the balance covers (0: not one token). */
  | { ok: false; required: number; affordable: number };

/** The most output tokens a model can return for a prompt: its output cap, within what its context window leaves (at least 1). */
export function outputCap(model: Pick<CatalogModel, 'maxOutputTokens' | 'contextLength'>, promptTokens: number): number {
  return Math.max(1, Math.min(model.maxOutputTokens, model.contextLength - promptTokens));
}

/** The worst case of the prompt plus `outputTokens` of output, in units. */
export function holdCost(terms: HoldTerms, outputTokens: number): number {
  return computeCost({ promptTokens: terms.promptTokens, cachedTokens: 0, completionTokens: outputTokens }, terms.price, terms.multiplier);
}

/**
 * The largest output in [0, limit] whose worst case fits in `available` (0 also
 * when the prompt alone does not). The cost only grows with the output, so a
 * binary search over the exact cost function finds it in ~20 steps.
 */
export function affordableOutput(terms: HoldTerms, limit: number, available: number): number {
  let low = 0;
  let high = Math.max(0, limit);
  if (holdCost(terms, 0) > available) return 0;
  while (low < high) {
    const mid = low + Math.ceil((high - low) / 2);
    if (holdCost(terms, mid) <= available) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * The hold for `terms` given what is available: the client's max_tokens whole,
 * else the model's cap or, when the balance cannot cover it, the most output
 * it can — never fewer than `floor` tokens (nor than the cap, when the cap is smaller).
 */
export function holdSize(input: HoldSizeInput): HoldSize {
  const available = Math.max(0, input.available);
  if (input.requested !== undefined) {
    const amount = holdCost(input, input.requested);
    if (amount <= available) return { ok: true, outputTokens: input.requested, amount };
    return { ok: false, required: amount, affordable: affordableOutput(input, input.requested - 1, available) };
  }
  const outputTokens = affordableOutput(input, input.cap, available);
  const least = Math.min(input.floor, input.cap);
  if (outputTokens < least) return { ok: false, required: holdCost(input, least), affordable: outputTokens };
  return { ok: true, outputTokens, amount: holdCost(input, outputTokens) };
}

/** What authorize is asked to hold: a fixed amount in units, or a chat request's terms. */
export type HoldRequest = { amount: number } | { terms: HoldTerms };

export type HoldDecision =
  /** `maxTokens`: the output limit granted, only when the client sent none (the worker sends it upstream). */
  | { ok: true; amount: number; maxTokens?: number }
  | { ok: false; refusal: InsufficientCredits };

/** A 402's facts: `affordableMaxTokens` for a chat request's terms; `floor` when it sent no max_tokens. */
export interface InsufficientCredits {
  available: number;
  required: number;
  affordableMaxTokens?: number;
  floor?: number;
}

/** Sizes (or checks) a hold against the units available at admission. */
export function decideHold(request: HoldRequest, available: number): HoldDecision {
  const free = Math.max(0, available);
  if (!('terms' in request)) {
    return request.amount <= free ? { ok: true, amount: request.amount } : { ok: false, refusal: { available: free, required: request.amount } };
  }
  const { terms } = request;
  const sized = holdSize({ ...terms, floor: OUTPUT_FLOOR_TOKENS, available: free });
  if (!sized.ok) {
    const floor = terms.requested === undefined ? { floor: Math.min(OUTPUT_FLOOR_TOKENS, terms.cap) } : {};
    return { ok: false, refusal: { available: free, required: sized.required, affordableMaxTokens: sized.affordable, ...floor } };
  }
  return { ok: true, amount: sized.amount, ...(terms.requested === undefined ? { maxTokens: sized.outputTokens } : {}) };
}
