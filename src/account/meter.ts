/**
 * Meters one chat request against its account object: one round trip to
 * authorize (rate limit + worst-case reservation) before the provider is called,
 * one to settle (the real cost, with its ledger row) when the request ends.
 * A whole answer's settle runs after the response (its cost is computed here by
 * the same function the ledger records), so the client never waits for that
 * second round trip. The request path never writes to D1.
 */
import type { AuthenticatedKey, Config, Env } from '../env';
import type { NormalizedUsage } from '../base/upstream';
import type { CatalogModel } from '../base/catalog';
import type { BillingMode, BillingStatus, RequestContext, RequestOutcome } from '../billing/billing-log';
import type { SettleResult } from './request-holds';
import { computeCost, ONE, onePlus, ZERO, type BillableUsage, type Rate } from '../base/cost';
import type { ByokKeySet } from './byok-key-store';
import { accountStub, refusalToError } from './client';
import { outputCap, type HoldTerms } from './hold-size';

export interface MeterInput {
  env: Env;
  config: Config;
  auth: AuthenticatedKey;
  requestId: string;
  model: CatalogModel;
  routing: string;
  stream: boolean;
  promptEstimate: number;
  /** max_tokens as asked; absent = the output limit the account object grants (the model's cap, or what the balance affords). */
  maxTokens: number | undefined;
  now: number;
  mode: BillingMode;
  /** The version of the account's BYOK keys the route was planned with (absent: not checked, as for an inline key). */
  byokVersion?: string;
}

export interface Settlement {
  /** Units taken from the balance. */
  charged: number;
  /** The balance after the charge. */
  balance: number;
  /** The usage billed: the provider's, or the estimate. */
  usage: NormalizedUsage;
  estimated: boolean;
}

/** How a request ended, as billing needs it. */
export interface MeteredEnd {
  status: BillingStatus;
  /** The provider's usage; absent = estimate from the prompt and what was delivered. */
  usage: NormalizedUsage | undefined;
  deliveredTokens: number;
  /** The model that served it. */
  model: CatalogModel;
  /** The registered provider key that served it (BYOK), to record its use. */
  byokKeyId?: string;
}

/** What the user pays per unit of provider cost: 1 + the fee (standard), the routing fee (BYOK past the free tier), or nothing. */
function multiplier(config: Config, mode: BillingMode, byokFree: boolean): Rate {
  if (mode === 'standard') return onePlus(config.standardFeeRate);
  return byokFree ? ZERO : config.byokFeeRate;
}

/** The most a request can cost on a model: the prompt estimate plus the output limit sent upstream, at the mode's rate. */
function worstCase(input: MeterInput, model: CatalogModel, outputTokens: number, byokFree = false): number {
  const usage: BillableUsage = { promptTokens: input.promptEstimate, cachedTokens: 0, completionTokens: outputTokens };
  return computeCost(usage, model.price, multiplier(input.config, input.mode, byokFree));
}

/** Settling after the response: a failed round trip is tried again (settle is idempotent per request). */
const SETTLE_RETRY_DELAYS_MS = [100, 500, 2_000];

export class Meter {
  private settlement: Promise<Settlement> | undefined;

  private constructor(
    private readonly input: MeterInput,
    private readonly stub: ReturnType<typeof accountStub>,
    /** The balance when the request was admitted (before its own charge). */
    private readonly admittedBalance: number,
    /** Units held for this request (the worst case of the costliest model tried so far). */
    private held: number,
    /** A BYOK request within the month's free requests. */
    readonly byokFree: boolean,
    /** The output limit the account object granted (the client sent no max_tokens, and the request holds). */
    private readonly granted: number | undefined,
  ) {}

  get mode(): BillingMode {
    return this.input.mode;
  }

  /**
   * Reserves the worst case; throws 429 or 402 before any provider is called.
   * Returns the account's current BYOK keys instead when the route was planned
   * with a stale copy (nothing is held then: plan again and reopen).
   */
  static async open(input: MeterInput): Promise<Meter | { stale: ByokKeySet }> {
    const { env, auth, model } = input;
    const stub = accountStub(env, auth.accountId);
    const context: RequestContext = {
      keyId: auth.keyId,
      keyName: auth.keyName,
      keyPrefix: auth.keyPrefix,
      model: model.id,
      provider: model.provider,
      mode: input.mode,
      routing: input.routing,
      stream: input.stream,
      startedAt: input.now,
    };
    // The object applies its own rate limit, hold bound and BYOK free tier, and sizes the hold (and the output
    // limit, when the client sent none) against the balance available at admission.
    const terms: HoldTerms = {
      promptTokens: input.promptEstimate,
      price: model.price,
      multiplier: multiplier(input.config, input.mode, false),
      cap: outputCap(model, input.promptEstimate),
      ...(input.maxTokens === undefined ? {} : { requested: input.maxTokens }),
    };
    const decision = await stub.authorize({ requestId: input.requestId, terms, context, now: input.now, byokVersion: input.byokVersion });
    if (!decision.ok) {
      if (decision.reason === 'byok_stale') return { stale: decision.byok };
      throw refusalToError(decision);
    }
    const byokFree = decision.byokFree === true;
    const held = byokFree ? 0 : worstCase(input, model, input.maxTokens ?? decision.maxTokens ?? terms.cap);
    return new Meter(input, stub, decision.balance, held, byokFree, decision.maxTokens);
  }

