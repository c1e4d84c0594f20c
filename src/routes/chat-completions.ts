import { Hono, type Context } from 'hono';
import type { AppEnv } from '../env';
import { ApiError, invalidRequest, modelNotFound } from '../errors';
import { Meter, type Settlement } from '../billing/meter';
import { formatUsd, usdNumber } from '../billing/money';
import { parseJsonBody } from '../middleware/json-body';
import { toOpenAiUsage } from '../providers/completion';
import { estimatePromptTokens } from '../providers/token-estimate';
import type { JsonObject } from '../providers/types';
import { ChatRequestSchema } from '../schemas/chat-request';
import { CATALOG, findModel, type CatalogModel } from '../routing/catalog';
import { dispatch } from '../routing/dispatch';
import { providerHealth } from '../routing/health';
import { planRoute, type RequestNeeds } from '../routing/strategies';
import type { ProviderId } from '../providers/provider-id';
import { executeChat } from '../routing/execute';
import { checkRequestFits } from '../routing/request-fit';
import { SSE_RESPONSE_HEADERS } from '../streaming/sse';
import { ServerTiming } from '../middleware/server-timing';
import { assertKeyNotRevoked } from '../middleware/api-key-auth';

const providerNotConfigured = (provider: string) =>
  new ApiError({
    status: 503,
    type: 'server_error',
    code: 'provider_not_configured',
    retryable: true,
    message: `The provider ${provider} is not configured on this gateway.`,
  });

/** The usage object a client sees: OpenAI's, plus what it cost and what is left. */
const billedUsage = (settlement: Settlement): JsonObject => ({
  ...toOpenAiUsage(settlement.usage),
  cost: usdNumber(settlement.charged),
  balance: usdNumber(settlement.balance),
});

/** Everything checked before credits are reserved: the request, the model, and a route to serve it. */
async function admit(c: Context<AppEnv>) {
  const request = await parseJsonBody(c, ChatRequestSchema);
  const model = findModel(request.model);
  if (!model) throw modelNotFound(request.model);
  if (request.provider_key) {
    // Bring-your-own-key billing is not live yet: never serve such a call on the platform's key.
    throw invalidRequest('provider_key (bring your own key) is not available yet.', 'provider_key', 'unsupported_parameter');
  }
  const misfit = checkRequestFits(request, model);
  if (misfit) throw misfit;
  const config = c.get('config');
  const strategy = request.routing ?? 'auto';
  const promptEstimate = estimatePromptTokens(request);
  const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const needs: RequestNeeds = { tools: (request.tools?.length ?? 0) > 0, promptEstimate, maxTokens };
  const now = Date.now();
  providerHealth.refreshInBackground(c.env.DB, config, now, (promise) => c.executionCtx.waitUntil(promise));
  const usable = (provider: ProviderId) => config.providers[provider].apiKey !== undefined;
  const plan = planRoute({ requested: model, strategy, needs, usable, health: (provider) => providerHealth.status(provider, now, config) });
  if (plan.length === 0) throw noRoute(model, needs, usable);
  return { request, plan, strategy, promptEstimate, maxTokens, config };
}

/** Why no model can take the request: nothing configured to call, or a prompt too long for every window. */
function noRoute(model: CatalogModel, needs: RequestNeeds, usable: (provider: ProviderId) => boolean): ApiError {
  const group = [model, ...CATALOG.filter((other) => other.group === model.group && other !== model)];
  if (!group.some((candidate) => usable(candidate.provider))) return providerNotConfigured(model.provider);
  const window = Math.max(...group.filter((candidate) => usable(candidate.provider)).map((candidate) => candidate.contextLength));
  return new ApiError({
    status: 400,
    type: 'invalid_request_error',
    code: 'context_length_exceeded',
    param: 'messages',
    message: `The request needs about ${needs.promptEstimate + (needs.maxTokens ?? 0)} tokens (prompt plus max_tokens); the largest context window that can serve it is ${window}.`,
  });
}

export const chatCompletions = new Hono<AppEnv>().post('/', async (c) => {
  const { request, plan, strategy, promptEstimate, maxTokens, config } = await admit(c).catch(async (error: unknown) => {
    // Revocation is checked by authorize, which a refused request never reaches: a revoked key still gets its 401.
    await assertKeyNotRevoked(c);
    throw error;
  });

  const stream = request.stream === true;
  const waitUntil = (promise: Promise<unknown>) => c.executionCtx.waitUntil(promise);
  // Server-Timing shows where a request's time went (the benchmark reads it); the runtime's
  // clock advances across I/O, which is exactly what these spans are.
  const timing = new ServerTiming();
  const meter = await Meter.open({
    env: c.env,
    config,
    auth: c.get('auth'),
    requestId: c.get('requestId'),
    model: plan[0]!,
    routing: strategy,
    stream,
    promptEstimate,
    maxTokens,
    now: Date.now(),
  });
  timing.mark('authorize');

  const routed = await dispatch({
    plan,
    config,
    health: providerHealth,
    signal: c.req.raw.signal,
    admit: (model) => meter.holdFor(model),
    attempt: (model, budgetMs) =>
      executeChat({
        config,
        model,
        request: request as JsonObject,
        stream,
        includeUsage: stream && request.stream_options?.include_usage === true,
        budgetMs,
        clientSignal: c.req.raw.signal,
        fetch: (input, init) => fetch(input, init),
        finalizeStream: async (outcome) => {
          const status = outcome.completed ? 'succeeded' : 'interrupted';
          try {
            const settlement = await meter.settle({ status, usage: outcome.usage, deliveredTokens: outcome.deliveredTokens, model }, Date.now());
            return billedUsage(settlement);
          } catch (error) {
            // The answer was delivered; the hold is released by the account object's alarm.
            console.error(`[${c.get('requestId')}] settling a stream failed:`, error instanceof Error ? error.message : error);
            return undefined;
          }
        },
        waitUntil,
      }),
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
  const settlement = meter.settleAfterResponse({ status: 'succeeded', usage: result.usage, deliveredTokens: result.deliveredTokens, model }, Date.now(), waitUntil);
  result.body.usage = toOpenAiUsage(settlement.usage);
  return Response.json(result.body, {
    headers: {
      ...served,
      'X-FindToken-Cost': formatUsd(settlement.charged),
      'X-FindToken-Balance': formatUsd(settlement.balance),
      'Server-Timing': timing.header(),
    },
  });
});
