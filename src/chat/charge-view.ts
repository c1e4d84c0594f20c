/**
 * How a request's charge is shown to the client: as headers on a whole answer,
 * inside the usage object of a stream (headers leave before the tokens). Both
 * render the same settlement with the same money formatter.
 */
import type { Settlement } from '../account/meter';
import type { BillingMode } from '../billing/billing-log';
import { formatUsd, usdNumber } from '../base/money';
import type { JsonObject } from '../base/upstream';
import { toOpenAiUsage } from '../providers/completion';

/**
 * The usage object a stream's client sees: OpenAI's, plus what it cost and, in
 * standard mode, what is left; `charge_pending: true` (and no balance) while the
 * charge waits in the queue.
 */
export function billedUsage(settlement: Settlement, mode: BillingMode): JsonObject {
  const usage: JsonObject = { ...toOpenAiUsage(settlement.usage), cost: usdNumber(settlement.charged) };
  if (settlement.balance === undefined) usage.charge_pending = true;
  else if (mode === 'standard') usage.balance = usdNumber(settlement.balance);
  return usage;
}

/** X-FindToken-Cost, and X-FindToken-Balance in standard mode; `X-FindToken-Charge: pending` (no balance) while queued. */
export function chargeHeaders(settlement: Settlement, mode: BillingMode): Record<string, string> {
  const headers: Record<string, string> = { 'X-FindToken-Cost': formatUsd(settlement.charged) };
  if (settlement.balance === undefined) headers['X-FindToken-Charge'] = 'pending';
  else if (mode === 'standard') headers['X-FindToken-Balance'] = formatUsd(settlement.balance);
  return headers;
}
