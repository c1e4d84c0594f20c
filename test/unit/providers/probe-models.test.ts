/** The health probe (GET models list) with an injected fetch and clock: what counts as up, and why down. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProviderId } from '../../../src/base/provider-id';
import { probeModels, type ProbeOutcome } from '../../../src/providers/probe-models';
import { getAdapter } from '../../../src/providers/registry';
import { fakeFetch, hangingFetch, json, refusedFetch } from './fake-fetch';

/** A clock that moves 7 ms each time it is read. */
function steppingClock(): () => number {
  let now = 1_000;
  return () => (now += 7);
}

const probe = (provider: ProviderId, fetch: typeof globalThis.fetch, timeoutMs = 1_000): Promise<ProbeOutcome> =>
  probeModels({ adapter: getAdapter(provider), baseUrl: 'https://upstream.test/v1', apiKey: 'sk-probe-key', timeoutMs, fetch, now: steppingClock() });

const modelsList = { object: 'list', data: [{ id: 'deepseek-v4-flash', object: 'model', owned_by: 'deepseek' }] };

afterEach(() => {
  vi.useRealTimers();
});

describe('probeModels', () => {
  it('GETs <base>/models with the key and is up on a 200 list', async () => {
    const upstream = fakeFetch(() => json(modelsList));
    expect(await probe('deepseek', upstream.fetch)).toEqual({ ok: true, latencyMs: 7 });
    expect(upstream.calls).toEqual([
      {
        url: 'https://upstream.test/v1/models',
        method: 'GET',
        headers: { Authorization: 'Bearer sk-probe-key', Accept: 'application/json' },
        body: undefined,
        signal: expect.any(AbortSignal),
      },
    ]);
  });

  it('is down with the kind and status the adapter reads from an error body', async () => {
    const upstream = fakeFetch(() => json({ error: { type: 'engine_overloaded_error', message: 'The engine is currently overloaded' } }, 429));
    expect(await probe('kimi', upstream.fetch)).toEqual({ ok: false, latencyMs: 7, kind: 'overloaded', status: 429 });
  });

  it("is down when MiniMax's 200 carries an error in base_resp", async () => {
    const upstream = fakeFetch(() => json({ base_resp: { status_code: 1004, status_msg: 'login fail' } }));
    expect(await probe('minimax', upstream.fetch)).toEqual({ ok: false, latencyMs: 7, kind: 'auth', status: 200 });
  });

  it('reads an HTML error page by its status alone', async () => {
    const upstream = fakeFetch(() => new Response('<html>502 Bad Gateway</html>', { status: 502 }));
    expect(await probe('qwen', upstream.fetch)).toEqual({ ok: false, latencyMs: 7, kind: 'server', status: 502 });
  });

  it('is a connection failure, without a status, when fetch throws', async () => {
    expect(await probe('zhipu', refusedFetch)).toEqual({ ok: false, latencyMs: 7, kind: 'connection' });
  });

  it('is a timeout when nothing comes within timeoutMs', async () => {
    vi.useFakeTimers();
    const pending = probe('stepfun', hangingFetch, 250);
    await vi.advanceTimersByTimeAsync(250);
    expect(await pending).toEqual({ ok: false, latencyMs: 7, kind: 'timeout' });
  });
});
