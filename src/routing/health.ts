/**
 * Provider health as the router sees it: one circuit breaker per provider, in
 * isolate memory, fed by every upstream call this isolate makes and by the
 * health checks' results, which the isolate reads from D1 in the background at
 * most every HEALTH_REFRESH_MS — never a query per request, never one global
 * object on the hot path.
 *
 * A circuit opens after CIRCUIT_FAILURE_THRESHOLD failures within
 * CIRCUIT_WINDOW_MS (not one), half-opens after CIRCUIT_COOLDOWN_MS (requests
 * may try it again), and closes on a success; a failure while half-open opens it
 * again. A probe that finds the provider down opens it at once; one that finds it
 * up lets a request try it.
 */
import { messageOf } from '../errors';
import type { Config } from '../env';
import { PROVIDER_IDS, type ProviderId } from '../base/provider-id';
import type { CircuitState, ProviderStatus } from './strategies';
import { logError } from '../base/log';

export type CircuitSettings = Pick<Config, 'circuitFailureThreshold' | 'circuitWindowMs' | 'circuitCooldownMs'>;

/** A health check's result as stored in D1. */
export interface ProbeResult {
  provider: ProviderId;
  status: 'up' | 'down';
  checkedAt: number;
  latencyMs: number | null;
  error: string | null;
}

/** Weight of the newest latency sample in the smoothed figure. */
const LATENCY_WEIGHT = 0.3;

export class CircuitBreaker {
  private failures: number[] = [];
  private openedAt: number | undefined;
  private latency: number | undefined;
  /** When a call last succeeded: a health check older than that says nothing new. */
  lastSuccessAt = Number.NEGATIVE_INFINITY;

  state(now: number, settings: CircuitSettings): CircuitState {
    if (this.openedAt === undefined) return 'closed';
    return now - this.openedAt >= settings.circuitCooldownMs ? 'half_open' : 'open';
  }

  /** Milliseconds until an open circuit lets a request try again (0 unless open). */
  retryInMs(now: number, settings: CircuitSettings): number {
    return this.state(now, settings) === 'open' ? this.openedAt! + settings.circuitCooldownMs - now : 0;
  }

  get latencyMs(): number | undefined {
    return this.latency;
  }

  recordSuccess(now: number, latencyMs?: number): void {
    this.lastSuccessAt = now;
    this.failures = [];
    this.openedAt = undefined;
    if (latencyMs !== undefined) this.latency = this.latency === undefined ? latencyMs : this.latency + LATENCY_WEIGHT * (latencyMs - this.latency);
  }

  recordFailure(now: number, settings: CircuitSettings): void {
    if (this.state(now, settings) === 'half_open') {
      this.open(now);
      return;
    }
    this.failures = this.failures.filter((at) => now - at < settings.circuitWindowMs);
    this.failures.push(now);
    if (this.failures.length >= settings.circuitFailureThreshold) this.open(now);
  }

  /** Opens now, whatever the count (a failed probe, or the platform's key refused). */
  open(now: number): void {
    this.openedAt = now;
    this.failures = [];
  }

  /** An open circuit becomes half-open: the next request may try the provider. */
  allowTrial(now: number, settings: CircuitSettings): void {
    if (this.state(now, settings) === 'open') this.openedAt = now - settings.circuitCooldownMs;
  }
}

export class ProviderHealth {
  private circuits = new Map<ProviderId, CircuitBreaker>();
  private probes = new Map<ProviderId, ProbeResult>();
  private refreshedAt = Number.NEGATIVE_INFINITY;

  circuit(provider: ProviderId): CircuitBreaker {
    let circuit = this.circuits.get(provider);
    if (!circuit) this.circuits.set(provider, (circuit = new CircuitBreaker()));
    return circuit;
  }

  status(provider: ProviderId, now: number, settings: CircuitSettings): ProviderStatus {
    const circuit = this.circuit(provider);
    return { state: circuit.state(now, settings), latencyMs: circuit.latencyMs };
  }

  lastProbe(provider: ProviderId): ProbeResult | undefined {
    return this.probes.get(provider);
  }

  /** Applies health checks' results this isolate has not seen yet. */
  applyProbes(results: ProbeResult[], now: number, settings: CircuitSettings): void {
    for (const result of results) {
      const seen = this.probes.get(result.provider);
      if (seen && seen.checkedAt >= result.checkedAt) continue;
      this.probes.set(result.provider, result);
      const circuit = this.circuit(result.provider);
      if (result.status === 'up') circuit.allowTrial(now, settings);
      else if (circuit.lastSuccessAt < result.checkedAt) circuit.open(now);
    }
  }

  /** Reads the latest health checks from D1 when the last read is older than HEALTH_REFRESH_MS, off the request path. */
  refreshInBackground(db: D1Database, config: Config, now: number, waitUntil: (promise: Promise<unknown>) => void): void {
    if (now - this.refreshedAt < config.healthRefreshMs) return;
    this.refreshedAt = now;
    waitUntil(
      readProbeResults(db)
        .then((results) => this.applyProbes(results, Date.now(), config))
        .catch((error: unknown) => logError('health.read_failed', { message: 'reading provider health failed', cause: messageOf(error) })),
    );
  }

  /** Forgets everything (a fresh isolate). */
  reset(): void {
    this.circuits.clear();
    this.probes.clear();
    this.refreshedAt = Number.NEGATIVE_INFINITY;
  }
}

export async function readProbeResults(db: D1Database): Promise<ProbeResult[]> {
  const { results } = await db
    .prepare('SELECT provider, status, checked_at AS checkedAt, latency_ms AS latencyMs, error FROM provider_health')
    .all<ProbeResult>();
  const known = new Set<string>(PROVIDER_IDS);
  return results.filter((row) => known.has(row.provider));
}

/** This isolate's view of every provider's health. */
export const providerHealth = new ProviderHealth();
