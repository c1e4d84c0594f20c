/**
 * Sends one request to a provider under a timer: a call that throws (connection
 * refused, reset, aborted) comes back as a failure kind, never as an exception.
 * The timer keeps running until the caller stops it, so it can cover reading
 * the body too.
 */
import type { UpstreamFailureKind } from '../base/upstream';
import type { UpstreamRequest } from './upstream-request';

export interface FetchOptions {
  /** Longest wait before the call is aborted as a timeout. */
  timeoutMs: number;
  /** The caller's own abort (the client left): the call is aborted, and it is not a timeout. */
  signal?: AbortSignal;
  fetch: typeof fetch;
}

export type Fetched =
  | { ok: true; response: Response; signal: AbortSignal; abort: () => void; stopTimer: () => void }
  | { ok: false; kind: Extract<UpstreamFailureKind, 'timeout' | 'connection'> };

export async function fetchUpstream(request: UpstreamRequest, options: FetchOptions): Promise<Fetched> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException('upstream timeout', 'TimeoutError')), options.timeoutMs);
  const send = options.fetch;
  try {
    const response = await send(request.url, { ...request.init, signal: controller.signal });
    return { ok: true, response, signal: controller.signal, abort, stopTimer: () => clearTimeout(timer) };
  } catch {
    clearTimeout(timer);
    return { ok: false, kind: controller.signal.aborted && !options.signal?.aborted ? 'timeout' : 'connection' };
  }
}

/** The body as text; undefined when reading it failed (the connection was cut, or the call aborted). */
export async function readText(response: Response): Promise<string | undefined> {
  try {
    return await response.text();
  } catch {
    return undefined;
  }
}
