import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { byokCache } from '../byok/cache';
import { accountStub } from '../account/client';
import type { BillingMode } from '../billing/billing-log';
import { Meter, type Settlement } from '../account/meter';
import { formatUsd, usdNumber } from '../base/money';
import { parseJsonBody } from '../middleware/json-body';
import { assertKeyNotRevoked } from '../middleware/api-key-auth';
import { ServerTiming } from '../middleware/server-timing';
import { toOpenAiUsage } from '../providers/completion';
import type { ProviderId } from '../base/provider-id';
import type { JsonObject } from '../base/upstream';
import { apiKeyFor, providerKeyRefused } from '../byok/credentials';
import { dispatch } from '../routing/dispatch';
import { executeChat } from '../chat/attempt';
import { providerHealth } from '../routing/health';
import { readNeeds, type ChatNeeds } from '../routing/plan-request';
import { planRequest, type RoutePlan } from '../chat/plan-route';
import { ChatRequestSchema, type ChatRequest } from '../schemas/chat-request';
import { SSE_RESPONSE_HEADERS } from '../streaming/sse';

/** The usage object a client sees: OpenAI's, plus what it cost (and, in standard mode, what is left). */
const billedUsage = (settlement: Settlement, mode: BillingMode): JsonObject => ({
  ...toOpenAiUsage(settlement.usage),
  cost: usdNumber(settlement.charged),
  ...(mode === 'standard' ? { balance: usdNumber(settlement.balance) } : {}),
});

const byokUnavailable = () =>
  new ApiError({ status: 503, type: 'server_error', code: 'byok_unavailable', retryable: true, message: 'Stored provider keys cannot be used right now. Please retry.' });

/** Holds the worst case for the plan; plans again once if the account's BYOK keys changed meanwhile. */
async function openMeter(c: Context<AppEnv>, request: ChatRequest, chat: ChatNeeds, stream: boolean): Promise<{ meter: Meter } & RoutePlan> {
  const config = c.get('config');
  const auth = c.get('auth');
  let byok = byokCache.get(auth.accountId);
  for (let attempt = 0; attempt < 2; attempt++) {
    const routed = planRequest(request, chat, byok, config, providerHealth, Date.now());
    const { credentials, plan } = routed;
    const opened = await Meter.open({
      env: c.env,
      config,
      auth,
      requestId: c.get('requestId'),
      model: plan[0]!,
      routing: chat.strategy,
      stream,
      promptEstimate: chat.needs.promptEstimate,
      maxTokens: chat.needs.maxTokens,
      now: Date.now(),
      mode: credentials.mode,
      // An inline key does not depend on the registered ones.
      byokVersion: credentials.mode === 'byok' && credentials.source === 'inline' ? undefined : byok.version,
    });
    if (opened instanceof Meter) return { meter: opened, ...routed };
    byok = opened.stale;
    byokCache.set(auth.accountId, byok);
  }
  throw byokUnavailable();
}

