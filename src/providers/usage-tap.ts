/**
 * Turns a provider's SSE events into OpenAI-shaped chunks as they pass, and
 * taps what billing needs on the way: the last usage the provider reported
 * (whatever its shape) and how much text was delivered.
 */
import { dropProviderExtras, errorInAnswer, normalizeChoice } from './openai-compatible';
import type { ProviderAdapter } from './types';
import type { JsonObject } from '../base/upstream';
import { SseDecoderStream, type SseEvent } from '../streaming/sse';
import type { StreamEvent, TapState } from '../streaming/stream-event';
import { deliveredText, estimateTextTokens } from './token-estimate';
import { isObject, readChoices } from './upstream-schemas';

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
  const choices = readChoices(chunk.choices);
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

/** A provider's SSE body → OpenAI-shaped stream events, tapping usage into `state` as they pass. */
export function decodeStreamEvents(
  adapter: ProviderAdapter,
  body: ReadableStream<Uint8Array>,
  servedModel: string,
  state: TapState,
): ReadableStream<StreamEvent> {
  return body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new SseDecoderStream())
    .pipeThrough(createUsageTap(adapter, servedModel, state));
}
