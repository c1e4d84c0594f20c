/** The health cron through the worker's scheduled handler, and the views of its results. */
import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../src/index';
import { CRON_HEALTH_CHECKS } from '../../../src/jobs/scheduled';
import { PROVIDER_IDS } from '../../../src/base/provider-id';
import { adminRequest, BASE, chat, createAccountWithKey, hello, upstreamRequests } from '../helpers';
import { uniqueTag } from '../chat/provider-models';

const CHECKED_AT = Date.UTC(2026, 10, 26, 4, 5);

/** Fires the five-minute cron with `overrides` on top of the test env (a `down-` key plays an outage). */
async function runHealthChecks(overrides: Record<string, string> = {}, at = CHECKED_AT): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: CRON_HEALTH_CHECKS, scheduledTime: at }), { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
}

const rows = async () =>
  (await env.DB.prepare('SELECT provider, status, checked_at, error, consecutive_failures, latency_ms FROM provider_health ORDER BY provider').all<Record<string, unknown>>()).results;

describe('health checks', () => {
  it('probes every configured provider and records status, latency and error in D1', async () => {
    await runHealthChecks({ KIMI_API_KEY: 'down-kimi', STEPFUN_API_KEY: '' });
    const checked = await rows();
    expect(checked.map(({ latency_ms: _latency, ...row }) => row)).toEqual([
      { provider: 'deepseek', status: 'up', checked_at: CHECKED_AT, error: null, consecutive_failures: 0 },
      // Moonshot says "engine overloaded" with a 429.
      { provider: 'kimi', status: 'down', checked_at: CHECKED_AT, error: 'HTTP 429 (overloaded)', consecutive_failures: 1 },
      { provider: 'minimax', status: 'up', checked_at: CHECKED_AT, error: null, consecutive_failures: 0 },
      { provider: 'qwen', status: 'up', checked_at: CHECKED_AT, error: null, consecutive_failures: 0 },
      { provider: 'zhipu', status: 'up', checked_at: CHECKED_AT, error: null, consecutive_failures: 0 },
    ]);
    for (const row of checked) expect(row.latency_ms).toEqual(expect.any(Number));
    // The platform's key never reaches the record.
    expect(JSON.stringify(checked)).not.toContain('down-kimi');
  });

  it('counts failed checks in a row and routes around a provider found down', async () => {
    await runHealthChecks({ KIMI_API_KEY: 'down-kimi' });
    await runHealthChecks({ KIMI_API_KEY: 'down-kimi' }, CHECKED_AT + 300_000);
    expect((await rows()).find((row) => row.provider === 'kimi')).toMatchObject({ status: 'down', consecutive_failures: 2, checked_at: CHECKED_AT + 300_000 });

    const { key } = await createAccountWithKey();
    const tag = uniqueTag();
    const response = await chat(key, { model: 'kimi-k2', messages: hello, standin: { tag } });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Provider')).not.toBe('kimi');
    expect((await upstreamRequests(tag)).map((request) => request.provider)).not.toContain('kimi');
  });

  it('lets requests reach a provider again once a check finds it up', async () => {
    await runHealthChecks({ KIMI_API_KEY: 'down-kimi' });
    await runHealthChecks({}, CHECKED_AT + 300_000);
    expect((await rows()).find((row) => row.provider === 'kimi')).toMatchObject({ status: 'up', consecutive_failures: 0, error: null });
    const { key } = await createAccountWithKey();
    const response = await chat(key, { model: 'kimi-k2', messages: hello });
    expect(response.headers.get('X-FindToken-Provider')).toBe('kimi');
  });
});

describe('provider status views', () => {
  it('shows the operator every provider with its last check, error, latency and circuit', async () => {
    // Zhipu says "model overloaded" (1305) with a 429.
    await runHealthChecks({ ZHIPU_API_KEY: 'down-zhipu' });
    const response = await adminRequest('GET', '/providers');
    expect(response.status).toBe(200);
    const { data } = await response.json<{ data: Array<Record<string, unknown>> }>();
    expect(data.map((p) => p.provider)).toEqual([...PROVIDER_IDS]);
    expect(data.find((p) => p.provider === 'zhipu')).toEqual({
      provider: 'zhipu',
      configured: true,
      status: 'down',
      circuit: 'open',
      last_checked_at: CHECKED_AT,
      latency_ms: expect.any(Number),
      error: 'HTTP 429 (overloaded)',
      base_url: `${env.STANDIN_URL}/zhipu`,
    });
    expect(data.find((p) => p.provider === 'deepseek')).toMatchObject({ status: 'up', circuit: 'closed', error: null });
  });

  it('needs the admin token for the operator view', async () => {
    const response = await SELF.fetch(`${BASE}/admin/v1/providers`);
    expect(response.status).toBe(401);
  });

  it('shows anyone, without a key, which providers are up', async () => {
    await runHealthChecks({ MINIMAX_API_KEY: 'down-minimax' });
    // The public view reads what this isolate last learnt; the cron run above taught it.
    const response = await SELF.fetch(`${BASE}/v1/status`);
    expect(response.status).toBe(200);
    expect(response.headers.get('Cache-Control')).toBe('public, max-age=30');
    expect(await response.json()).toEqual({
      status: 'degraded',
      providers: [
        { provider: 'deepseek', status: 'up', checked_at: CHECKED_AT },
        { provider: 'zhipu', status: 'up', checked_at: CHECKED_AT },
        { provider: 'minimax', status: 'down', checked_at: CHECKED_AT },
        { provider: 'qwen', status: 'up', checked_at: CHECKED_AT },
        { provider: 'kimi', status: 'up', checked_at: CHECKED_AT },
        { provider: 'stepfun', status: 'up', checked_at: CHECKED_AT },
      ],
    });
  });
});