  /**
   * The output limit find-token sends upstream for `model` (and names in X-FindToken-Max-Tokens):
   * the granted one, within the model's own cap; undefined when the client sent max_tokens.
   */
  outputLimit(model: CatalogModel): number | undefined {
    return this.granted === undefined ? undefined : Math.min(this.granted, outputCap(model, this.input.promptEstimate));
  }

  /**
   * Before failing over to another model: its worst case must be held too. A
   * pricier model raises the hold (one more round trip, only then); false = the
   * balance cannot cover it, so that model is skipped.
   */
  async holdFor(model: CatalogModel): Promise<boolean> {
    const output = this.input.maxTokens ?? this.outputLimit(model) ?? outputCap(model, this.input.promptEstimate);
    const amount = worstCase(this.input, model, output, this.byokFree);
    if (amount <= this.held) return true;
    const raised = await this.stub.raiseHold(this.input.requestId, amount);
    if (raised.ok) this.held = amount;
    return raised.ok;
  }

  /** Charges the request once, whatever calls it (a second call returns the first result). */
  settle(end: MeteredEnd, now: number): Promise<Settlement> {
    this.settlement ??= this.settleOnce(end, now);
    return this.settlement;
  }

  /**
   * Charges a request whose outcome is final without making the client wait:
   * returns the settlement as of admission (exact for a client that does not
   * overlap its own requests) and settles in the background, retrying a failed
   * round trip. The account object still decides the charge (it never takes
   * the balance below zero).
   */
  settleAfterResponse(end: MeteredEnd, now: number, waitUntil: (promise: Promise<unknown>) => void): Settlement {
    const { outcome, usage, estimated } = this.outcomeOf(end);
    const charged = Math.min(outcome.cost, this.admittedBalance);
    const settlement: Settlement = { charged, balance: this.admittedBalance - charged, usage, estimated };
    if (this.settlement) return settlement;
    this.settlement = this.settleWithRetries(outcome, now, end.byokKeyId).then(() => settlement);
    waitUntil(
      this.settlement.catch((error: unknown) => {
        // The hold is released by the account object's alarm; this charge is lost, so say so loudly.
        console.error(`[${this.input.requestId}] settle failed after retries:`, error instanceof Error ? error.message : error);
      }),
    );
    return settlement;
  }

  private async settleWithRetries(outcome: RequestOutcome, now: number, byokKeyId?: string): Promise<SettleResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.send(outcome, now, byokKeyId);
      } catch (error) {
        const delay = SETTLE_RETRY_DELAYS_MS[attempt];
        if (delay === undefined) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async settleOnce(end: MeteredEnd, now: number): Promise<Settlement> {
    const { outcome, usage, estimated } = this.outcomeOf(end);
    const result = await this.send(outcome, now, end.byokKeyId);
    return { charged: result.charged, balance: result.balance, usage, estimated };
  }

  private send(outcome: RequestOutcome, now: number, byokKeyId?: string): Promise<SettleResult> {
    return this.stub.settle({ requestId: this.input.requestId, now, outcome, byokKeyId });
  }

  /** What the request is billed: the provider's usage (or the estimate) at the served model's price. */
  private outcomeOf(end: MeteredEnd): { outcome: RequestOutcome; usage: NormalizedUsage; estimated: boolean } {
    const estimated = end.usage === undefined && end.status !== 'failed';
    const usage: NormalizedUsage =
      end.status === 'failed'
        ? { promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0 }
        : end.usage ?? { promptTokens: this.input.promptEstimate, completionTokens: end.deliveredTokens, cachedTokens: 0, reasoningTokens: 0 };
    const price = end.model.price;
    const outcome: RequestOutcome = {
      ...usage,
      cost: computeCost(usage, price, multiplier(this.input.config, this.input.mode, this.byokFree)),
      providerCost: computeCost(usage, price, ONE),
      estimated,
      status: end.status,
      model: end.model.id,
      provider: end.model.provider,
    };
    return { outcome, usage, estimated };
  }
}
