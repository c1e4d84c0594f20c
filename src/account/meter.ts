/**
 * Meters one chat request against its account object: one round trip to
 * authorize (rate limit + worst-case hold) before the provider is called, a
 * renewal of the hold every HOLD_RENEW_MS while the request lives, and one
 * round trip to charge the real cost before the answer is released (a whole
 * answer before its response, a stream before its usage chunk and [DONE]), so
 * the charge and the balance shown are the object's own. A charge the object
 * does not record in time goes to the CHARGES queue (charge-delivery.ts): the
 * answer is still delivered, marked pending. The request path never writes to D1.
 */
import { messageOf } from '../errors';
import type { AuthenticatedKey, Config, Env } from '../env';
import type { NormalizedUsage } from '../base/upstream';
import type { CatalogModel } from '../base/catalog';
import type { BillingMode, BillingStatus, RequestContext, RequestOutcome } from '../billing/billing-log';
import { deliverCharge, type ChargeMessage } from './charge-delivery';
import { computeCost, ONE, onePlus, ZERO, type BillableUsage, type Rate } from '../base/cost';
import type { ByokKeySet } from './byok-key-store';
import { accountStub, refusalToError } from './client';
import { outputCap, type HoldTerms } from './hold-size';
import type { StandardFallbackDecision } from './standard-fallback';
import { logError } from '../base/log';

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
  /** Units taken from the balance (when pending: the cost that will be charged). */
  charged: number;
  /** The balance right after the charge; undefined while the charge is pending. */
  balance: number | undefined;
  /** Units of the cost neither the hold nor the free balance covered. */
  uncollected: number;
  /** The charge is in the CHARGES queue, not yet recorded by the account object. */
  pending: boolean;
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
function worstCase(input: MeterInput, model: CatalogModel, outputTokens: number, mode: BillingMode, byokFree: boolean): number {
  const usage: BillableUsage = { promptTokens: input.promptEstimate, cachedTokens: 0, completionTokens: outputTokens };
  return computeCost(usage, model.price, multiplier(input.config, mode, byokFree));
}

/** What the object sizes a hold on `model` from, in `mode` (a BYOK request's at the routing fee). */
function holdTerms(input: MeterInput, model: CatalogModel, mode: BillingMode): HoldTerms {
  return {
    promptTokens: input.promptEstimate,
    price: model.price,
    multiplier: multiplier(input.config, mode, false),
    cap: outputCap(model, input.promptEstimate),
    ...(input.maxTokens === undefined ? {} : { requested: input.maxTokens }),
  };
}

/** The object's refusal to serve a BYOK request as standard (its credits, or its key's limit, do not cover it). */
export type StandardFallbackRefusal = Extract<StandardFallbackDecision, { ok: false }>;

export class Meter {
  private settlement: Promise<Settlement> | undefined;
  private renewal: ReturnType<typeof setTimeout> | undefined;
  private ended = false;

  private constructor(
    private readonly input: MeterInput,
    private readonly stub: ReturnType<typeof accountStub>,
    /** What the object knows of the request from its admission (its mode among it); the charge carries it. */
    private context: RequestContext,
    /** Units held for this request (the worst case of the costliest model tried so far). */
    private held: number,
    /** A BYOK request within the month's free requests. */
    private byokFree: boolean,
    /** The output limit the account object granted (the client sent no max_tokens, and the request holds). */
    private granted: number | undefined,
  ) {
    this.renewLater();
  }

  /** How the request is billed: as admitted, or standard once it fell back to credits. */
  get mode(): BillingMode {
    return this.context.mode;
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
    const terms = holdTerms(input, model, input.mode);
    const decision = await stub.authorize({ requestId: input.requestId, terms, context, now: input.now, byokVersion: input.byokVersion });
    if (!decision.ok) {
      if (decision.reason === 'byok_stale') return { stale: decision.byok };
      throw refusalToError(decision);
    }
    const byokFree = decision.byokFree === true;
    const held = byokFree ? 0 : worstCase(input, model, input.maxTokens ?? decision.maxTokens ?? terms.cap, input.mode, false);
    return new Meter(input, stub, input.mode === 'byok' ? { ...context, byokFree } : context, held, byokFree, decision.maxTokens);
  }

  /**
   * The output limit find-token sends upstream for `model` (and names in X-FindToken-Max-Tokens):
   * the granted one, within the model's own cap; undefined when the client sent max_tokens.
   */
  outputLimit(model: CatalogModel): number | undefined {
    return this.granted === undefined ? undefined : Math.min(this.granted, outputCap(model, this.input.promptEstimate));
  }

