import { describe, expect, it } from 'vitest';
import { CircuitBreaker, ProviderHealth, type CircuitSettings } from '../../../src/routing/health';

const SETTINGS: CircuitSettings = { circuitFailureThreshold: 3, circuitWindowMs: 10_000, circuitCooldownMs: 5_000 };
const T = 1_000_000;

function failTimes(circuit: CircuitBreaker, times: number[]): void {
  for (const at of times) circuit.recordFailure(at, SETTINGS);
}

describe('circuit breaker', () => {
  it('stays closed after one failure, and opens after the threshold within the window', () => {
    const circuit = new CircuitBreaker();
    failTimes(circuit, [T]);
    expect(circuit.state(T, SETTINGS)).toBe('closed');
    failTimes(circuit, [T + 1_000, T + 2_000]);
    expect(circuit.state(T + 2_000, SETTINGS)).toBe('open');
  });

  it('does not count failures older than the window', () => {
    const circuit = new CircuitBreaker();
    failTimes(circuit, [T, T + 1_000, T + 12_000]);
    expect(circuit.state(T + 12_000, SETTINGS)).toBe('closed');
  });

  it('half-opens after the cool-down, says when, and closes on a success', () => {
    const circuit = new CircuitBreaker();
    failTimes(circuit, [T, T, T]);
    expect(circuit.retryInMs(T + 1_000, SETTINGS)).toBe(4_000);
    expect(circuit.state(T + 4_999, SETTINGS)).toBe('open');
    expect(circuit.state(T + 5_000, SETTINGS)).toBe('half_open');
    circuit.recordSuccess(T + 5_100, 80);
    expect(circuit.state(T + 5_100, SETTINGS)).toBe('closed');
    expect(circuit.latencyMs).toBe(80);
  });

  it('opens again on a failure while half-open', () => {
    const circuit = new CircuitBreaker();
    failTimes(circuit, [T, T, T]);
    circuit.recordFailure(T + 6_000, SETTINGS);
    expect(circuit.state(T + 6_000, SETTINGS)).toBe('open');
    expect(circuit.retryInMs(T + 6_000, SETTINGS)).toBe(5_000);
  });

  it('smooths latency over successes', () => {
    const circuit = new CircuitBreaker();
    circuit.recordSuccess(T, 100);
    circuit.recordSuccess(T, 200);
    expect(circuit.latencyMs).toBe(130);
  });
});

describe('provider health from health checks', () => {
  it('opens the circuit of a provider a check found down, and lets a request try it once a check finds it up', () => {
    const health = new ProviderHealth();
    health.applyProbes([{ provider: 'kimi', status: 'down', checkedAt: T, latencyMs: 10, error: 'HTTP 503 (overloaded)' }], T + 100, SETTINGS);
    expect(health.status('kimi', T + 100, SETTINGS).state).toBe('open');
    health.applyProbes([{ provider: 'kimi', status: 'up', checkedAt: T + 1_000, latencyMs: 10, error: null }], T + 1_100, SETTINGS);
    expect(health.status('kimi', T + 1_100, SETTINGS).state).toBe('half_open');
  });

  it('ignores a check it has already applied, and a down check older than a success seen since', () => {
    const health = new ProviderHealth();
    const down = { provider: 'qwen' as const, status: 'down' as const, checkedAt: T, latencyMs: null, error: 'connection failed' };
    health.applyProbes([down], T, SETTINGS);
    health.circuit('qwen').recordSuccess(T + 500);
    health.applyProbes([down], T + 600, SETTINGS);
    expect(health.status('qwen', T + 600, SETTINGS).state).toBe('closed');
    health.reset();
    health.circuit('qwen').recordSuccess(T + 500);
    health.applyProbes([down], T + 600, SETTINGS);
    expect(health.status('qwen', T + 600, SETTINGS).state).toBe('closed');
  });
});
