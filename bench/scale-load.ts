/**
 * bench:scale's load: a closed loop of non-streaming chat requests spread over many accounts' keys, each
 * answered request remembered by its X-Request-Id (its billing log's id) and the wall-clock time its body ended,
 * so the billing pipeline can be checked row by row afterwards.
 */
import { timedRequest, type Target } from './http-client.ts';

/** One answered request: its billing log's id, its HTTP status, and when (epoch ms) its response ended. */
export interface SentRequest {
  requestId: string | undefined;
  status: number;
  endedAt: number;
}

export interface LoadRun {
  requests: SentRequest[];
  /** Requests that never got an answer (connection errors), by kind. */
  failures: Record<string, number>;
  elapsedMs: number;
}

const chatTarget = (url: string): Target => ({
  name: 'find-token',
  url: `${url}/v1/chat/completions`,
  headers: {},
  body: () => JSON.stringify({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Say hello.' }] }),
});

/**
 * `concurrency` loops, each sending its next request as soon as the last one ended, for `seconds`; the keys are
 * taken in turn, so every account sees about the same rate.
 */
export async function loadAcrossAccounts(url: string, keys: readonly string[], concurrency: number, seconds: number): Promise<LoadRun> {
  const target = chatTarget(url);
  const requests: SentRequest[] = [];
  const failures: Record<string, number> = {};
  let next = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const key = keys[next++ % keys.length]!;
        try {
          const result = await timedRequest({ ...target, headers: { Authorization: `Bearer ${key}` } }, concurrency);
          const id = result.headers['x-request-id'];
          requests.push({ requestId: typeof id === 'string' ? id : undefined, status: result.status, endedAt: Date.now() });
        } catch (error) {
          const kind = (error as { code?: string }).code ?? String(error);
          failures[kind] = (failures[kind] ?? 0) + 1;
        }
      }
    }),
  );
  return { requests, failures, elapsedMs: performance.now() - start };
}

/** Statuses other than 200 and connection failures, by kind (`HTTP 429`, `ECONNRESET`…). */
export function errorKinds(run: LoadRun): Record<string, number> {
  const kinds: Record<string, number> = { ...run.failures };
  for (const request of run.requests) if (request.status !== 200) kinds[`HTTP ${request.status}`] = (kinds[`HTTP ${request.status}`] ?? 0) + 1;
  return kinds;
}
