/**
 * One cheap real call to a provider with a key: its models list (no tokens, no
 * cost). Used by the health checks and to verify a user's own key. Only the
 * failure's kind and status come back: a provider's message may echo the key.
 */
import { isObject, readErrorFields } from './openai-compatible';
import type { UpstreamFailureKind } from '../base/upstream';
import { buildUpstreamRequest, type UpstreamTarget } from './upstream-request';

export type ProbeOutcome = { ok: true; latencyMs: number } | { ok: false; latencyMs: number; kind: UpstreamFailureKind; status?: number };

export async function probeModels(target: UpstreamTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  let response: Response;
  try {
    const request = buildUpstreamRequest(target, { kind: 'models' });
    response = await fetch(request.url, { ...request.init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { ok: false, latencyMs: elapsed(), kind: error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'connection' };
  }
  const text = await response.text().catch(() => '');
  let payload: unknown = text;
  try {
    payload = JSON.parse(text);
  } catch {
    // an HTML error page: classified by status alone
  }
  const { adapter } = target;
  // MiniMax reports failures inside an HTTP 200 (base_resp): a 200 is only a success when its body says so.
  const inBand = response.ok && isObject(payload) ? adapter.inBandError(payload) : undefined;
  if (response.ok && !inBand) return { ok: true, latencyMs: elapsed() };
  const { kind } = adapter.classifyError(response.status, inBand ?? readErrorFields(payload));
  return { ok: false, latencyMs: elapsed(), kind, status: response.status };
}
