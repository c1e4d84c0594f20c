/**
 * Turns a provider's SSE events into OpenAI-shaped chunks as they pass, and
 * taps what billing needs on the way: the last usage the provider reported
 * (whatever its shape) and how much text was delivered.
 */
import { dropProviderExtras, errorInAnswer, normalizeChoice } from './openai-compatible';
import type { ProviderAdapter } from './types';
import type { JsonObject } from '../base/upstream';
import { SseParser, type SseEvent } from '../streaming/sse';
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

/** One SSE event of a provider's stream → its OpenAI-shaped stream event (or nothing), tapping usage into `state`. */
export function tapEvent(adapter: ProviderAdapter, servedModel: string, state: TapState, event: SseEvent): StreamEvent | undefined {
  const data = event.data.trim();
  if (data === '[DONE]') return { type: 'done' };
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return { type: 'error', failure: { kind: 'invalid_response', provider: adapter.id } };
  }
  if (!isObject(payload)) return undefined;
  const inBand = errorInAnswer(adapter, payload);
  if (inBand) {
    const classification = adapter.classifyError(200, inBand);
    return { type: 'error', failure: { ...classification, provider: adapter.id, providerMessage: inBand.message } };
  }
  return normalizeChunk(adapter, payload, servedModel, state);
}

export function createUsageTap(adapter: ProviderAdapter, servedModel: string, state: TapState): TransformStream<SseEvent, StreamEvent> {
  return new TransformStream<SseEvent, StreamEvent>({
    transform(event, controller) {
      const tapped = tapEvent(adapter, servedModel, state, event);
      if (tapped) controller.enqueue(tapped);
    },
  });
}

/**
 * A provider's SSE body → OpenAI-shaped stream events, tapping usage into `state` as they pass: one
 * stream whose pull reads, decodes, parses and normalizes, rather than a stage per step (each stage
 * cost every chunk its own promises and a hop; with 200 streams in one isolate that was most of its CPU).
 */
export function decodeStreamEvents(adapter: ProviderAdapter, body: ReadableStream<Uint8Array>, servedModel: string, state: TapState): ReadableStream<StreamEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  return new ReadableStream<StreamEvent>(
    {
      async pull(controller) {
        // Read until this pull has an event to give (or the body ends): a piece may hold only part of one.
        for (;;) {
          const read = await reader.read();
          const events = read.done ? [...parser.push(decoder.decode()), ...parser.end()] : parser.push(decoder.decode(read.value, { stream: true }));
          let given = false;
          for (const event of events) {
            const tapped = tapEvent(adapter, servedModel, state, event);
            if (tapped) {
              controller.enqueue(tapped);
              given = true;
            }
          }
          if (read.done) return controller.close();
          if (given) return;
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
