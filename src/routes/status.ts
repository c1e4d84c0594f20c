/**
 * Provider health for people: the public status page's data (up or down per
 * configured provider, no detail) and the operator's view (the last health
 * check, its error and latency, and this isolate's circuit).
 */
import { Hono } from 'hono';
import type { AppEnv, Config } from '../env';
import { PROVIDER_IDS, type ProviderId } from '../base/provider-id';
import { resolveBaseUrl } from '../providers/upstream-request';
import { providerHealth, readProbeResults, type ProbeResult } from '../routing/health';

interface ProviderView {
  provider: ProviderId;
  configured: boolean;
  status: 'up' | 'down';
  circuit: 'closed' | 'half_open' | 'open';
  probe: ProbeResult | undefined;
}

/** Down when the last health check failed or this isolate's circuit is open; up otherwise. */
export function viewAll(config: Config, probes: ProbeResult[], now: number): ProviderView[] {
  const byProvider = new Map(probes.map((probe) => [probe.provider, probe]));
  return PROVIDER_IDS.map((provider) => {
    const probe = byProvider.get(provider);
    const circuit = providerHealth.status(provider, now, config).state;
    const status = probe?.status === 'down' || circuit === 'open' ? 'down' : 'up';
    return { provider, configured: config.providers[provider].apiKey !== undefined, status, circuit, probe };
  });
}

/** GET /v1/status: public, no key; the latest health checks as the isolate last read them. */
export const publicStatus = new Hono<AppEnv>().get('/', async (c) => {
  const config = c.get('config');
  const now = Date.now();
  providerHealth.refreshInBackground(c.env.DB, config, now, (promise) => c.executionCtx.waitUntil(promise));
  const probes = PROVIDER_IDS.map((provider) => providerHealth.lastProbe(provider)).filter((probe) => probe !== undefined);
  const providers = viewAll(config, probes, now)
    .filter((view) => view.configured)
    .map((view) => ({ provider: view.provider, status: view.status, checked_at: view.probe?.checkedAt ?? null }));
  const down = providers.filter((view) => view.status === 'down').length;
  const overall = down === 0 ? 'operational' : down === providers.length ? 'down' : 'degraded';
  return c.json({ status: overall, providers }, 200, { 'Cache-Control': 'public, max-age=30' });
});

/** GET /admin/v1/providers: every provider with its last health check, read from D1 now. */
export const adminProviders = new Hono<AppEnv>().get('/', async (c) => {
  const config = c.get('config');
  const now = Date.now();
  const probes = await readProbeResults(c.env.DB);
  providerHealth.applyProbes(probes, now, config);
  const data = viewAll(config, probes, now).map((view) => ({
    provider: view.provider,
    configured: view.configured,
    status: view.status,
    circuit: view.circuit,
    last_checked_at: view.probe?.checkedAt ?? null,
    latency_ms: view.probe?.latencyMs ?? null,
    error: view.probe?.error ?? null,
    base_url: resolveBaseUrl(config, view.provider),
  }));
  return c.json({ object: 'list', data });
});
