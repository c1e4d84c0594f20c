/** Drives the stream relay on a fake clock: an upstream fed event by event, and the body read piece by piece. */
import type { JsonObject, UpstreamFailure } from '../../../src/base/upstream';
import { startRelay, type RelayStart, type RelayTimings, type StreamOutcome } from '../../../src/streaming/relay';
import type { StreamEvent, TapState } from '../../../src/streaming/stream-event';
import { FakeClock, settle } from './fake-clock';

export const TIMINGS: RelayTimings = { idleTimeoutMs: 1_000, keepaliveMs: 250 };

export const chunkEvent = (delta: JsonObject, finishReason: string | null = null): StreamEvent => ({
  type: 'chunk',
  chunk: { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-chat', choices: [{ index: 0, delta, finish_reason: finishReason }] },
  hasContent: typeof delta.content === 'string' && delta.content !== '',
  finishReason,
});
export const PREAMBLE = chunkEvent({ role: 'assistant' });
export const HELLO = chunkEvent({ content: 'Hello' });
export const STOP = chunkEvent({}, 'stop');
export const DONE: StreamEvent = { type: 'done' };
export const failed = (failure: UpstreamFailure): StreamEvent => ({ type: 'error', failure });

/** What the client reads for an event's chunk, the end and a keep-alive. */
export const sse = (event: StreamEvent) => `data: ${JSON.stringify(event.type === 'chunk' ? event.chunk : event)}\n\n`;
export const DONE_TEXT = 'data: [DONE]\n\n';
export const KEEPALIVE = ': keep-alive\n\n';
/** The error event, as the test's renderError draws it. */
export const errorText = (kind: string) => `data: {"error":{"kind":"${kind}"}}\n\n`;

export const USAGE_FIELDS = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 };

/** A promise whose outcome can be looked at without waiting for it. */
export function watch<T>(promise: Promise<T>): { promise: Promise<T>; value: () => T | undefined } {
  let value: T | undefined;
  void promise.then((v) => (value = v));
  return { promise, value: () => value };
}

/** An upstream the test feeds event by event. */
function upstream() {
  let controller!: ReadableStreamDefaultController<StreamEvent>;
  let cancelled = false;
  const events = new ReadableStream<StreamEvent>(
    {
      start: (c) => void (controller = c),
      cancel: () => void (cancelled = true),
    },
    { highWaterMark: 0 },
  );
  return {
    events,
    send: (...sent: StreamEvent[]) => sent.forEach((event) => controller.enqueue(event)),
    end: () => controller.close(),
    break: () => controller.error(new Error('connection reset')),
    cancelled: () => cancelled,
  };
}

export function relay(options: { includeUsage?: boolean; timings?: RelayTimings; contentFilterFinishReasons?: string[]; finalize?: (outcome: StreamOutcome) => Promise<JsonObject | undefined> } = {}) {
  const clock = new FakeClock();
  const source = upstream();
  const tap: TapState = { usage: undefined, deliveredTokens: 0 };
  const finalized: StreamOutcome[] = [];
  const kept: Array<Promise<unknown>> = [];
  let aborts = 0;
  const started = watch(
    startRelay({
      provider: 'deepseek',
      contentFilterFinishReasons: options.contentFilterFinishReasons ?? ['content_filter'],
      events: source.events,
      tap,
      timings: options.timings ?? TIMINGS,
      includeUsage: options.includeUsage ?? false,
      renderError: (failure) => ({ error: { kind: failure.kind } }),
      abortUpstream: () => void (aborts += 1),
      finalize: async (outcome) => {
        finalized.push(outcome);
        return options.finalize ? options.finalize(outcome) : USAGE_FIELDS;
      },
      waitUntil: (promise) => void kept.push(promise),
      now: clock.now,
      schedule: clock.schedule,
    }),
  );
  return { clock, source, tap, finalized, kept, aborts: () => aborts, started };
}

export type Relay = ReturnType<typeof relay>;

/** The committed body's reader (fails the test when the relay did not start). */
export async function bodyOf(relayed: Relay): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const start: RelayStart = await relayed.started.promise;
  if (!start.ok) throw new Error(`the relay did not start: ${start.failure.kind}`);
  return start.body.getReader();
}

export const decoder = new TextDecoder();

/** The body's next piece as text (undefined at its end), the clock moving from timer to timer until it comes. */
export async function nextPiece(reader: ReadableStreamDefaultReader<Uint8Array>, clock: FakeClock): Promise<string | undefined> {
  const read = watch(reader.read());
  await settle();
  while (read.value() === undefined) {
    if (!(await clock.next())) throw new Error('the body waits for something no timer will bring');
  }
  const result = await read.promise;
  return result.done ? undefined : decoder.decode(result.value);
}

export async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>, clock: FakeClock): Promise<string[]> {
  const pieces: string[] = [];
  for (let piece = await nextPiece(reader, clock); piece !== undefined; piece = await nextPiece(reader, clock)) pieces.push(piece);
  return pieces;
}