export const chatCompletions = new Hono<AppEnv>().post('/', async (c) => {
  const { request, chat } = await (async () => {
    const parsed = await parseJsonBody(c, ChatRequestSchema);
    return { request: parsed, chat: readNeeds(parsed) };
  })().catch(async (error: unknown) => {
    // Revocation is checked by authorize, which a refused request never reaches: a revoked key still gets its 401.
    await assertKeyNotRevoked(c);
    throw error;
  });

  const config = c.get('config');
  const { accountId } = c.get('auth');
  const stream = request.stream === true;
  const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  providerHealth.refreshInBackground(c.env.DB, config, Date.now(), waitUntil);
  // Server-Timing shows where a request's time went (the benchmark reads it); the runtime's
  // clock advances across I/O, which is exactly what these spans are.
  const timing = new ServerTiming();
  const { meter, credentials, plan } = await openMeter(c, request, chat, stream);
  timing.mark('authorize');
  /** Each provider's key for this request, read (decrypted) once however many attempts use it. */
  const keys = new Map<string, ReturnType<typeof apiKeyFor>>();
  const keyFor = (provider: ProviderId) => {
    let key = keys.get(provider);
    if (!key) keys.set(provider, (key = apiKeyFor(credentials, provider, c.env, config, accountId)));
    return key;
  };

  const routed = await dispatch({
    plan,
    config,
    health: providerHealth,
    signal: c.req.raw.signal,
    admit: (model) => meter.holdFor(model),
    keyRefused: (failure) => {
      if (credentials.mode !== 'byok' || (failure.kind !== 'auth' && failure.kind !== 'balance')) return undefined;
      const stored = credentials.source === 'registered' ? credentials.keys.get(failure.provider) : undefined;
      if (stored) waitUntil(accountStub(c.env, accountId).byokKeyFailed(stored.id, `${failure.kind === 'auth' ? 'rejected' : 'out of balance'} (HTTP ${failure.status ?? '?'})`, Date.now()));
      return providerKeyRefused(failure);
    },
    attempt: async (model, budgetMs) => {
      const key = await keyFor(model.provider).catch((error: unknown) => {
        console.error(`[${c.get('requestId')}] a stored provider key could not be read:`, error instanceof Error ? error.message : error);
        throw byokUnavailable();
      });
      return executeChat({
        config,
        model,
        apiKey: key.apiKey,
        request: request as JsonObject,
        stream,
        includeUsage: stream && request.stream_options?.include_usage === true,
        budgetMs,
        clientSignal: c.req.raw.signal,
        fetch: (input, init) => fetch(input, init),
        finalizeStream: async (outcome) => {
          const status = outcome.completed ? 'succeeded' : 'interrupted';
          try {
            const settlement = await meter.settle({ status, usage: outcome.usage, deliveredTokens: outcome.deliveredTokens, model, byokKeyId: key.byokKeyId }, Date.now());
            return billedUsage(settlement, meter.mode);
          } catch (error) {
            // The answer was delivered; the hold is released by the account object's alarm.
            console.error(`[${c.get('requestId')}] settling a stream failed:`, error instanceof Error ? error.message : error);
            return undefined;
          }
        },
        waitUntil,
      });
    },
  });
  timing.mark('upstream');
  const attempts = { 'X-FindToken-Mode': meter.mode, 'X-FindToken-Attempts': String(routed.attempts) };

  if (!routed.ok) {
    // Nothing was delivered: it costs nothing, and the reservation is released (after the response).
    meter.settleAfterResponse({ status: 'failed', usage: undefined, deliveredTokens: 0, model: plan[0]! }, Date.now(), waitUntil);
    const answered = routed.model ? { 'X-FindToken-Provider': routed.model.provider, 'X-FindToken-Model': routed.model.id } : {};
    Object.assign(routed.error.headers, attempts, answered);
    throw routed.error;
  }
  const { model, result } = routed;
  const served = { ...attempts, 'X-FindToken-Provider': model.provider, 'X-FindToken-Model': model.id };
  if (result.kind === 'stream') {
    return new Response(result.body, { headers: { ...SSE_RESPONSE_HEADERS, ...served, 'Server-Timing': timing.header() } });
  }

  // The whole answer is in hand: its cost is known here, and the account object records it after the response.
  const end = { status: 'succeeded' as const, usage: result.usage, deliveredTokens: result.deliveredTokens, model, byokKeyId: (await keyFor(model.provider)).byokKeyId };
  const settlement = meter.settleAfterResponse(end, Date.now(), waitUntil);
  result.body.usage = toOpenAiUsage(settlement.usage);
  return Response.json(result.body, {
    headers: {
      ...served,
      'X-FindToken-Cost': formatUsd(settlement.charged),
      ...(meter.mode === 'standard' ? { 'X-FindToken-Balance': formatUsd(settlement.balance) } : {}),
      'Server-Timing': timing.header(),
    },
  });
});
