/**
 * Normalizes a non-streaming answer to OpenAI's shape. Its usage comes back
 * normalized beside the body and is taken out of it: the caller renders the
 * client's usage once, from what was billed (toOpenAiUsage).
 */
import { dropProviderExtras, normalizeChoice } from './openai-compatible';
import { deliveredText, estimateTextTokens } from './token-estimate';
import type { ProviderAdapter } from './types';
import { readChoices } from './upstream-schemas';
import type { JsonObject, NormalizedUsage } from '../base/upstream';

export function toOpenAiUsage(usage: NormalizedUsage): JsonObject {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

export interface NormalizedCompletion {
  /** The answer without `usage`. */
  body: JsonObject;
  usage: NormalizedUsage | undefined;
  /** The provider's content filter stopped the answer before any content. */
  filtered: string | undefined;
  /** Estimated tokens of the answer, for billing when the provider sent no usage. */
  deliveredTokens: number;
}

const hasText = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';

export function normalizeCompletion(adapter: ProviderAdapter, payload: JsonObject, servedModel: string): NormalizedCompletion {
  const usage = adapter.convertUsage(payload);
  delete payload.usage;
  dropProviderExtras(payload);
  const choices = readChoices(payload.choices);
  let filtered: string | undefined;
  let deliveredTokens = 0;
  for (const choice of choices) {
    const message = normalizeChoice(adapter, choice, 'message');
    message.role ??= 'assistant';
    if (message.content === undefined) message.content = null;
    deliveredTokens += estimateTextTokens(deliveredText(message));
    const reason = choice.finish_reason;
    const empty = !hasText(message.content) && !Array.isArray(message.tool_calls);
    if (typeof reason === 'string' && adapter.contentFilterFinishReasons.includes(reason) && empty) filtered = reason;
  }
  payload.choices = choices;
  payload.object = 'chat.completion';
  payload.model = servedModel;
  return { body: payload, usage, filtered, deliveredTokens };
}
