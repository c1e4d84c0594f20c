import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { ApiError, invalidRequest, modelNotFound } from '../errors';
import { parseJsonBody } from '../middleware/json-body';
import type { JsonObject } from '../providers/types';
import { ChatRequestSchema } from '../schemas/chat-request';
import { findModel } from '../routing/catalog';
import { executeChat } from '../routing/execute';
import { failureToError } from '../routing/failure-to-error';
import { checkRequestFits } from '../routing/request-fit';

const providerNotConfigured = (provider: string) =>
  new ApiError({
    status: 503,
    type: 'server_error',
    code: 'provider_not_configured',
    retryable: true,
    message: `The provider ${provider} is not configured on this gateway.`,
  });

export const chatCompletions = new Hono<AppEnv>().post('/', async (c) => {
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

  const stream = request.stream === true;
  const result = await executeChat({
    config,
    model,
    request: request as JsonObject,
    stream,
    includeUsage: stream && request.stream_options?.include_usage === true,
    clientSignal: c.req.raw.signal,
    fetch: (input, init) => fetch(input, init),
  });
  const served = { 'X-FindToken-Provider': model.provider, 'X-FindToken-Model': model.id };
  if (!result.ok) {
    const error = failureToError(result.failure);
    Object.assign(error.headers, served);
    throw error;
  }
  for (const [name, value] of Object.entries(served)) result.response.headers.set(name, value);
  return result.response;
});
