import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { invalidRequest, modelNotFound } from '../errors';
import { parseJsonBody } from '../middleware/json-body';
import type { JsonObject } from '../providers/types';
import { ChatRequestSchema } from '../schemas/chat-request';
import { findModel } from '../routing/catalog';
import { executeChat } from '../routing/execute';
import { failureToError } from '../routing/failure-to-error';
import { ApiError } from '../errors';

export const chatCompletions = new Hono<AppEnv>().post('/', async (c) => {
  const request = await parseJsonBody(c, ChatRequestSchema);
  const model = findModel(request.model);
  if (!model) throw modelNotFound(request.model);
  if (request.provider_key) {
    // Bring-your-own-key billing is not live yet: never serve such a call on the platform's key.
    throw invalidRequest('provider_key (bring your own key) is not available yet.', 'provider_key', 'unsupported_parameter');
  }
  if (request.tools?.length && !model.capabilities.tools) {
    throw invalidRequest(`The model '${model.id}' does not support tools.`, 'tools', 'unsupported_parameter');
  }
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null && maxTokens > model.maxOutputTokens) {
    const param = request.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
    throw invalidRequest(`${param} is too large: ${model.id} supports at most ${model.maxOutputTokens} output tokens.`, param);
  }
  const config = c.get('config');
  if (!config.providers[model.provider].apiKey) {
    throw new ApiError({
      status: 503,
      type: 'server_error',
      code: 'provider_not_configured',
      retryable: true,
      message: `The provider ${model.provider} is not configured on this gateway.`,
    });
  }
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
  const headers = { 'X-FindToken-Provider': model.provider, 'X-FindToken-Model': model.id };
  if (!result.ok) throw withHeaders(failureToError(result.failure), headers);
  for (const [name, value] of Object.entries(headers)) result.response.headers.set(name, value);
  return result.response;
});

function withHeaders(error: ApiError, headers: Record<string, string>): ApiError {
  Object.assign(error.headers, headers);
  return error;
}
