/**
 * Turns a provider's SSE events into OpenAI-shaped chunks as they pass, and
 * taps what billing needs on the way: the last usage the provider reported
 * (whatever its shape) and how much text was delivered.
 */
import { dropProviderExtras, errorInAnswer, isObject, normalizeChoice } from '../providers/openai-compatible';
import type { JsonObject, NormalizedUsage, ProviderAdapter, UpstreamFailure } from '../providers/types';
import type { SseEvent } from './sse';
import { deliveredText, estimateTextTokens } from '../providers/token-estimate';

export type StreamEvent =
  | { type: 'chunk'; chunk: JsonObject; hasContent: boolean; finishReason: string | null }
  | { type: 'done' }
  | { type: 'error'; failure: UpstreamFailure };

export interface TapState {
  /** The last non-empty usage seen: cumulative providers (StepFun) report it on every chunk. */
  usage: NormalizedUsage | undefined;
  /** Estimated tokens of content, reasoning and tool calls delivered, for billing when usage never came. */
  deliveredTokens: number;
  /** Whether a delta already carried `role` (OpenAI's first delta always does; some providers never send it). */
  roleSent?: boolean;
}

/**
 * Normalizes one upstream chunk in place. Returns undefined for chunks that only
 * carried usage (`choices: []`): usage reaches the client once, at the end, when asked.
 */
export function normalizeChunk(
  adapter: ProviderAdapter,
  chunk: JsonObject,
  servedModel: string,
  state: TapState,
): Extract<StreamEvent, { type: 'chunk' }> | undefined {
  const usage = adapter.convertUsage(chunk);
  if (usage) state.usage = usage;
  delete chunk.usage;
  dropProviderExtras(chunk);
  const choices = Array.isArray(chunk.choices) ? chunk.choices.filter(isObject) : [];
  if (choices.length === 0) return undefined;
  let hasContent = false;
  let finishReason: string | null = null;
  for (const choice of choices) {
    const delta = normalizeChoice(adapter, choice, 'delta');
    if (typeof choice.finish_reason === 'string') finishReason ??= choice.finish_reason;
    if (!state.roleSent) delta.role ??= 'assistant';
    const text = deliveredText(delta);
    if (text !== '') state.deliveredTokens += estimateTextTokens(text);
    if (text !== '' || Array.isArray(delta.tool_calls)) hasContent = true;
  }
  state.roleSent = true;
  chunk.choices = choices;
  chunk.model = servedModel;
  chunk.object = 'chat.completion.chunk';
  return { type: 'chunk', chunk, hasContent, finishReason };
}

export function createUsageTap(
  adapter: ProviderAdapter,
  servedModel: string,
  state: TapState,
): TransformStream<SseEvent, StreamEvent> {
  return new TransformStream<SseEvent, StreamEvent>({
    transform(event, controller) {
      const data = event.data.trim();
      if (data === '[DONE]') return controller.enqueue({ type: 'done' });
      let payload: unknown;
      try {
        payload = JSON.parse(data);
      } catch {
        return controller.enqueue({ type: 'error', failure: { kind: 'invalid_response', provider: adapter.id } });
      }
      if (!isObject(payload)) return;
      const inBand = errorInAnswer(adapter, payload);
      if (inBand) {
        const classification = adapter.classifyError(200, inBand);
        return controller.enqueue({ type: 'error', failure: { ...classification, provider: adapter.id, providerMessage: inBand.message } });
      }
      const normalized = normalizeChunk(adapter, payload, servedModel, state);
      if (normalized) controller.enqueue(normalized);
    },
  });
}
