import { describe, expect, it } from 'vitest';
import type { UpstreamFailure, UpstreamFailureKind } from '../../../src/base/upstream';
import { findModel, type CatalogModel } from '../../../src/base/catalog';
import { backoffMs, dispatch, type AttemptResult, type DispatchInput } from '../../../src/routing/dispatch';
import { ProviderHealth } from '../../../src/routing/health';
import { ApiError } from '../../../src/errors';
import { testConfig } from '../support/config';

const config = testConfig({ RETRY_BASE_MS: '1000', ROUTING_BUDGET_MS: '120000', CIRCUIT_FAILURE_THRESHOLD: '5', CIRCUIT_WINDOW_MS: '60000', CIRCUIT_COOLDOWN_MS: '30000' });
type Served = { ok: true };
type ExecuteResult = AttemptResult<Served>;
const served: Served = { ok: true };
const failed = (kind: UpstreamFailureKind, extra: Partial<UpstreamFailure> = {}): ExecuteResult => ({ ok: false, failure: { kind, provider: 'deepseek', ...extra } });

/** Runs dispatch on a fake clock: each attempt takes 100 ms; sleeps advance the clock. */
async function run(plan: string[], script: Record<string, ExecuteResult[]>, overrides: Partial<DispatchInput<Served>> = {}) {
  let clock = 0;
  const sleeps: number[] = [];
  const calls: string[] = [];
  const health = new ProviderHealth();
  const result = await dispatch({
    plan: plan.map((id) => findModel(id)!),
    config,
    health,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    attempt: async (model: CatalogModel) => {
      calls.push(model.id);
      clock += 100;
      return script[model.id]!.shift() ?? served;
    },
    ...overrides,
  });
  return { result, sleeps, calls, health, clock };
}

