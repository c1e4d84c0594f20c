/**
 * The one chat flow: plan → authorize → dispatch → relay → charge. A route
 * parses the request, calls serveChat and renders what comes back; nothing
 * here knows about HTTP frameworks.
 *
 * Access (revoked key, deactivated account) is ruled on once per request by
 * the account object: inside authorize for a request that gets that far, or by
 * one key-state question for a request refused before it — so a revoked key
 * hears "revoked", not what else was wrong with its request.
 */
import { keyAccessError } from '../account/client';
import type { Meter } from '../account/meter';
import type { CatalogModel } from '../base/catalog';
import type { Credentials } from '../byok/credentials';
import { ServerTiming } from '../base/server-timing';
import type { JsonObject } from '../base/upstream';
import { requestKeys } from '../byok/request-keys';
import type { AuthenticatedKey, Config, Env } from '../env';
import { ApiError } from '../errors';
import { dispatch } from '../routing/dispatch';
import { providerHealth } from '../routing/health';
import { readNeeds, type ChatNeeds } from '../routing/plan-request';
import type { ChatRequest } from '../schemas/chat-request';
import { executeChat, type ExecuteResult } from './attempt';
import { billedUsage, chargeHeaders } from './charge-view';
import { toOpenAiUsage } from '../providers/completion';
import { openMeter, type AccessRuling } from './open-meter';
import { creditFallback, fallBackToCredits } from './credit-fallback';

export interface ChatCall {
  env: Env;
  config: Config;
  auth: AuthenticatedKey;
  requestId: string;
  /** The validated request, or the ApiError its body earned (answered once the key's access is known). */
  body: { ok: true; request: ChatRequest } | { ok: false; error: ApiError };
  /** The client's connection: aborts when it goes away. */
  signal: AbortSignal;
  waitUntil: (promise: Promise<unknown>) => void;
  now: () => number;
  fetch: typeof fetch;
}

export type ChatResult =
  | { kind: 'json'; body: JsonObject; headers: Record<string, string> }
  /** An SSE body; its cost travels in the final usage chunk. */
  | { kind: 'stream'; body: ReadableStream<Uint8Array>; headers: Record<string, string> }
  | { kind: 'error'; error: ApiError };

export async function serveChat(call: ChatCall): Promise<ChatResult> {
  const access: AccessRuling = { decided: false };
  try {
    return await serve(call, access);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const denied = access.decided ? undefined : await keyAccessError(call.env, call.auth, call.now());
    return { kind: 'error', error: denied ?? error };
  }
}

async function serve(call: ChatCall, access: AccessRuling): Promise<ChatResult> {
  if (!call.body.ok) throw call.body.error;
  const { env, config, waitUntil, now } = call;
  const request = call.body.request;
  const chat = readNeeds(request, call.auth.models ?? null);
  providerHealth.refreshInBackground(env.DB, config, now(), waitUntil);
  // Server-Timing shows where a request's time went (the benchmark reads it).
  const timing = new ServerTiming();
  const { meter, credentials, plan } = await openMeter(call, request, chat, access);
  timing.mark('authorize');
  try {
    return await serveHeld(call, request, chat, meter, credentials, plan, timing);
  } catch (error) {
    // Any failure inside the request releases its hold at once (the release never throws).
    await meter.release(plan[0]!, now(), waitUntil);
    throw error;
  }
}

/**
 * Everything after the hold: dispatch, then the charge before the answer is released. A registered
 * key refused with fallback_to_credits sends the request round once more, standard (credit-fallback.ts).
 */
async function serveHeld(call: ChatCall, request: ChatRequest, chat: ChatNeeds, meter: Meter, credentials: Credentials, plan: CatalogModel[], timing: ServerTiming): Promise<ChatResult> {
  const { config, waitUntil, now } = call;
  // One routing budget for the whole request, a fallback to credits included: it stays the outer bound.
  const deadline = now() + config.routingBudgetMs;
  let { keys, routed } = await route(call, request, meter, credentials, plan, deadline);
  let tried = routed.attempts;
  const fallback = routed.ok ? undefined : creditFallback(keys.refusedKey(), request);
  if (fallback) {
    const standard = await fallBackToCredits(request, chat, meter, fallback, config, now());
    ({ keys, routed } = await route(call, request, meter, standard.credentials, standard.plan, deadline));
    tried += routed.attempts;
  }
  timing.mark('upstream');
  const attempts = { 'X-FindToken-Mode': meter.mode, 'X-FindToken-Attempts': String(tried) };

  if (!routed.ok) {
    // Nothing was delivered: it costs nothing, and the hold is released before the error is answered.
    await meter.release(plan[0]!, now(), waitUntil);
    const answered = routed.model ? { 'X-FindToken-Provider': routed.model.provider, 'X-FindToken-Model': routed.model.id } : {};
    Object.assign(routed.error.headers, attempts, answered);
    return { kind: 'error', error: routed.error };
  }
  const { model, result } = routed;
  const limit = meter.outputLimit(model);
  const served = { ...attempts, 'X-FindToken-Provider': model.provider, 'X-FindToken-Model': model.id, ...(limit === undefined ? {} : { 'X-FindToken-Max-Tokens': String(limit) }) };
  if (result.kind === 'stream') return { kind: 'stream', body: result.body, headers: { ...served, 'Server-Timing': timing.header() } };

  // The whole answer is in hand: it is charged before its response leaves, so its headers are the ledger's.
  const { byokKeyId } = await keys.keyFor(model.provider);
  const settlement = await meter.charge({ status: 'succeeded', usage: result.usage, deliveredTokens: result.deliveredTokens, model, byokKeyId }, now(), waitUntil);
  timing.mark('charge');
  result.body.usage = toOpenAiUsage(settlement.usage);
  return { kind: 'json', body: result.body, headers: { ...served, ...chargeHeaders(settlement, meter.mode), 'Server-Timing': timing.header() } };
}

/** One pass of dispatch over `plan` with `credentials`' keys. */
async function route(call: ChatCall, request: ChatRequest, meter: Meter, credentials: Credentials, plan: CatalogModel[], deadline: number) {
  const { env, config, auth, requestId, signal, waitUntil, now } = call;
  const stream = request.stream === true;
  const keys = requestKeys(credentials, { env, config, accountId: auth.accountId, requestId, now, waitUntil });
  const routed = await dispatch<Extract<ExecuteResult, { ok: true }>>({
    plan,
    config,
    health: providerHealth,
    signal,
    deadline,
    now,
    admit: (model) => meter.holdFor(model),
    keyRefused: (failure) => keys.refused(failure),
    attempt: async (model, budgetMs) => {
      const key = await keys.keyFor(model.provider);
      return executeChat({
        config,
        model,
        apiKey: key.apiKey,
        request: request as JsonObject,
        stream,
        outputLimit: meter.outputLimit(model),
        includeUsage: stream && request.stream_options?.include_usage === true,
        budgetMs,
        clientSignal: signal,
        fetch: call.fetch,
        finalizeStream: async (outcome) => {
          // Nothing generated costs nothing, however long the first token took (keep-alives included).
          const status = outcome.completed ? 'succeeded' : outcome.contentDelivered ? 'interrupted' : 'failed';
          const end = { status, usage: outcome.usage, deliveredTokens: outcome.deliveredTokens, model, byokKeyId: key.byokKeyId } as const;
          return billedUsage(await meter.charge(end, now(), waitUntil), meter.mode);
        },
        waitUntil,
      });
    },
  });
  return { keys, routed };
}
