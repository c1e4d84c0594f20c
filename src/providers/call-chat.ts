/**
 * One chat completion call to a provider: fetch → classify → normalize. A JSON
 * answer comes back OpenAI-shaped with its usage normalized beside it; an SSE
 * stream comes back as OpenAI-shaped events for the relay to forward, with the
 * usage it taps. Failures are values (never thrown), so the router decides.
 */
import type { CatalogModel } from '../base/catalog';
import type { JsonObject, NormalizedUsage, UpstreamFailure } from '../base/upstream';
import type { StreamEvent, TapState } from '../streaming/stream-event';
import { answerFailure, upstreamFailure } from './answer-failure';
import { normalizeCompletion } from './completion';
import { fetchUpstream, readText } from './fetch-upstream';
import type { ProviderAdapter } from './types';
import { buildUpstreamRequest, type UpstreamTarget } from './upstream-request';
import { isObject, parseAnswerText, readErrorFields } from './upstream-schemas';
import { decodeStreamEvents } from './usage-tap';

export interface ChatCall extends UpstreamTarget {
  /** The catalog model served: its upstream id goes to the provider, its own id to the client. */
  model: CatalogModel;
  /** The validated client request, unknown fields included. */
  request: JsonObject;
  stream: boolean;
  /** The output limit granted to a request that set no max_tokens, sent as the provider's max_tokens. */
  outputLimit?: number;
  /** A JSON answer must be read whole within this; a stream's response must start within it. */
  timeoutMs: number;
  /** Aborts the call (the client disconnected); an abort is never reported as a timeout. */
  signal: AbortSignal | undefined;
  fetch: typeof fetch;
}

export type ChatCallResult =
  | { ok: true; kind: 'json'; body: JsonObject; usage: NormalizedUsage | undefined; deliveredTokens: number }
  /** `tap` fills as `events` are read; `abort` stops the provider's stream. */
  | { ok: true; kind: 'events'; events: ReadableStream<StreamEvent>; tap: TapState; abort: () => void }
  | { ok: false; failure: UpstreamFailure };

export async function callChat(call: ChatCall): Promise<ChatCallResult> {
  const { adapter, model, stream, outputLimit } = call;
  const request = buildUpstreamRequest(call, { kind: 'chat', model, request: call.request, stream, outputLimit });
  const sent = await fetchUpstream(request, call);
  if (!sent.ok) return { ok: false, failure: { kind: sent.kind, provider: adapter.id } };
  const { response } = sent;
  const isEventStream = response.ok && (response.headers.get('Content-Type') ?? '').includes('text/event-stream');
  if (stream && isEventStream && response.body) {
    // From here the relay watches the stream's silences; this call's timer is done.
    sent.stopTimer();
    const tap: TapState = { usage: undefined, deliveredTokens: 0 };
    return { ok: true, kind: 'events', events: decodeStreamEvents(adapter, response.body, model.id, tap), tap, abort: sent.abort };
  }
  // Answers, errors, and MiniMax's bare-JSON refusals of a stream are read whole.
  const result = await readJsonAnswer(adapter, model, response, sent.signal);
  sent.stopTimer();
  return result;
}

async function readJsonAnswer(adapter: ProviderAdapter, model: CatalogModel, response: Response, signal: AbortSignal): Promise<ChatCallResult> {
  const text = await readText(response);
  if (text === undefined) return { ok: false, failure: { kind: signal.aborted ? 'timeout' : 'connection', provider: adapter.id } };
  const payload = parseAnswerText(text);
  const failure = answerFailure(adapter, response, payload);
  if (failure) return { ok: false, failure };
  if (!isObject(payload)) return { ok: false, failure: upstreamFailure(adapter, response, { kind: 'invalid_response' }, readErrorFields(payload)) };
  const completion = normalizeCompletion(adapter, payload, model.id);
  if (completion.filtered) {
    return { ok: false, failure: { kind: 'content_filter', provider: adapter.id, providerCode: completion.filtered } };
  }
  return { ok: true, kind: 'json', body: completion.body, usage: completion.usage, deliveredTokens: completion.deliveredTokens };
}
