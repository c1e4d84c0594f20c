/** The stream relay on a fake clock: what it holds, when it commits, and how each way of ending is told and billed. */
import { describe, expect, it } from 'vitest';
import type { JsonObject, UpstreamFailure } from '../../../src/base/upstream';
import { startRelay, type RelayStart, type RelayTimings, type StreamOutcome } from '../../../src/streaming/relay';
import type { StreamEvent, TapState } from '../../../src/streaming/stream-event';
import { FakeClock, settle } from '../support/fake-clock';

const TIMINGS: RelayTimings = { idleTimeoutMs: 1_000, keepaliveMs: 250 };

const chunkEvent = (delta: JsonObject, finishReason: string | null = null): StreamEvent => ({
  type: 'chunk',
  chunk: { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-chat', choices: [{ index: 0, delta, finish_reason: finishReason }] },
  hasContent: typeof delta.content === 'string' && delta.content !== '',
  finishReason,
});
const PREAMBLE = chunkEvent({ role: 'assistant' });
const HELLO = chunkEvent({ content: 'Hello' });
const STOP = chunkEvent({}, 'stop');
const DONE: StreamEvent = { type: 'done' };
const failed = (failure: UpstreamFailure): StreamEvent => ({ type: 'error', failure });

/** What the client reads for an event's chunk, the end and a keep-alive. */
const sse = (event: StreamEvent) => `data: ${JSON.stringify(event.type === 'chunk' ? event.chunk : event)}\n\n`;
const DONE_TEXT = 'data: [DONE]\n\n';
const KEEPALIVE = ': keep-alive\n\n';
/** The error event, as the test's renderError draws it. */
const errorText = (kind: string) => `data: {"error":{"kind":"${kind}"}}\n\n`;

const USAGE_FIELDS = { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 };

/** A promise whose outcome can be looked at without waiting for it. */
function watch<T>(promise: Promise<T>): { promise: Promise<T>; value: () => T | undefined } {
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

function relay(options: { includeUsage?: boolean; timings?: RelayTimings; contentFilterFinishReasons?: string[]; finalize?: (outcome: StreamOutcome) => Promise<JsonObject | undefined> } = {}) {
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

type Relay = ReturnType<typeof relay>;

/** The committed body's reader (fails the test when the relay did not start). */
async function bodyOf(relayed: Relay): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const start: RelayStart = await relayed.started.promise;
  if (!start.ok) throw new Error(`the relay did not start: ${start.failure.kind}`);
  return start.body.getReader();
}

const decoder = new TextDecoder();

/** The body's next piece as text (undefined at its end), the clock moving from timer to timer until it comes. */
async function nextPiece(reader: ReadableStreamDefaultReader<Uint8Array>, clock: FakeClock): Promise<string | undefined> {
  const read = watch(reader.read());
  await settle();
  while (read.value() === undefined) {
    if (!(await clock.next())) throw new Error('the body waits for something no timer will bring');
  }
  const result = await read.promise;
  return result.done ? undefined : decoder.decode(result.value);
}

async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>, clock: FakeClock): Promise<string[]> {
  const pieces: string[] = [];
  for (let piece = await nextPiece(reader, clock); piece !== undefined; piece = await nextPiece(reader, clock)) pieces.push(piece);
  return pieces;
}

describe('before the response starts', () => {
  it('holds the role preamble until the first content, then sends both', async () => {
    const relayed = relay();
    relayed.source.send(PREAMBLE);
    await settle();
    expect(relayed.started.value()).toBeUndefined();
    relayed.source.send(HELLO);
    const reader = await bodyOf(relayed);
    expect([await nextPiece(reader, relayed.clock), await nextPiece(reader, relayed.clock)]).toEqual([sse(PREAMBLE), sse(HELLO)]);
  });

  it('commits with only the preamble once the keep-alive window passes without content', async () => {
    const relayed = relay();
    relayed.source.send(PREAMBLE);
    await relayed.clock.advance(249);
    expect(relayed.started.value()).toBeUndefined();
    await relayed.clock.advance(1);
    const reader = await bodyOf(relayed);
    expect(await nextPiece(reader, relayed.clock)).toBe(sse(PREAMBLE));
  });

  it("answers the provider's failure before any content as {ok: false}, aborting the upstream and billing nothing", async () => {
    const relayed = relay();
    const failure: UpstreamFailure = { kind: 'overloaded', provider: 'deepseek', status: 503 };
    relayed.source.send(PREAMBLE, failed(failure));
    expect(await relayed.started.promise).toEqual({ ok: false, failure });
    expect(relayed.aborts()).toBe(1);
    expect(relayed.source.cancelled()).toBe(true);
    expect(relayed.finalized).toEqual([]);
  });

  it('answers an upstream that ends before any content as a stream_cut', async () => {
    const relayed = relay();
    relayed.source.send(PREAMBLE);
    relayed.source.end();
    expect(await relayed.started.promise).toEqual({ ok: false, failure: { kind: 'stream_cut', provider: 'deepseek' } });
  });

  it('answers an upstream connection that breaks before any content as a stream_cut', async () => {
    const relayed = relay();
    relayed.source.break();
    expect(await relayed.started.promise).toEqual({ ok: false, failure: { kind: 'stream_cut', provider: 'deepseek' } });
  });

  it("answers a content filter's finish before any content as a content_filter failure with the provider's reason", async () => {
    const relayed = relay({ contentFilterFinishReasons: ['sensitive'] });
    relayed.source.send(PREAMBLE, chunkEvent({}, 'sensitive'));
    expect(await relayed.started.promise).toEqual({ ok: false, failure: { kind: 'content_filter', provider: 'deepseek', providerCode: 'sensitive' } });
    expect(relayed.aborts()).toBe(1);
  });

  it('answers a timeout when the idle timeout passes before the commit window does', async () => {
    const relayed = relay({ timings: { idleTimeoutMs: 100, keepaliveMs: 250 } });
    await relayed.clock.advance(99);
    expect(relayed.started.value()).toBeUndefined();
    await relayed.clock.advance(1);
    expect(await relayed.started.promise).toEqual({ ok: false, failure: { kind: 'timeout', provider: 'deepseek' } });
  });

  it('commits at a finish without content (an empty answer) and ends it with [DONE]', async () => {
    const relayed = relay();
    relayed.source.send(PREAMBLE, STOP, DONE);
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(PREAMBLE), sse(STOP), DONE_TEXT]);
  });
});

