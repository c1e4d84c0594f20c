import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { chat, createAccountWithKey, hello, readSse, upstreamRequests } from '../helpers';
import { uniqueTag } from '../chat/provider-models';
import { accountObject, balanceOf, billingLog, drainOutbox, waitFor } from './helpers';

// 1M prompt tokens of deepseek-chat: $0.14 at list price, $0.1477 with the 5.5% fee.
const MILLION_PROMPT = { usage: { prompt_tokens: 1_000_000, completion_tokens: 0 } };

describe('what a standard-mode request costs and shows', () => {
  it('charges a non-streaming call and the headers, balance and billing log agree', async () => {
    const { key, keyId, accountId } = await createAccountWithKey(10);
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, standin: MILLION_PROMPT });
    expect(response.status).toBe(200);
    expect(response.headers.get('X-FindToken-Mode')).toBe('standard');
    expect(response.headers.get('X-FindToken-Cost')).toBe('0.1477');
    expect(response.headers.get('X-FindToken-Balance')).toBe('9.8523');
    expect(response.headers.get('Server-Timing')).toMatch(/^authorize;dur=[\d.]+, upstream;dur=[\d.]+, charge;dur=[\d.]+$/);
    const requestId = response.headers.get('X-Request-Id')!;
    expect(await balanceOf(key)).toEqual({
      balance: 9.8523,
      currency: 'USD',
      reserved: 0,
      byok: { month: new Date().toISOString().slice(0, 7), requests: 0, free_requests: 1_000_000, free_remaining: 1_000_000 },
    });
    await drainOutbox(accountId);
    expect(await billingLog(key, requestId)).toEqual({
      id: expect.stringMatching(/^bl_/),
      request_id: requestId,
      created_at: expect.any(Number),
      model: 'deepseek-chat',
      provider: 'deepseek',
      mode: 'standard',
      routing: 'auto',
      prompt_tokens: 1_000_000,
      cached_tokens: 0,
      completion_tokens: 0,
      reasoning_tokens: 0,
      total_tokens: 1_000_000,
      cost: 0.1477,
      uncollected: 0,
      provider_cost: 0.14,
      estimated: false,
      status: 'succeeded',
      latency_ms: expect.any(Number),
      stream: false,
      fallback_reason: null,
      key: { id: keyId, name: 'test', prefix: key.slice(0, 10) },
    });
  });

  it('puts cost and balance in the usage chunk of a stream, agreeing with the balance and the log', async () => {
    const { key, accountId } = await createAccountWithKey(10);
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, stream: true, stream_options: { include_usage: true }, standin: MILLION_PROMPT });
    expect(response.headers.get('X-FindToken-Mode')).toBe('standard');
    const { data } = await readSse(response);
    const usage = JSON.parse(data.at(-2)!).usage;
    expect(usage).toMatchObject({ prompt_tokens: 1_000_000, cost: 0.1477, balance: 9.8523 });
    expect((await balanceOf(key)).balance).toBe(9.8523);
    await drainOutbox(accountId);
    const log = await billingLog(key, response.headers.get('X-Request-Id')!);
    expect(log).toMatchObject({ cost: 0.1477, status: 'succeeded', stream: true, estimated: false });
  });

  it('prices the model that served, cached tokens at the cached price', async () => {
    const { key } = await createAccountWithKey(10);
    const response = await chat(key, { model: 'kimi-k2', messages: hello, standin: { usage: { prompt_tokens: 1_000_000, cached_tokens: 1_000_000, completion_tokens: 1_000_000 } } });
    // (0.16 + 4.00) × 1.055 = 4.3888
    expect(response.headers.get('X-FindToken-Cost')).toBe('4.3888');
    expect(response.headers.get('X-FindToken-Balance')).toBe('5.6112');
  });

  it('refuses with 402 before calling the provider when the worst case does not fit', async () => {
    const { key } = await createAccountWithKey(0);
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, max_tokens: 100, standin: { tag } });
    expect(response.status).toBe(402);
    expect(await response.json()).toEqual({
      error: {
        message: "Insufficient credits: $0 is available, which does not cover this request's prompt and a single output token. Recharge, or shorten the prompt.",
        type: 'invalid_request_error',
        param: null,
        code: 'insufficient_credits',
      },
    });
    expect(await upstreamRequests(tag)).toEqual([]);
  });

  it.each([
    ['a provider error', { scenario: 'error', error: 'overloaded' }, 503],
    ['a content filter', { scenario: 'error', error: 'content_filter' }, 400],
    ['a stream cut before any content', { scenario: 'cut', cut_after: 0 }, 503],
  ])('charges nothing for %s before the first token and releases the hold', async (_, standin, status) => {
    const { key, accountId } = await createAccountWithKey(1);
    const response = await chat(key, { model: 'qwen-max', messages: hello, stream: true, standin });
    expect(response.status).toBe(status);
    expect(response.headers.get('X-FindToken-Mode')).toBe('standard');
    expect(await balanceOf(key)).toMatchObject({ balance: 1, reserved: 0 });
    await drainOutbox(accountId);
    expect(await billingLog(key, response.headers.get('X-Request-Id')!)).toMatchObject({ cost: 0, status: 'failed', prompt_tokens: 0 });
  });

  it('bills a stream cut after content on an estimate, flagged estimated', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, stream: true, standin: { scenario: 'cut', cut_after: 2, chunks: 4 } });
    await response.text();
    await drainOutbox(accountId);
    const log = await billingLog(key, response.headers.get('X-Request-Id')!);
    // Prompt estimate: 4 overhead + "Hello!" (6 ASCII / 3) = 6; delivered "Hello from the d" = 16 ASCII / 3 → 6.
    expect(log).toMatchObject({ status: 'interrupted', estimated: true, prompt_tokens: 6, completion_tokens: 6 });
    expect(log.cost).toBeGreaterThan(0);
    expect((await balanceOf(key)).balance).toBe(Number((1 - log.cost).toFixed(6)));
  });

  it("bills a cut StepFun stream on the provider's last cumulative usage", async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const response = await chat(key, { model: 'step-3.5-flash', messages: hello, stream: true, standin: { scenario: 'cut', cut_after: 2, chunks: 4, usage: { prompt_tokens: 50, completion_tokens: 40 } } });
    await response.text();
    await drainOutbox(accountId);
    const log = await billingLog(key, response.headers.get('X-Request-Id')!);
    expect(log).toMatchObject({ status: 'interrupted', estimated: false, prompt_tokens: 50 });
  });

  it('bills a client that disconnects mid-stream once, aborts the provider, and leaves no hold', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const tag = uniqueTag();
    const response = await chat(key, { model: 'deepseek-chat', messages: hello, stream: true, standin: { tag, scenario: 'stall', stall_after: 1 } });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    const upstream = await waitFor(() => upstreamRequests(tag), (r) => (r[0] as { outcome?: string } | undefined)?.outcome === 'closed_early');
    expect((upstream[0] as { outcome?: string }).outcome).toBe('closed_early');
    const summary = await waitFor(() => accountObject(accountId).summary(Date.now()), (s) => s.openReservations === 0 && (s.ledgerTotals.usage ?? 0) < 0);
    expect(summary.openReservations).toBe(0);
    await drainOutbox(accountId);
    const log = await billingLog(key, response.headers.get('X-Request-Id')!);
    expect(log).toMatchObject({ status: 'interrupted', estimated: true });
    expect(summary.balance).toBe(100_000_000 + (summary.ledgerTotals.usage ?? 0));
    expect(Math.round(log.cost * 1e6)).toBe(Math.round(-(summary.ledgerTotals.usage ?? 0) / 100));
  });
});

describe('the request path', () => {
  it('writes no billing log to D1: the account object flushes it afterwards', async () => {
    const { key, accountId } = await createAccountWithKey(1);
    const response = await chat(key, { model: 'deepseek-chat', messages: hello });
    const requestId = response.headers.get('X-Request-Id')!;
    const row = () => env.DB.prepare('SELECT request_id FROM billing_logs WHERE request_id = ?').bind(requestId).first();
    expect(await row()).toBeNull();
    await drainOutbox(accountId);
    expect(await row()).toEqual({ request_id: requestId });
  });
});
