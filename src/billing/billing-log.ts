/** The billing log record: written by the account object, carried to D1 by the BILLING_LOGS queue, shown to the user. */
export type BillingMode = 'standard' | 'byok';
export type BillingStatus = 'succeeded' | 'failed' | 'interrupted' | 'abandoned';

/** What is known when a request is admitted (stored with its reservation). */
export interface RequestContext {
  keyId: string;
  keyName: string;
  keyPrefix: string;
  model: string;
  provider: string;
  mode: BillingMode;
  routing: string;
  stream: boolean;
  startedAt: number;
  /** BYOK within the month's free requests: no routing fee. */
  byokFree?: boolean;
  /** The registered provider key used (BYOK), for its last-used time. */
  byokKeyId?: string;
  /** Served standard because the registered key (with fallback_to_credits) was refused: which, and why. */
  fallbackReason?: string;
}

/** What is known when it ends. Money in units. */
export interface RequestOutcome {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  /** What the user is charged (standard: provider cost × 1.055). */
  cost: number;
  /** What the provider charges for it, at list price. */
  providerCost: number;
  estimated: boolean;
  status: BillingStatus;
  /** The model that served (after failover), when it differs from the context's. */
  model?: string;
  provider?: string;
}

export interface BillingLogRecord extends RequestContext, Omit<RequestOutcome, 'model' | 'provider'> {
  /** What the request cost beyond what could be taken (`cost` is what was taken): the free balance ran out. */
  uncollected: number;
  id: string;
  requestId: string;
  accountId: string;
  createdAt: number;
  latencyMs: number;
}
