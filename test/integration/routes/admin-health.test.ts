/** GET /admin/v1/health: configuration gaps by name, provider health, lost charges and the cron jobs' last runs. */
import { createExecutionContext, createScheduledController, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../src/index';
import { CRON_HEALTH_CHECKS } from '../../../src/jobs/scheduled';
import { adminRequest, BASE, fetchWithEnv } from '../helpers';

interface Health {
  environment: string;
  configuration: { missing: string[]; development_only_enabled: string[] };
  providers: Array<Record<string, unknown>>;
  queue: { lost_charges: number; lost_charges_cost: number };
  jobs: Array<Record<string, unknown>>;
}

const CHECKED_AT = Date.UTC(2026, 10, 26, 4, 5);
const health = async () => (await adminRequest('GET', '/health')).json<Health>();

describe('GET /admin/v1/health', () => {
  it('requires the admin token', async () => {
    const response = await SELF.fetch(`${BASE}/admin/v1/health`, { headers: { Authorization: 'Bearer not-the-token' } });
    expect(response.status).toBe(401);
    expect((await SELF.fetch(`${BASE}/admin/v1/health`)).status).toBe(401);
  });

  it('names what production lacks and the development-only paths its vars ask for, never a value', async () => {
    const vars = { ENVIRONMENT: 'production', PUBLIC_URL: '', STRIPE_SECRET_KEY: '', RESEND_API_KEY: '', LOCAL_CHECKOUT: 'true' };
    const response = await fetchWithEnv('/admin/v1/health', { headers: { Authorization: `Bearer ${env.ADMIN_TOKEN}` } }, vars);
    expect(response.status).toBe(200);
    const text = await response.text();
    const body = JSON.parse(text) as Health;
    expect(body.environment).toBe('production');
    expect(body.configuration).toEqual({ missing: ['PUBLIC_URL', 'STRIPE_SECRET_KEY', 'RESEND_API_KEY'], development_only_enabled: ['local_checkout', 'dev_outbox'] });
    for (const secret of [env.ADMIN_TOKEN, env.BYOK_ENCRYPTION_KEY, env.STRIPE_WEBHOOK_SECRET!]) expect(text).not.toContain(secret);
  });

  it('misses nothing in development', async () => {
    const body = await health();
    expect(body.environment).toBe('development');
    expect(body.configuration.missing).toEqual([]);
  });

  it("shows each provider's last health check and this isolate's circuit after a health-check run, and the job's run", async () => {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: CRON_HEALTH_CHECKS, scheduledTime: CHECKED_AT }), { ...env, KIMI_API_KEY: 'down-kimi' }, ctx);
    await waitOnExecutionContext(ctx);
    const body = await health();
    expect(body.providers.find((p) => p.provider === 'kimi')).toEqual({
      provider: 'kimi',
      configured: true,
      status: 'down',
      circuit: 'open',
      checked_at: CHECKED_AT,
      latency_ms: expect.any(Number),
      last_error: 'HTTP 429 (overloaded)',
    });
    expect(body.providers.find((p) => p.provider === 'deepseek')).toMatchObject({ status: 'up', circuit: 'closed', checked_at: CHECKED_AT, last_error: null });
    expect(body.jobs.find((job) => job.name === 'provider_health_check')).toMatchObject({ outcome: 'ok', detail: 'checked 6, down 1 (kimi)' });
  });

  it('shows no status for a provider never checked', async () => {
    const body = await health();
    expect(body.providers.find((p) => p.provider === 'kimi')).toMatchObject({ status: null, checked_at: null, latency_ms: null, last_error: null });
  });

  it('counts the lost charges waiting for a replay', async () => {
    const before = (await health()).queue;
    await env.DB.prepare('INSERT INTO lost_charges (request_id, account_id, cost, charge, created_at) VALUES (?, ?, ?, ?, ?)')
      .bind(`req_${crypto.randomUUID()}`, 'acct_health', 2_500_000, '{}', Date.now())
      .run();
    expect((await health()).queue.lost_charges).toBe(before.lost_charges + 1);
  });
});