describe('after the response started', () => {
  it('sends a keep-alive comment after the keep-alive interval of upstream silence', async () => {
    const relayed = relay();
    relayed.source.send(HELLO);
    const reader = await bodyOf(relayed);
    expect(await nextPiece(reader, relayed.clock)).toBe(sse(HELLO));
    expect(await nextPiece(reader, relayed.clock)).toBe(KEEPALIVE);
    expect(relayed.clock.now()).toBe(250);
  });

  it('relays each event as it arrives, never waiting for more', async () => {
    const relayed = relay();
    relayed.source.send(HELLO);
    const reader = await bodyOf(relayed);
    await nextPiece(reader, relayed.clock);
    const read = watch(reader.read());
    await settle();
    expect(read.value()).toBeUndefined();
    const more = chunkEvent({ content: ' world' });
    relayed.source.send(more);
    const result = await read.promise;
    expect(decoder.decode(result.value)).toBe(sse(more));
    expect(relayed.clock.now()).toBe(0);
  });

  it('ends with a timeout error event and no [DONE] when the upstream is silent for the idle timeout', async () => {
    const relayed = relay();
    relayed.source.send(HELLO);
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), KEEPALIVE, KEEPALIVE, KEEPALIVE, errorText('timeout')]);
    expect(relayed.clock.now()).toBe(1_000);
    expect(relayed.aborts()).toBe(1);
    expect(relayed.finalized).toEqual([{ completed: false, usage: undefined, deliveredTokens: 0, failure: { kind: 'timeout', provider: 'deepseek' } }]);
  });

  it('completes an answer whose upstream goes silent after its finish chunk, never sending [DONE]', async () => {
    const relayed = relay();
    relayed.source.send(HELLO, STOP);
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), sse(STOP), KEEPALIVE, KEEPALIVE, KEEPALIVE, DONE_TEXT]);
    expect(relayed.aborts()).toBe(1);
    expect(relayed.finalized).toEqual([{ completed: true, usage: undefined, deliveredTokens: 0, failure: undefined }]);
  });

  it('completes an answer whose upstream closes after its finish chunk without [DONE]', async () => {
    const relayed = relay();
    relayed.source.send(HELLO, STOP);
    relayed.source.end();
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), sse(STOP), DONE_TEXT]);
    expect(relayed.finalized).toEqual([{ completed: true, usage: undefined, deliveredTokens: 0, failure: undefined }]);
  });

  it('ends with a stream_cut error event when the upstream closes before its finish', async () => {
    const relayed = relay();
    relayed.source.send(HELLO);
    relayed.source.end();
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), errorText('stream_cut')]);
    expect(relayed.finalized).toEqual([{ completed: false, usage: undefined, deliveredTokens: 0, failure: { kind: 'stream_cut', provider: 'deepseek' } }]);
  });

  it('ends with a stream_cut error event when the upstream connection breaks', async () => {
    const relayed = relay();
    relayed.source.send(HELLO);
    const reader = await bodyOf(relayed);
    await nextPiece(reader, relayed.clock);
    relayed.source.break();
    expect(await readAll(reader, relayed.clock)).toEqual([errorText('stream_cut')]);
    expect(relayed.aborts()).toBe(1);
  });

  it("ends with the provider's failure as an error event and no [DONE]", async () => {
    const relayed = relay();
    relayed.source.send(HELLO, failed({ kind: 'server', provider: 'deepseek' }));
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), errorText('server')]);
    expect(relayed.finalized).toEqual([{ completed: false, usage: undefined, deliveredTokens: 0, failure: { kind: 'server', provider: 'deepseek' } }]);
  });

  it('sends the usage chunk finalize returns before [DONE] when the client asked for usage', async () => {
    const relayed = relay({ includeUsage: true });
    relayed.source.send(HELLO, STOP, DONE);
    const usageChunk = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'deepseek-chat', choices: [], usage: USAGE_FIELDS };
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), sse(STOP), `data: ${JSON.stringify(usageChunk)}\n\n`, DONE_TEXT]);
  });

  it('sends no usage chunk when the client did not ask for usage', async () => {
    const relayed = relay({ includeUsage: false });
    relayed.source.send(HELLO, STOP, DONE);
    expect(await readAll(await bodyOf(relayed), relayed.clock)).toEqual([sse(HELLO), sse(STOP), DONE_TEXT]);
  });

  it('finalizes a completed answer exactly once, with the usage and delivered tokens the tap saw', async () => {
    const relayed = relay();
    const usage = { promptTokens: 12, completionTokens: 5, cachedTokens: 0, reasoningTokens: 0 };
    relayed.source.send(HELLO, STOP);
    const reader = await bodyOf(relayed);
    Object.assign(relayed.tap, { usage, deliveredTokens: 2 });
    relayed.source.send(DONE);
    await readAll(reader, relayed.clock);
    await reader.cancel();
    expect(relayed.finalized).toEqual([{ completed: true, usage, deliveredTokens: 2, failure: undefined }]);
    expect(relayed.kept).toEqual([]);
  });

  it('aborts the upstream and finalizes once with a connection failure when the client cancels', async () => {
    const relayed = relay();
    relayed.source.send(HELLO);
    const reader = await bodyOf(relayed);
    await nextPiece(reader, relayed.clock);
    await reader.cancel();
    expect(relayed.aborts()).toBe(1);
    expect(relayed.source.cancelled()).toBe(true);
    expect(relayed.kept).toHaveLength(1);
    await Promise.all(relayed.kept);
    expect(relayed.finalized).toEqual([{ completed: false, usage: undefined, deliveredTokens: 0, failure: { kind: 'connection', provider: 'deepseek' } }]);
  });

  it('bills a finished answer once even when the client leaves while it is being billed', async () => {
    let billed!: (usage: JsonObject | undefined) => void;
    const relayed = relay({ finalize: () => new Promise((resolve) => (billed = resolve)) });
    relayed.source.send(HELLO, DONE);
    const reader = await bodyOf(relayed);
    await nextPiece(reader, relayed.clock);
    const end = reader.read();
    await settle();
    await reader.cancel();
    billed(undefined);
    expect(await end).toEqual({ done: true, value: undefined });
    expect(relayed.finalized).toHaveLength(1);
    expect(relayed.kept).toEqual([]);
    expect(relayed.aborts()).toBe(0);
  });
});
