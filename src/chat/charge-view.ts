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

/** The usage object a stream's client sees: OpenAI's, plus what it cost (and, in standard mode, what is left). */
export const billedUsage = (settlement: Settlement, mode: BillingMode): JsonObject => ({
  ...toOpenAiUsage(settlement.usage),
  cost: usdNumber(settlement.charged),
  ...(mode === 'standard' ? { balance: usdNumber(settlement.balance) } : {}),
});

/** X-FindToken-Cost, and X-FindToken-Balance in standard mode. */
export const chargeHeaders = (settlement: Settlement, mode: BillingMode): Record<string, string> => ({
  'X-FindToken-Cost': formatUsd(settlement.charged),
  ...(mode === 'standard' ? { 'X-FindToken-Balance': formatUsd(settlement.balance) } : {}),
});
