/**
 * One upstream call for a chat completion: builds the provider's request, sends
 * it with the right timeout, and turns the answer into an OpenAI-shaped JSON
 * response or a relayed stream. Failures come back as UpstreamFailure values
 * (never thrown), so the caller decides what the client sees.
 */
import type { Config } from '../env';
import { errorInAnswer, isObject, readErrorFields } from '../providers/openai-compatible';
import { normalizeCompletion } from '../providers/completion';
import { buildUpstreamRequest, upstreamTarget } from '../providers/upstream-request';
import type { Classification, ProviderAdapter, UpstreamErrorFields } from '../providers/types';
import type { JsonObject, NormalizedUsage, UpstreamFailure } from '../base/upstream';
import { startRelay, type StreamOutcome } from '../streaming/relay';
import { SseDecoderStream } from '../streaming/sse';
import { createUsageTap } from '../providers/usage-tap';
import type { TapState } from '../streaming/stream-event';
import type { CatalogModel } from '../base/catalog';
import { failureToError } from '../routing/failure-to-error';

export interface ExecuteInput {
  config: Config;
  model: CatalogModel;
  /** The key this call is made with: the platform's, or the user's own (BYOK). */
  apiKey: string;
  /** The validated client request, unknown fields included. */
  request: JsonObject;
  stream: boolean;
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

export type ExecuteResult =
  | { ok: true; kind: 'json'; body: JsonObject; usage: NormalizedUsage | undefined; deliveredTokens: number }
  | { ok: true; kind: 'stream'; body: ReadableStream<Uint8Array> }
  | { ok: false; failure: UpstreamFailure };

export async function executeChat(input: ExecuteInput): Promise<ExecuteResult> {
  const { model, config } = input;
  const target = upstreamTarget(config, model.provider, input.apiKey);
  const { adapter } = target;
  const request = buildUpstreamRequest(target, { kind: 'chat', model, request: input.request, stream: input.stream });
  const controller = new AbortController();
  const abortUpstream = () => controller.abort();
  input.clientSignal?.addEventListener('abort', abortUpstream, { once: true });
  // Non-streaming: one total budget; streaming: the first event must come within the idle timeout.
  const firstByteBudget = Math.min(input.stream ? config.streamIdleTimeoutMs : config.upstreamTimeoutMs, input.budgetMs ?? Number.POSITIVE_INFINITY);
  const timer = setTimeout(() => controller.abort(new DOMException('upstream timeout', 'TimeoutError')), firstByteBudget);
  const failure = (kind: UpstreamFailure['kind']): ExecuteResult => ({ ok: false, failure: { kind, provider: adapter.id } });

  let upstream: Response;
  try {
    upstream = await input.fetch(request.url, { ...request.init, signal: controller.signal });
  } catch {
    clearTimeout(timer);
    return failure(controller.signal.aborted && !input.clientSignal?.aborted ? 'timeout' : 'connection');
  }

  const contentType = upstream.headers.get('Content-Type') ?? '';
  const isEventStream = upstream.ok && upstream.body && contentType.includes('text/event-stream');
  if (!input.stream || !isEventStream || !upstream.body) {
    // Answers, errors, and MiniMax's bare-JSON refusals of a stream are read whole.
    const result = await readJsonAnswer(upstream, adapter, model, controller.signal);
    clearTimeout(timer);
    return result;
  }
  clearTimeout(timer);
  return relayStream(input, adapter, upstream.body, abortUpstream);
}

async function readJsonAnswer(
  upstream: Response,
  adapter: ProviderAdapter,
  model: CatalogModel,
  signal: AbortSignal,
): Promise<ExecuteResult> {
  let text: string;
  try {
    text = await upstream.text();
  } catch {
    return { ok: false, failure: { kind: signal.aborted ? 'timeout' : 'connection', provider: adapter.id } };
  }
  let payload: unknown;
  try {
    // DeepSeek sends blank lines while a request is queued; JSON.parse skips leading whitespace.
    payload = JSON.parse(text);
  } catch {
    payload = text;
  }
  const fail = (classification: Classification, fields: UpstreamErrorFields): ExecuteResult => ({
    ok: false,
    failure: {
      ...classification,
      provider: adapter.id,
      status: upstream.status,
      providerMessage: fields.message,
      retryAfterMs: parseRetryAfter(upstream.headers.get('Retry-After')),
    },
  });
  if (!upstream.ok) {
    const fields = readErrorFields(payload);
    return fail(adapter.classifyError(upstream.status, fields), fields);
  }
  if (!isObject(payload)) return fail({ kind: 'invalid_response' }, readErrorFields(payload));
  const inBand = errorInAnswer(adapter, payload);
  if (inBand) return fail(adapter.classifyError(upstream.status, inBand), inBand);
  const completion = normalizeCompletion(adapter, payload, model.id);
  if (completion.filtered) {
    return { ok: false, failure: { kind: 'content_filter', provider: adapter.id, providerCode: completion.filtered } };
  }
  return { ok: true, kind: 'json', body: completion.body, usage: completion.usage, deliveredTokens: completion.deliveredTokens };
}

async function relayStream(
  input: ExecuteInput,
  adapter: ProviderAdapter,
  upstreamBody: ReadableStream<Uint8Array>,
  abortUpstream: () => void,
): Promise<ExecuteResult> {
  const tap: TapState = { usage: undefined, deliveredTokens: 0 };
  const events = upstreamBody
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new SseDecoderStream())
    .pipeThrough(createUsageTap(adapter, input.model.id, tap));
  const started = await startRelay({
    provider: adapter.id,
    contentFilterFinishReasons: adapter.contentFilterFinishReasons,
    events,
    tap,
    timings: { idleTimeoutMs: input.config.streamIdleTimeoutMs, keepaliveMs: input.config.streamKeepaliveMs },
    includeUsage: input.includeUsage,
    renderError: (failure) => failureToError(failure).toJSON(),
    abortUpstream,
    finalize: input.finalizeStream,
    waitUntil: input.waitUntil,
  });
  if (!started.ok) return { ok: false, failure: started.failure };
  return { ok: true, kind: 'stream', body: started.body };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