describe('retries and failover', () => {
  it('retries a provider that fails twice after 1 and 2 × RETRY_BASE_MS, then serves from it', async () => {
    const { result, sleeps, calls } = await run(['deepseek-chat', 'qwen-max'], { 'deepseek-chat': [failed('overloaded'), failed('server')] });
    expect(result).toMatchObject({ ok: true, attempts: 3, model: { id: 'deepseek-chat' } });
    expect(sleeps).toEqual([1_000, 2_000]);
    expect(calls).toEqual(['deepseek-chat', 'deepseek-chat', 'deepseek-chat']);
  });

  it("waits the provider's Retry-After when it is shorter than the backoff, and the backoff when it is longer", async () => {
    const { sleeps } = await run(['kimi-k2'], { 'kimi-k2': [failed('rate_limit', { retryAfterMs: 300 }), failed('rate_limit', { retryAfterMs: 60_000 })] });
    expect(sleeps).toEqual([300, 2_000]);
    expect(backoffMs(2, 1_000, undefined)).toBe(4_000);
  });

  it('retries a timeout once only', async () => {
    const { calls } = await run(['deepseek-chat', 'qwen-max'], { 'deepseek-chat': [failed('timeout'), failed('timeout')], 'qwen-max': [] });
    expect(calls).toEqual(['deepseek-chat', 'deepseek-chat', 'qwen-max']);
  });

  it.each(['rate_limit', 'overloaded', 'server', 'connection', 'stream_cut', 'invalid_response'] as const)(
    'retries %s three times with backoff, counting each failure against the circuit, then serves from the next candidate',
    async (kind) => {
      const fails = Array.from({ length: 4 }, () => failed(kind));
      const { result, sleeps, calls, health, clock } = await run(['deepseek-chat', 'qwen-max'], { 'deepseek-chat': fails, 'qwen-max': [] });
      expect(result).toMatchObject({ ok: true, attempts: 5, model: { id: 'qwen-max' } });
      expect(sleeps).toEqual([1_000, 2_000, 4_000]);
      expect(calls).toEqual(['deepseek-chat', 'deepseek-chat', 'deepseek-chat', 'deepseek-chat', 'qwen-max']);
      // Four failures within the window, one short of the threshold of five.
      expect(health.circuit('deepseek').state(clock, config)).toBe('closed');
      health.circuit('deepseek').recordFailure(clock, config);
      expect(health.circuit('deepseek').state(clock, config)).toBe('open');
    },
  );

  it.each(['auth', 'balance', 'not_found'] as const)("fails over at once on the platform's %s refusal and opens the provider's circuit", async (kind) => {
    const { result, calls, sleeps, health, clock } = await run(['deepseek-chat', 'qwen-max'], { 'deepseek-chat': [failed(kind)], 'qwen-max': [] });
    expect(result).toMatchObject({ ok: true, attempts: 2, model: { id: 'qwen-max' } });
    expect(calls).toEqual(['deepseek-chat', 'qwen-max']);
    expect(sleeps).toEqual([]);
    expect(health.status('deepseek', clock, config).state).toBe('open');
  });

  it("tries the next candidate at once when the prompt is too long for one model, and spares that provider's circuit", async () => {
    const { result, calls, sleeps, health, clock } = await run(['deepseek-chat', 'kimi-k2'], { 'deepseek-chat': [failed('context_length')], 'kimi-k2': [] });
    expect(result).toMatchObject({ ok: true, attempts: 2, model: { id: 'kimi-k2' } });
    expect(calls).toEqual(['deepseek-chat', 'kimi-k2']);
    expect(sleeps).toEqual([]);
    expect(health.circuit('deepseek').state(clock, config)).toBe('closed');
    for (let i = 0; i < 4; i++) health.circuit('deepseek').recordFailure(clock, config);
    expect(health.circuit('deepseek').state(clock, config)).toBe('closed');
  });

  it.each(['bad_request', 'content_filter'] as const)("answers %s at once, with the model that said so, and spares the provider's health", async (kind) => {
    const { result, calls, health } = await run(['deepseek-chat', 'qwen-max'], { 'deepseek-chat': [failed(kind)] });
    expect(result).toMatchObject({ ok: false, attempts: 1, model: { id: 'deepseek-chat' }, error: { status: 400 } });
    expect(calls).toEqual(['deepseek-chat']);
    expect(health.circuit('deepseek').state(0, config)).toBe('closed');
  });

  it("answers with the caller's own key error when keyRefused claims the failure, and never fails over", async () => {
    const refused = new ApiError({ status: 401, type: 'invalid_request_error', code: 'provider_key_invalid', message: 'Your deepseek key was refused.' });
    const { result, calls } = await run(['deepseek-chat', 'qwen-max'], { 'deepseek-chat': [failed('auth')] }, { keyRefused: (failure) => (failure.kind === 'auth' ? refused : undefined) });
    expect(result).toEqual({ ok: false, error: refused, attempts: 1, model: findModel('deepseek-chat') });
    expect(calls).toEqual(['deepseek-chat']);
  });

  it('stops retrying a provider whose circuit opened meanwhile', async () => {
    const health = new ProviderHealth();
    for (let i = 0; i < 4; i++) health.circuit('deepseek').recordFailure(0, config);
    const { calls } = await run(['deepseek-chat', 'qwen-max'], { 'deepseek-chat': [failed('server')], 'qwen-max': [] }, { health });
    expect(calls).toEqual(['deepseek-chat', 'qwen-max']);
  });
});

