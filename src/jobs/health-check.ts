/**
 * The health cron: probes every provider that has a platform key with a cheap
 * real call (its models list: no tokens, no cost), records status and latency in
 * D1 for every isolate to read, and feeds this isolate's circuits at once.
 */
import { parseConfig, type Config, type Env } from '../env';
import { PROVIDER_IDS, type ProviderId } from '../base/provider-id';
import { probeModels } from '../providers/probe-models';
import { upstreamTarget } from '../providers/upstream-request';
import { providerHealth, type ProbeResult } from '../routing/health';

export async function checkProviderHealth(env: Env, now: Date): Promise<ProbeResult[]> {
  const config = parseConfig(env);
  const configured = PROVIDER_IDS.filter((provider) => config.providers[provider].apiKey !== undefined);
  const results = await Promise.all(configured.map((provider) => probe(config, provider, now.getTime())));
  if (results.length === 0) return results;
  const upsert = env.DB.prepare(
    `INSERT INTO provider_health (provider, status, checked_at, latency_ms, error, consecutive_failures)
     VALUES (?1, ?2, ?3, ?4, ?5, CASE WHEN ?2 = 'up' THEN 0 ELSE 1 END)
     ON CONFLICT (provider) DO UPDATE SET
       status = excluded.status, checked_at = excluded.checked_at, latency_ms = excluded.latency_ms, error = excluded.error,
       consecutive_failures = CASE WHEN excluded.status = 'up' THEN 0 ELSE provider_health.consecutive_failures + 1 END`,
  );
  await env.DB.batch(results.map((r) => upsert.bind(r.provider, r.status, r.checkedAt, r.latencyMs, r.error)));
  providerHealth.applyProbes(results, Date.now(), config);
  return results;
}

async function probe(config: Config, provider: ProviderId, checkedAt: number): Promise<ProbeResult> {
  const timeoutMs = config.healthProbeTimeoutMs;
  const outcome = await probeModels({ ...upstreamTarget(config, provider, config.providers[provider].apiKey ?? ''), timeoutMs });
  if (outcome.ok) return { provider, status: 'up', checkedAt, latencyMs: outcome.latencyMs, error: null };
  const error =
    outcome.status === undefined
      ? outcome.kind === 'timeout'
        ? `timeout after ${timeoutMs} ms`
        : 'connection failed'
      : `HTTP ${outcome.status} (${outcome.kind.replaceAll('_', ' ')})`;
  return { provider, status: 'down', checkedAt, latencyMs: outcome.latencyMs, error };
}
