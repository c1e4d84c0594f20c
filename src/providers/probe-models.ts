/**
 * One cheap real call to a provider with a key: its models list (no tokens, no
 * cost). Used by the health checks and to verify a user's own key. Only the
 * failure's kind and status come back: a provider's message may echo the key.
 */
import type { UpstreamFailureKind } from '../base/upstream';
import { answerFailure } from './answer-failure';
import { fetchUpstream, readText } from './fetch-upstream';
import { buildUpstreamRequest, type UpstreamTarget } from './upstream-request';
import { parseAnswerText } from './upstream-schemas';

export type ProbeOutcome = { ok: true; latencyMs: number } | { ok: false; latencyMs: number; kind: UpstreamFailureKind; status?: number };

export interface ProbeCall extends UpstreamTarget {
  /** Covers the whole call, body included; past it the probe counts as a timeout. */
  timeoutMs: number;
  fetch?: typeof fetch;
  now?: () => number;
}

const globalFetch: typeof fetch = (input, init) => fetch(input, init);

export async function probeModels(call: ProbeCall): Promise<ProbeOutcome> {
  const now = call.now ?? Date.now;
  const started = now();
  const elapsed = () => now() - started;
  const sent = await fetchUpstream(buildUpstreamRequest(call, { kind: 'models' }), { timeoutMs: call.timeoutMs, fetch: call.fetch ?? globalFetch });
  if (!sent.ok) return { ok: false, latencyMs: elapsed(), kind: sent.kind };
  // A list cut off mid-body was still answered: its status decides.
  const text = (await readText(sent.response)) ?? '';
  sent.stopTimer();
  // MiniMax reports failures inside an HTTP 200 (base_resp): a 200 is only a success when its body says so.
  const failure = answerFailure(call.adapter, sent.response, parseAnswerText(text));
  if (!failure) return { ok: true, latencyMs: elapsed() };
  return { ok: false, latencyMs: elapsed(), kind: failure.kind, status: failure.status };
}
