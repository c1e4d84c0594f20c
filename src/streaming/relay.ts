/**
 * Relays an upstream stream to the client event by event (never buffered).
 *
 * Before the response is committed, chunks without content (the role preamble)
 * are held, so a failure, timeout or content filter before the first token can
 * still become a clean HTTP error (or fail over to another model). The response is
 * committed at the first content, or when the commit window passes with nothing
 * to say, after which keep-alive comments cover the silence. After commit a
 * failure ends the stream with an OpenAI-style error event and no [DONE].
 */
import type { ProviderId } from '../base/provider-id';
import type { JsonObject, NormalizedUsage, UpstreamFailure } from '../base/upstream';
import { encodeSseData, SSE_DONE, SSE_KEEPALIVE } from './sse';
import type { StreamEvent, TapState } from './stream-event';

export interface RelayTimings {
  /** Longest silence from upstream (first event included) before the stream is failed. */
  idleTimeoutMs: number;
  /** Silence after which a keep-alive comment is sent; also the commit window. */
  keepaliveMs: number;
}

export interface StreamOutcome {
  /** True when the provider finished the answer. */
  completed: boolean;
  /** Whether any content reached the client (keep-alives and the role preamble are not content). */
  contentDelivered: boolean;
  usage: NormalizedUsage | undefined;
  deliveredTokens: number;
  failure?: UpstreamFailure;
}

export interface RelayInput {
  /** The provider the events come from (failures the relay detects name it). */
  provider: ProviderId;
  /** finish_reason values that mean the provider's content filter stopped the answer. */
  contentFilterFinishReasons: readonly string[];
  events: ReadableStream<StreamEvent>;
  tap: TapState;
  timings: RelayTimings;
  /** Whether the client asked for the usage chunk (stream_options.include_usage). */
  includeUsage: boolean;
  /** Renders an error event's payload. */
  renderError: (failure: UpstreamFailure) => JsonObject;
  /** Aborts the upstream request (the client left, or the stream failed). */
  abortUpstream: () => void;
  /**
   * Called exactly once after the response started, when the stream ends whichever
   * way (billing); resolves to the usage chunk's `usage` for a completed stream.
   */
  finalize: (outcome: StreamOutcome) => Promise<JsonObject | undefined>;
  /** Keeps the worker alive for work after the client has gone. */
  waitUntil: (promise: Promise<unknown>) => void;
  now?: () => number;
  /** Runs `callback` after `ms` and returns how to cancel it; setTimeout by default (tests pass a fake clock's). */
  schedule?: (callback: () => void, ms: number) => () => void;
}

export type RelayStart = { ok: true; body: ReadableStream<Uint8Array> } | { ok: false; failure: UpstreamFailure };

type Pulled = { kind: 'event'; event: StreamEvent } | { kind: 'end' } | { kind: 'timeout' } | { kind: 'error' };

/**
 * Reads events, keeping an unfinished read alive across timeouts so nothing is lost. Its one timer
 * is lazy: each wait only moves the deadline, and a timer that fires before the deadline re-arms
 * for the rest. A stream arms it about once per quiet spell, not once per chunk (a timer set and
 * cleared per chunk was a tenth of a busy relay's CPU).
 */
class EventPump {
  private pending: Promise<Pulled> | undefined;
  /** When the current wait gives up, on the relay's clock. */
  private deadline = 0;
  private timer: { at: number; cancel: () => void } | undefined;
  /** Ends the current wait with a timeout; undefined while nothing waits. */
  private wake: ((pulled: Pulled) => void) | undefined;

  constructor(
    private readonly reader: ReadableStreamDefaultReader<StreamEvent>,
    private readonly schedule: (callback: () => void, ms: number) => () => void,
    private readonly now: () => number,
  ) {}

  async next(waitMs: number): Promise<Pulled> {
    this.pending ??= this.reader.read().then(
      (result): Pulled => (result.done ? { kind: 'end' } : { kind: 'event', event: result.value }),
      (): Pulled => ({ kind: 'error' }),
    );
    this.deadline = this.now() + Math.max(0, waitMs);
    const timeout = new Promise<Pulled>((resolve) => {
      this.wake = resolve;
    });
    this.arm();
    const pulled = await Promise.race([this.pending, timeout]);
    this.wake = undefined;
    if (pulled.kind !== 'timeout') this.pending = undefined;
    return pulled;
  }

  /** Stops the timer (the relay is done). */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.wake = undefined;
  }

  cancel(): void {
    this.stop();
    this.reader.cancel().catch(() => {});
  }

  /** A timer due by the deadline: the one set (if it fires no later), else a new one. */
  private arm(): void {
    if (this.timer && this.timer.at <= this.deadline) return;
    this.timer?.cancel();
    const at = this.deadline;
    this.timer = { at, cancel: this.schedule(() => this.fire(), Math.max(0, at - this.now())) };
  }

  private fire(): void {
    this.timer = undefined;
    if (!this.wake) return;
    if (this.now() < this.deadline) return this.arm();
    this.wake({ kind: 'timeout' });
  }
}