  /** Renews the hold every HOLD_RENEW_MS until the request is charged (a failed renewal is tried next period). */
  private renewLater(): void {
    this.renewal = setTimeout(() => {
      if (this.ended) return;
      this.stub
        .renew({ requestId: this.input.requestId, amount: this.held, keyId: this.input.auth.keyId })
        .catch((error: unknown) => logError('hold.renew_failed', { requestId: this.input.requestId, message: 'renewing the hold failed', cause: messageOf(error) }))
        .finally(() => {
          if (!this.ended) this.renewLater();
        });
    }, this.input.config.holdRenewMs);
  }

  /**
   * Before failing over to another model: its worst case must be held too. A
   * pricier model raises the hold (one more round trip, only then); false = the
   * balance cannot cover it, so that model is skipped.
   */
  async holdFor(model: CatalogModel): Promise<boolean> {
    const output = this.input.maxTokens ?? this.outputLimit(model) ?? outputCap(model, this.input.promptEstimate);
    const amount = worstCase(this.input, model, output, this.mode, this.byokFree);
    if (amount <= this.held) return true;
    const raised = await this.stub.raiseHold(this.input.requestId, amount, this.input.auth.keyId);
    if (raised.ok) this.held = amount;
    return raised.ok;
  }

  /**
   * Re-authorizes a BYOK request as standard (its registered key refused, with fallback_to_credits), in one
   * round trip: the object raises the hold to the standard worst case on `model` and takes the request out
   * of the BYOK month's count. From then on every hold and the charge are standard, and the billing log
   * says why. Returns the object's refusal (the BYOK hold stands), or undefined once it is standard.
   */
  async holdAsStandard(model: CatalogModel, fallbackReason: string): Promise<StandardFallbackRefusal | undefined> {
    const { requestId, auth } = this.input;
    const decision = await this.stub.reauthorizeAsStandard({ requestId, keyId: auth.keyId, held: this.held, terms: holdTerms(this.input, model, 'standard') });
    if (!decision.ok) return decision;
    const { byokFree: _, ...context } = this.context;
    this.context = { ...context, mode: 'standard', fallbackReason };
    this.byokFree = false;
    this.held = decision.held;
    this.granted = decision.maxTokens;
    return undefined;
  }

  /**
   * Charges the request once, whatever calls it (a second call returns the
   * first result), and stops renewing its hold. Resolves once the account
   * object recorded it, or once it is queued (`pending`); never rejects.
   */
  charge(end: MeteredEnd, now: number, waitUntil: (promise: Promise<unknown>) => void): Promise<Settlement> {
    this.settlement ??= this.chargeOnce(end, now, waitUntil);
    return this.settlement;
  }

  /** Ends a request that delivered nothing: charged nothing, its hold released now. */
  release(model: CatalogModel, now: number, waitUntil: (promise: Promise<unknown>) => void): Promise<Settlement> {
    return this.charge({ status: 'failed', usage: undefined, deliveredTokens: 0, model }, now, waitUntil);
  }

  private async chargeOnce(end: MeteredEnd, now: number, waitUntil: (promise: Promise<unknown>) => void): Promise<Settlement> {
    this.ended = true;
    clearTimeout(this.renewal);
    const { outcome, usage, estimated } = this.outcomeOf(end);
    const message: ChargeMessage = {
      accountId: this.input.auth.accountId,
      charge: { requestId: this.input.requestId, held: this.held, context: this.context, outcome, now, ...(end.byokKeyId ? { byokKeyId: end.byokKeyId } : {}) },
    };
    const delivery = await deliverCharge(this.input.env, this.stub, message, { timeoutMs: this.input.config.chargeTimeoutMs, waitUntil });
    if (delivery.recorded) {
      const { charged, uncollected, balance } = delivery.result;
      return { charged, uncollected, balance, pending: false, usage, estimated };
    }
    logError('charge.late', { requestId: this.input.requestId, message: 'charge not recorded in time', outcome: delivery.queued ? 'queued' : 'charge_lost' });
    return { charged: outcome.cost, uncollected: 0, balance: undefined, pending: true, usage, estimated };
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
      cost: computeCost(usage, price, multiplier(this.input.config, this.mode, this.byokFree)),
      providerCost: computeCost(usage, price, ONE),
      estimated,
      status: end.status,
      model: end.model.id,
      provider: end.model.provider,
    };
    return { outcome, usage, estimated };
  }
}