describe('when nothing serves', () => {
  it('answers 503 all_providers_unavailable naming what each candidate did', async () => {
    const fourTimes = (kind: UpstreamFailureKind) => Array.from({ length: 4 }, () => failed(kind));
    const { result } = await run(['deepseek-coder', 'glm-4-flash'], { 'deepseek-coder': fourTimes('server'), 'glm-4-flash': [failed('auth')] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.attempts).toBe(5);
    expect(result.error.toJSON()).toEqual({
      error: {
        message: 'No provider could serve this request right now (deepseek-coder (deepseek): server; glm-4-flash (zhipu): auth). Please retry.',
        type: 'server_error',
        param: null,
        code: 'all_providers_unavailable',
      },
    });
    // zhipu's circuit opened on the refused key: a request may try again when it half-opens.
    expect(result.error.headers['Retry-After']).toBe('30');
  });

  it('spends what is left of the time budget on the next candidate rather than on a wait, then gives up', async () => {
    const slow = { ...config, routingBudgetMs: 2_500 };
    const always = () => Array.from({ length: 4 }, () => failed('server'));
    const { result, calls, sleeps } = await run(['deepseek-chat', 'qwen-max'], { 'deepseek-chat': always(), 'qwen-max': always() }, { config: slow });
    // deepseek: 100 ms, wait 1 s, 100 ms; a 2 s wait would pass the budget, so qwen gets the rest: 100 ms, wait 1 s, 100 ms.
    expect(calls).toEqual(['deepseek-chat', 'deepseek-chat', 'qwen-max', 'qwen-max']);
    expect(sleeps).toEqual([1_000, 1_000]);
    expect(result).toMatchObject({ ok: false, attempts: 4, error: { code: 'all_providers_unavailable' } });
  });

  it('ends at the deadline it is given (a second pass of one request), not a fresh budget from now', async () => {
    const always = () => Array.from({ length: 4 }, () => failed('server'));
    // The budget is 120 s, but the request's deadline is 1.2 s away: 100 ms, wait 1 s, 100 ms, and no time is left.
    const { result, calls } = await run(['deepseek-chat', 'qwen-max'], { 'deepseek-chat': always(), 'qwen-max': always() }, { deadline: 1_200 });
    expect(calls).toEqual(['deepseek-chat', 'deepseek-chat']);
    expect(result).toMatchObject({ ok: false, attempts: 2, error: { code: 'all_providers_unavailable' } });
  });

  it('answers 503 with a Retry-After of one second when the budget runs out and no provider said when to come back', async () => {
    const always = () => Array.from({ length: 4 }, () => failed('server'));
    const { result } = await run(['deepseek-chat', 'qwen-max'], { 'deepseek-chat': always(), 'qwen-max': always() }, { config: { ...config, routingBudgetMs: 2_500 } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.status).toBe(503);
    expect(result.error.headers['Retry-After']).toBe('1');
  });

  it("answers 503 with the providers' shortest Retry-After, rounded up to seconds, when no circuit is open", async () => {
    const limited = (retryAfterMs: number) => Array.from({ length: 4 }, () => failed('rate_limit', { retryAfterMs }));
    const { result } = await run(['deepseek-chat', 'qwen-max'], { 'deepseek-chat': limited(7_000), 'qwen-max': limited(2_500) }, { config: { ...config, routingBudgetMs: 30_000 } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.headers['Retry-After']).toBe('3');
  });

  it('answers 400 context_length_exceeded when every candidate refuses the prompt as too long', async () => {
    const { result } = await run(['deepseek-chat', 'kimi-k2'], { 'deepseek-chat': [failed('context_length')], 'kimi-k2': [failed('context_length')] });
    expect(result).toMatchObject({ ok: false, attempts: 2, error: { status: 400, code: 'context_length_exceeded' } });
  });

  it('skips a candidate whose worst case cannot be held, and tries nothing once the client has gone', async () => {
    const { calls } = await run(['deepseek-chat', 'qwen-max', 'glm-4-plus'], { 'deepseek-chat': [failed('auth')], 'glm-4-plus': [] }, { admit: async (model) => model.id !== 'qwen-max' });
    expect(calls).toEqual(['deepseek-chat', 'glm-4-plus']);
    const gone = AbortSignal.abort();
    const { result, calls: none } = await run(['deepseek-chat'], { 'deepseek-chat': [] }, { signal: gone });
    expect(none).toEqual([]);
    expect(result.ok).toBe(false);
  });
});
