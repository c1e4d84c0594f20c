/**
 * One upstream attempt for a chat completion: the providers' core makes the
 * call (providers/call-chat.ts) and a stream is handed to the relay. This file
 * holds only what the chat flow decides around the call: its time budget, and
 * how a stream is relayed, rendered and billed. Failures come back as values
 * (never thrown), so the caller decides what the client sees.
 */
import type { Config } from '../env';
import { nonStreamingTimeoutMs, type CatalogModel } from '../base/catalog';
import type { JsonObject, NormalizedUsage, UpstreamFailure } from '../base/upstream';
import { callChat } from '../providers/call-chat';
import { upstreamTarget } from '../providers/upstream-request';
import { failureToError } from '../routing/failure-to-error';
import { startRelay, type StreamOutcome } from '../streaming/relay';

export interface ExecuteInput {
  config: Config;
  model: CatalogModel;
  /** The key this call is made with: the platform's, or the user's own (BYOK). */
  apiKey: string;
  /** The validated client request, unknown fields included. */
  request: JsonObject;
  stream: boolean;
  /** The output limit find-token granted (the client sent no max_tokens), sent upstream. */
  outputLimit?: number;
  includeUsage: boolean;
  /** The most this attempt may wait for its answer (or first event), when less than the configured timeout. */
  budgetMs?: number;
  /** Aborts when the client disconnects. */
  clientSignal: AbortSignal | undefined;
  fetch: typeof fetch;
  /** Bills a stream that started, once it ends; resolves to the usage chunk's `usage`. */
  finalizeStream: (outcome: StreamOutcome) => Promise<JsonObject | undefined>;
  waitUntil: (promise: Promise<unknown>) => void;
}

/** A JSON answer's body carries no `usage`: the caller renders it from what was billed. */
export type ExecuteResult =
  | { ok: true; kind: 'json'; body: JsonObject; usage: NormalizedUsage | undefined; deliveredTokens: number }
  | { ok: true; kind: 'stream'; body: ReadableStream<Uint8Array> }
  | { ok: false; failure: UpstreamFailure };

export async function executeChat(input: ExecuteInput): Promise<ExecuteResult> {
  const { model, config } = input;
  // Non-streaming: one total limit, the model's own (longer for reasoning models); streaming: the first
  // event must come within the idle timeout. The routing budget bounds either.
  const limit = input.stream ? config.streamIdleTimeoutMs : nonStreamingTimeoutMs(model, config.upstreamTimeoutMs);
  const timeoutMs = Math.min(limit, input.budgetMs ?? Number.POSITIVE_INFINITY);
  const target = upstreamTarget(config, model.provider, input.apiKey);
  const called = await callChat({
    ...target,
    model,
    request: input.request,
    stream: input.stream,
    outputLimit: input.outputLimit,
    timeoutMs,
    signal: input.clientSignal,
    fetch: input.fetch,
  });
  if (!called.ok || called.kind === 'json') return called;

  const started = await startRelay({
    provider: target.adapter.id,
    contentFilterFinishReasons: target.adapter.contentFilterFinishReasons,
    events: called.events,
    tap: called.tap,
    timings: { idleTimeoutMs: config.streamIdleTimeoutMs, keepaliveMs: config.streamKeepaliveMs },
    includeUsage: input.includeUsage,
    renderError: (failure) => failureToError(failure).toJSON(),
    abortUpstream: called.abort,
    finalize: input.finalizeStream,
    waitUntil: input.waitUntil,
  });
  if (!started.ok) return { ok: false, failure: started.failure };
  return { ok: true, kind: 'stream', body: started.body };
}
