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
import { findModel } from '../routing/catalog';
import { executeChat } from '../routing/execute';
import { failureToError } from '../routing/failure-to-error';
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

/** Everything checked before credits are reserved: the request, the model, the provider. */
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
  if (!config.providers[model.provider].apiKey) throw providerNotConfigured(model.provider);
  return { request, model, config };
}

export const chatCompletions = new Hono<AppEnv>().post('/', async (c) => {
  const { request, model, config } = await admit(c).catch(async (error: unknown) => {
    // Revocation is checked by authorize, which a refused request never reaches: a revoked key still gets its 401.
    await assertKeyNotRevoked(c);
    throw error;
  });

  const stream = request.stream === true;
  // Server-Timing shows where a request's time went (the benchmark reads it); the runtime's
  // clock advances across I/O, which is exactly what these spans are.
  const timing = new ServerTiming();
  const meter = await Meter.open({
    env: c.env,
    config,
    auth: c.get('auth'),
    requestId: c.get('requestId'),
    model,
    routing: request.routing ?? 'auto',
    stream,
    promptEstimate: estimatePromptTokens(request),
    maxCompletionTokens: request.max_completion_tokens ?? request.max_tokens ?? model.maxOutputTokens,
    now: Date.now(),
  });
  timing.mark('authorize');
  const served = { 'X-FindToken-Mode': meter.mode, 'X-FindToken-Provider': model.provider, 'X-FindToken-Model': model.id };

  const result = await executeChat({
    config,
    model,
    request: request as JsonObject,
    stream,
    includeUsage: stream && request.stream_options?.include_usage === true,
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
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  });
  timing.mark('upstream');

  if (!result.ok) {
    // Nothing was delivered: it costs nothing, and the reservation is released (after the response).
    meter.settleAfterResponse({ status: 'failed', usage: undefined, deliveredTokens: 0, model }, Date.now(), (promise) => c.executionCtx.waitUntil(promise));
    const error = failureToError(result.failure);
    Object.assign(error.headers, served);
    throw error;
  }
  if (result.kind === 'stream') {
    return new Response(result.body, { headers: { ...SSE_RESPONSE_HEADERS, ...served, 'Server-Timing': timing.header() } });
  }

  // The whole answer is in hand: its cost is known here, and the account object records it after the response.
  const settlement = meter.settleAfterResponse(
    { status: 'succeeded', usage: result.usage, deliveredTokens: result.deliveredTokens, model },
    Date.now(),
    (promise) => c.executionCtx.waitUntil(promise),
  );
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
