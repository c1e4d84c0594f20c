/**
 * A chat completion stream (as the relay sends it: OpenAI chunks, the usage
 * chunk, [DONE], or an error event and no [DONE]) → Anthropic's event sequence:
 *
 *   message_start, then per block content_block_start / content_block_delta… /
 *   content_block_stop (thinking_delta for reasoning_content, text_delta for
 *   content, input_json_delta for a tool call's argument deltas), message_delta
 *   (stop_reason, usage), message_stop.
 *
 * A failure after the start becomes an `error` event, and no message_stop. The
 * relay's keep-alive comments become `ping` events.
 */
import type { JsonObject } from '../base/upstream';
import { SseParser, type SseEvent } from '../streaming/sse';
import { anthropicErrorBody, anthropicErrorTypeOfOpenAi } from './errors';
import { anthropicUsage, matchedStopOf, messageId, stopReasonOf } from './response';

type BlockKind = 'thinking' | 'text' | 'tool_use';

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** One SSE frame the way Anthropic sends it: its type as the `event:` line and in the data. */
export const anthropicFrame = (data: { type: string } & Record<string, unknown>): string => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;

export interface StreamContext {
  requestId: string;
  /** The catalog id that served the request. */
  model: string;
  stopSequences?: readonly string[];
}

/** The translation's state, one event at a time; each call returns the frames to send. */
export class AnthropicStreamTranslator {
  private index = -1;
  private open: BlockKind | undefined;
  /** The OpenAI index of the tool call the open tool_use block holds. */
  private toolIndex: number | undefined;
  private finishReason: unknown = null;
  private matchedStop: unknown;
  private usage: unknown;
  private over = false;

  constructor(private readonly context: StreamContext) {}

  start(): string[] {
    const message = {
      id: messageId(this.context.requestId),
      type: 'message',
      role: 'assistant',
      content: [],
      model: this.context.model,
      stop_reason: null,
      stop_sequence: null,
      // The provider counts the prompt only at the end: message_delta carries the real numbers.
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    };
    return [anthropicFrame({ type: 'message_start', message })];
  }

  ping(): string[] {
    return this.over ? [] : [anthropicFrame({ type: 'ping' })];
  }

  event(event: SseEvent): string[] {
    if (this.over) return [];
    const data = event.data.trim();
    if (data === '[DONE]') return this.finish();
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return this.fail('api_error', 'The upstream stream could not be read.');
    }
    if (!isObject(payload)) return [];
    if (isObject(payload.error)) {
      const { type, code, message } = payload.error;
      return this.fail(anthropicErrorTypeOfOpenAi(type, code), typeof message === 'string' ? message : 'The stream failed.');
    }
    if (payload.usage !== undefined && payload.usage !== null) this.usage = payload.usage;
    const choice = Array.isArray(payload.choices) && isObject(payload.choices[0]) ? payload.choices[0] : undefined;
    if (!choice) return [];
    if (typeof choice.finish_reason === 'string') {
      this.finishReason = choice.finish_reason;
      this.matchedStop = matchedStopOf(choice);
    }
    return isObject(choice.delta) ? this.delta(choice.delta) : [];
  }

  /** The stream ended: without [DONE] or an error event it was cut. */
  end(): string[] {
    return this.over ? [] : this.fail('api_error', 'The stream ended before the answer was complete.');
  }

  private delta(delta: JsonObject): string[] {
    const frames: string[] = [];
    if (nonEmpty(delta.reasoning_content)) {
      frames.push(...this.ensure('thinking'), this.blockDelta({ type: 'thinking_delta', thinking: delta.reasoning_content }));
    }
    if (nonEmpty(delta.content)) frames.push(...this.ensure('text'), this.blockDelta({ type: 'text_delta', text: delta.content }));
    for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      if (!isObject(call)) continue;
      const fn = isObject(call.function) ? call.function : {};
      const at = typeof call.index === 'number' ? call.index : 0;
      if (this.open !== 'tool_use' || this.toolIndex !== at) {
        const id = nonEmpty(call.id) ? call.id : `toolu_${this.context.requestId.replace(/^req_/, '')}_${at}`;
        frames.push(...this.startBlock({ type: 'tool_use', id, name: nonEmpty(fn.name) ? fn.name : '', input: {} }));
        this.toolIndex = at;
      }
      if (nonEmpty(fn.arguments)) frames.push(this.blockDelta({ type: 'input_json_delta', partial_json: fn.arguments }));
    }
    return frames;
  }

  private ensure(kind: 'thinking' | 'text'): string[] {
    if (this.open === kind) return [];
    return this.startBlock(kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' });
  }

  private startBlock(block: { type: BlockKind } & Record<string, unknown>): string[] {
    const frames = this.closeBlock();
    this.index += 1;
    this.open = block.type;
    frames.push(anthropicFrame({ type: 'content_block_start', index: this.index, content_block: block }));
    return frames;
  }

  private closeBlock(): string[] {
    if (this.open === undefined) return [];
    this.open = undefined;
    this.toolIndex = undefined;
    return [anthropicFrame({ type: 'content_block_stop', index: this.index })];
  }

  private blockDelta(delta: Record<string, unknown>): string {
    return anthropicFrame({ type: 'content_block_delta', index: this.index, delta });
  }

  private finish(): string[] {
    this.over = true;
    const usage = isObject(this.usage) ? this.usage : {};
    // find-token's additions to the usage, as in a chat stream's usage chunk: what it cost, what is left.
    const billed = Object.fromEntries(['cost', 'balance', 'charge_pending'].filter((key) => usage[key] !== undefined).map((key) => [key, usage[key]]));
    return [
      ...this.closeBlock(),
      anthropicFrame({
        type: 'message_delta',
        delta: stopReasonOf(this.finishReason, this.matchedStop, this.context.stopSequences),
        usage: { ...anthropicUsage(usage), ...billed },
      }),
      anthropicFrame({ type: 'message_stop' }),
    ];
  }

  private fail(type: Parameters<typeof anthropicErrorBody>[0], message: string): string[] {
    this.over = true;
    return [anthropicFrame(anthropicErrorBody(type, message) as unknown as { type: string })];
  }
}

const KEEPALIVE = /^:/;

/** The relay's SSE bytes → Anthropic's SSE bytes, as they pass (cancelling it cancels the relay: billing sees the client leave). */
export function toAnthropicStream(body: ReadableStream<Uint8Array>, context: StreamContext): ReadableStream<Uint8Array> {
  const translator = new AnthropicStreamTranslator(context);
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const send = (controller: TransformStreamDefaultController<Uint8Array>, frames: string[]) => {
    if (frames.length > 0) controller.enqueue(encoder.encode(frames.join('')));
  };
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        send(controller, translator.start());
      },
      transform(bytes, controller) {
        const text = decoder.decode(bytes, { stream: true });
        // The relay writes each keep-alive comment as a piece of its own.
        if (KEEPALIVE.test(text)) send(controller, translator.ping());
        send(controller, parser.push(text).flatMap((event) => translator.event(event)));
      },
      flush(controller) {
        const events = [...parser.push(decoder.decode()), ...parser.end()];
        send(controller, [...events.flatMap((event) => translator.event(event)), ...translator.end()]);
      },
    }),
  );
}