function scheduleTimeout(callback: () => void, ms: number): () => void {
  const timer = setTimeout(callback, ms);
  return () => clearTimeout(timer);
}

export async function startRelay(input: RelayInput): Promise<RelayStart> {
  const { provider, tap, timings } = input;
  const now = input.now ?? Date.now;
  const pump = new EventPump(input.events.getReader(), input.schedule ?? scheduleTimeout, now);
  const held: Uint8Array[] = [];
  let lastEventAt = now();
  let lastChunk: JsonObject | undefined;
  let sawContent = false;
  let finished = false;
  let ended = false;

  // Before the response starts, the caller bills the failure (nothing was delivered).
  const fail = (failure: UpstreamFailure): RelayStart => {
    input.abortUpstream();
    pump.cancel();
    return { ok: false, failure };
  };
  const outcome = (failure?: UpstreamFailure): StreamOutcome => ({ completed: !failure, contentDelivered: sawContent, usage: tap.usage, deliveredTokens: tap.deliveredTokens, failure });
  const cutFailure = (): UpstreamFailure => ({ kind: 'stream_cut', provider });
  const timeoutFailure = (): UpstreamFailure => ({ kind: 'timeout', provider });

  // Phase 1: wait for the first content, holding the preamble.
  const commitBy = now() + timings.keepaliveMs;
  while (!sawContent && !finished) {
    const idleLeft = lastEventAt + timings.idleTimeoutMs - now();
    const commitLeft = commitBy - now();
    if (idleLeft <= 0) return fail(timeoutFailure());
    if (commitLeft <= 0) break;
    const pulled = await pump.next(Math.min(idleLeft, commitLeft));
    if (pulled.kind === 'timeout') continue;
    if (pulled.kind === 'error') return fail(cutFailure());
    if (pulled.kind === 'end') return fail(cutFailure());
    const event = pulled.event;
    if (event.type === 'error') return fail(event.failure);
    if (event.type === 'done') {
      ended = finished = true;
      break;
    }
    lastEventAt = now();
    lastChunk = event.chunk;
    if (!event.hasContent && event.finishReason !== null && input.contentFilterFinishReasons.includes(event.finishReason)) {
      return fail({ kind: 'content_filter', provider, providerCode: event.finishReason });
    }
    sawContent ||= event.hasContent;
    finished ||= event.finishReason !== null;
    held.push(encodeSseData(event.chunk));
  }

  // Phase 2: committed. Every event is forwarded as it arrives.
  let closed = false;
  const finish = async (controller: ReadableStreamDefaultController<Uint8Array>, failure?: UpstreamFailure) => {
    if (closed) return;
    closed = true;
    pump.stop();
    if (failure) {
      input.abortUpstream();
      pump.cancel();
    }
    const usage = await input.finalize(outcome(failure));
    if (failure) {
      controller.enqueue(encodeSseData(input.renderError(failure)));
    } else {
      if (input.includeUsage && usage && lastChunk) {
        controller.enqueue(
          encodeSseData({ id: lastChunk.id, object: 'chat.completion.chunk', created: lastChunk.created, model: lastChunk.model, choices: [], usage }),
        );
      }
      controller.enqueue(SSE_DONE);
    }
    controller.close();
  };

  const body = new ReadableStream<Uint8Array>(
    {
      pull: async (controller) => {
        if (held.length > 0) {
          for (const bytes of held.splice(0)) controller.enqueue(bytes);
          return;
        }
        if (ended) return finish(controller);
        let lastWriteAt = now();
        for (;;) {
          const idleLeft = lastEventAt + timings.idleTimeoutMs - now();
          if (idleLeft <= 0) {
            // An answer that already finished is complete even if [DONE] never comes.
            if (finished) input.abortUpstream();
            return finish(controller, finished ? undefined : timeoutFailure());
          }
          const keepaliveLeft = lastWriteAt + timings.keepaliveMs - now();
          if (keepaliveLeft <= 0) {
            controller.enqueue(SSE_KEEPALIVE);
            return;
          }
          const pulled = await pump.next(Math.min(idleLeft, keepaliveLeft));
          if (pulled.kind === 'timeout') continue;
          if (pulled.kind === 'error') return finish(controller, cutFailure());
          if (pulled.kind === 'end') return finish(controller, finished ? undefined : cutFailure());
          const event = pulled.event;
          if (event.type === 'error') return finish(controller, event.failure);
          // [DONE] is the provider's own end of stream, finish_reason or not.
          if (event.type === 'done') return finish(controller);
          lastEventAt = now();
          lastWriteAt = lastEventAt;
          lastChunk = event.chunk;
          sawContent ||= event.hasContent;
          finished ||= event.finishReason !== null;
          controller.enqueue(encodeSseData(event.chunk));
          return;
        }
      },
      cancel: () => {
        // The client went away: stop the provider generating (and billing) for nobody.
        if (closed) return;
        closed = true;
        input.abortUpstream();
        pump.cancel();
        input.waitUntil(input.finalize(outcome({ kind: 'connection', provider })));
      },
    },
    { highWaterMark: 0 },
  );
  return { ok: true, body };
}
