/**
 * Whether a valid request can be served by the model it names: a pure decision
 * the route turns into a 400. (Equivalent models that cannot take it are left
 * out of the route instead: strategies.ts `fits`.)
 */
import { invalidRequest, type ApiError } from '../errors';
import type { ChatRequest } from '../schemas/chat-request';
import type { CatalogModel } from './catalog';

export function checkRequestFits(request: ChatRequest, model: CatalogModel): ApiError | undefined {
  if (request.tools?.length && !model.capabilities.tools) {
    return invalidRequest(`The model '${model.id}' does not support tools.`, 'tools', 'unsupported_parameter');
  }
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens != null && maxTokens > model.maxOutputTokens) {
    const param = request.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
    return invalidRequest(`${param} is too large: ${model.id} supports at most ${model.maxOutputTokens} output tokens.`, param);
  }
  return undefined;
}
