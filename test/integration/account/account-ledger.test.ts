/** The account object's money rules, driven through its RPC methods with a controlled clock. */
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import type { RequestContext, RequestOutcome } from '../../../src/billing/billing-log';
import { freshAccount, requestContext } from './fixtures';
import { moveObjectClock, setObjectVars } from './object-vars';
import { drainOutbox } from '../billing/helpers';
import type { Env } from '../../../src/env';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 30);

const account = freshAccount;
const context = (overrides: Partial<RequestContext> = {}): RequestContext => requestContext(NOW, overrides);

const outcome = (cost: number, overrides: Partial<RequestOutcome> = {}): RequestOutcome => ({
  promptTokens: 10,
  cachedTokens: 0,
  completionTokens: 5,
  reasoningTokens: 0,
  cost,
  providerCost: cost,
  estimated: false,
  status: 'succeeded',
  ...overrides,
});

type Stub = ReturnType<typeof account>['stub'];

const authorizeInput = (requestId: string, amount: number, now = NOW) => ({
  requestId,
  amount,
  context: context(),
  now,
});

/** The object's charge input for a request admitted with `held` units (the context it was admitted with). */
const charge = (requestId: string, cost: number, now = NOW, overrides: Partial<RequestOutcome> = {}, held = 0) => ({
  requestId,
  held,
  context: context(),
  outcome: outcome(cost, overrides),
  now,
});

async function fund(stub: Stub, units: number): Promise<void> {
  await stub.adjust({ amount: units, reason: 'test', now: NOW });
}

const ledgerSum = async (stub: Stub) => Object.values((await stub.summary(NOW)).ledgerTotals).reduce((sum, units) => sum + units, 0);

describe('account object: holds and charges', () => {
  it('holds the worst case and replaces it with the real cost when charged', async () => {
    const { stub } = account();
    await fund(stub, 1000);
    expect(await stub.authorize(authorizeInput('req_1', 400))).toEqual({ ok: true, balance: 1000, reserved: 400, replay: false });
    expect(await stub.charge(charge('req_1', 150, NOW + 500))).toEqual({ charged: 150, uncollected: 0, balance: 850, replay: false });
    const summary = await stub.summary(NOW);
    expect(summary).toMatchObject({ balance: 850, reserved: 0, openReservations: 0, ledgerTotals: { adjustment: 1000, usage: -150 } });
  });

  it('refuses a reservation larger than what is available after other holds', async () => {
    const { stub } = account();
    await fund(stub, 1000);
    await stub.authorize(authorizeInput('req_a', 700));
    expect(await stub.authorize(authorizeInput('req_b', 301))).toEqual({ ok: false, reason: 'insufficient_credits', available: 300, required: 301 });
    expect(await stub.authorize(authorizeInput('req_c', 300))).toMatchObject({ ok: true });
  });

  it('charges a request id once, however often it is charged', async () => {
    const { stub } = account();
    await fund(stub, 1000);
    await stub.authorize(authorizeInput('req_r', 100));
    const first = await stub.charge(charge('req_r', 60, NOW));
    const again = await stub.charge(charge('req_r', 90, NOW));
    expect(first).toEqual({ charged: 60, uncollected: 0, balance: 940, replay: false });
    expect(again).toEqual({ charged: 60, uncollected: 0, balance: 940, replay: true });
    expect(await stub.authorize(authorizeInput('req_r', 100))).toMatchObject({ ok: true, replay: true, reserved: 0 });
    expect(await ledgerSum(stub)).toBe(940);
  });

  it('never takes the balance below zero, even when the real cost exceeds it: the rest is uncollected', async () => {
    const { stub } = account();
    await fund(stub, 100);
    await stub.authorize(authorizeInput('req_big', 100));
    expect(await stub.charge(charge('req_big', 250, NOW))).toEqual({ charged: 100, uncollected: 150, balance: 0, replay: false });
    expect(await ledgerSum(stub)).toBe(0);
  });

  it('refuses a debit that would take the balance below zero', async () => {
    const { stub } = account();
    await fund(stub, 100);
    expect(await stub.adjust({ amount: -101, reason: 'x', now: NOW })).toEqual({ ok: false, reason: 'would_go_negative', balance: 100 });
    expect(await stub.adjust({ amount: -100, reason: 'x', now: NOW })).toMatchObject({ ok: true, balance: 0 });
  });
});

describe('account object: identity', () => {
  it('knows its account from the id it is addressed by, before anything is written', async () => {
    const { accountId, stub } = account();
    expect(await stub.summary(NOW)).toEqual({ accountId, balance: 0, reserved: 0, openReservations: 0, rateLimitPerMinute: null, ledgerTotals: {}, byok: { month: '2026-11', requests: 0 }, storageBytes: expect.any(Number) });
  });
});

describe('account object: key revocation', () => {
  it('refuses a revoked key at authorize, and only that key', async () => {
    const { stub } = account();
    await fund(stub, 1000);
    await stub.revokeKey('key_1', NOW);
    expect(await stub.authorize(authorizeInput('req_1', 10))).toEqual({ ok: false, reason: 'key_revoked' });
    expect(await stub.keyState({ keyId: 'key_1', now: NOW })).toEqual({ ok: false, reason: 'key_revoked' });
    expect(await stub.keyState({ keyId: 'key_2', now: NOW })).toEqual({ ok: true });
    expect((await stub.summary(NOW)).reserved).toBe(0);
  });
});

describe('account object: rate limit', () => {
  it('admits 600 requests in a minute, refuses the 601st with the seconds to wait, and admits again the next minute', async () => {
    const { stub } = account();
    for (let i = 0; i < 600; i++) expect((await stub.authorize(authorizeInput(`req_${i}`, 0))).ok).toBe(true);
    expect(await stub.authorize(authorizeInput('req_600', 0))).toEqual({ ok: false, reason: 'rate_limited', limit: 600, retryAfterSeconds: 30 });
    expect(await stub.authorize(authorizeInput('req_next', 0, NOW + 30_000))).toMatchObject({ ok: true });
  });

  it("uses the operator's override instead of the default", async () => {
    const { stub } = account();
    await stub.setRateLimit(2);
    await stub.authorize(authorizeInput('req_1', 0));
    await stub.authorize(authorizeInput('req_2', 0));
    expect(await stub.authorize(authorizeInput('req_3', 0))).toMatchObject({ ok: false, reason: 'rate_limited', limit: 2 });
    await stub.setRateLimit(null);
    expect(await stub.authorize(authorizeInput('req_4', 0))).toMatchObject({ ok: true });
  });
});

describe('account object: BYOK month counter', () => {
  it('counts BYOK requests per UTC month, so a new month starts at zero', async () => {
    const { stub } = account();
    const byok = (requestId: string, now: number) => ({ ...authorizeInput(requestId, 0, now), context: context({ mode: 'byok' }) });
    await stub.authorize(byok('req_1', Date.UTC(2026, 10, 30, 23, 59)));
    await stub.authorize(byok('req_1', Date.UTC(2026, 10, 30, 23, 59)));
    await stub.authorize(byok('req_2', Date.UTC(2026, 10, 30, 23, 59, 30)));
    expect((await stub.summary(Date.UTC(2026, 10, 30))).byok).toEqual({ month: '2026-11', requests: 2 });
    expect((await stub.summary(Date.UTC(2026, 11, 1))).byok).toEqual({ month: '2026-12', requests: 0 });
  });
});

describe('account object: BYOK free tier', () => {
  const byok = (requestId: string, now: number, amount = 50) => ({
    ...authorizeInput(requestId, amount, now),
    context: context({ mode: 'byok' }),
  });
  /** An account whose object grants two free BYOK requests a month. */
  async function twoFree() {
    const created = account();
    await setObjectVars(created.stub, { BYOK_FREE_REQUESTS_PER_MONTH: '2' });
    return created;
  }

  it('holds nothing for the free requests of a month, holds the fee past them, and starts again on the 1st (UTC)', async () => {
    const { stub } = await twoFree();
    await fund(stub, 1000);
    const november = Date.UTC(2026, 10, 30, 23, 59);
    expect(await stub.authorize(byok('req_n1', november))).toMatchObject({ ok: true, reserved: 0, byokFree: true });
    expect(await stub.authorize(byok('req_n2', november))).toMatchObject({ ok: true, reserved: 0, byokFree: true });
    expect(await stub.authorize(byok('req_n3', november))).toMatchObject({ ok: true, reserved: 50, byokFree: false });
    const december = Date.UTC(2026, 11, 1, 0, 0, 1);
    expect(await stub.authorize(byok('req_d1', december))).toMatchObject({ ok: true, reserved: 50, byokFree: true });
    expect((await stub.summary(december)).byok).toEqual({ month: '2026-12', requests: 1 });
  });

  it('refuses a request past the free tier that the balance cannot cover, without counting it', async () => {
    const { stub } = await twoFree();
    const now = Date.UTC(2026, 10, 26);
    await stub.authorize(byok('req_f1', now));
    await stub.authorize(byok('req_f2', now));
    expect(await stub.authorize(byok('req_f3', now))).toEqual({ ok: false, reason: 'insufficient_credits', available: 0, required: 50 });
    expect((await stub.summary(now)).byok).toEqual({ month: '2026-11', requests: 2 });
  });
});

describe('account object: restart', () => {
  it('recovers the balance, replays and revocations from storage, and keeps what was in flight out of admission', async () => {
    const { stub } = account();
    await fund(stub, 1000);
    await stub.authorize(authorizeInput('req_done', 300));
    await stub.charge(charge('req_done', 120, NOW));
    await stub.authorize(authorizeInput('req_open', 200));
    await stub.revokeKey('key_gone', NOW);
    // Holds live in memory; the next ledger row (another request's charge) records the 200 in flight.
    await stub.charge(charge('req_other', 0, NOW));
    await evictDurableObject(stub);
    expect(await stub.summary(NOW)).toMatchObject({ balance: 880, reserved: 200, openReservations: 0 });
    expect(await stub.keyState({ keyId: 'key_gone', now: NOW })).toEqual({ ok: false, reason: 'key_revoked' });
    expect(await stub.authorize(authorizeInput('req_done', 300))).toEqual({ ok: true, balance: 880, reserved: 0, replay: true });
    expect(await stub.authorize(authorizeInput('req_new', 681))).toEqual({ ok: false, reason: 'insufficient_credits', available: 680, required: 681 });
    // The forgotten request is charged in full from what the guard kept for it.
    expect(await stub.charge(charge('req_open', 150, NOW, {}, 200))).toEqual({ charged: 150, uncollected: 0, balance: 730, replay: false });
    expect(await stub.summary(NOW)).toMatchObject({ balance: 730, reserved: 0, openReservations: 0 });
  });
});

describe('account object: alarm', () => {
  it('hands billing logs to the queue once, however often it runs: D1 has each once', async () => {
    const { accountId, stub } = account();
    await fund(stub, 1000);
    for (const id of ['req_f1', 'req_f2']) {
      await stub.authorize(authorizeInput(id, 10));
      await stub.charge(charge(id, 7, NOW));
    }
    await drainOutbox(accountId);
    await drainOutbox(accountId);
    const rows = await env.DB.prepare('SELECT request_id, cost, status FROM billing_logs WHERE account_id = ? ORDER BY request_id').bind(accountId).all();
    expect(rows.results).toEqual([
      { request_id: 'req_f1', cost: 7, status: 'succeeded' },
      { request_id: 'req_f2', cost: 7, status: 'succeeded' },
    ]);
  });

  it('hands over a backlog larger than one message, every field intact in D1', async () => {
    const { accountId, stub } = account();
    await fund(stub, 100_000);
    const ids = Array.from({ length: 205 }, (_, i) => `req_b${String(i).padStart(3, '0')}`);
    for (const id of ids) {
      await stub.authorize(authorizeInput(id, 100));
      await stub.charge(charge(id, 7, NOW + 250, { cachedTokens: 2, reasoningTokens: 1, providerCost: 6, estimated: true }));
    }
    await drainOutbox(accountId);
    const count = await env.DB.prepare('SELECT COUNT(*) AS n FROM billing_logs WHERE account_id = ?').bind(accountId).first();
    expect(count).toEqual({ n: 205 });
    const last = await env.DB.prepare('SELECT * FROM billing_logs WHERE request_id = ?').bind('req_b204').first();
    expect(last).toEqual({
      id: 'bl_b204',
      request_id: 'req_b204',
      account_id: accountId,
      key_id: 'key_1',
      key_name: 'laptop',
      key_prefix: 'sk-ft_abcd',
      created_at: NOW,
      model: 'deepseek-chat',
      provider: 'deepseek',
      mode: 'standard',
      routing: 'auto',
      prompt_tokens: 10,
      cached_tokens: 2,
      completion_tokens: 5,
      reasoning_tokens: 1,
      cost: 7,
      uncollected: 0,
      provider_cost: 6,
      estimated: 1,
      status: 'succeeded',
      latency_ms: 250,
      stream: 0,
      fallback_reason: null,
      batch_id: expect.stringMatching(/^lbatch_/),
      ingested_at: expect.any(Number),
    });
    expect(await stub.summary(NOW)).toMatchObject({ balance: 100_000 - 205 * 7, reserved: 0 });
  });

  it('keeps billing logs through a refused send and hands them over on the next alarm', async () => {
    const { accountId, stub } = account();
    await fund(stub, 1000);
    await stub.authorize(authorizeInput('req_kept', 10));
    await stub.charge(charge('req_kept', 7, NOW));
    const real = await runInDurableObject(stub, (instance) => {
      const objectEnv = Reflect.get(instance, 'env') as Env;
      const refusing = { sendBatch: () => Promise.reject(new Error('Queue send failed')) } as unknown as Queue;
      Reflect.set(instance, 'env', { ...objectEnv, BILLING_LOGS: refusing });
      return objectEnv;
    });
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await runDurableObjectAlarm(stub);
    } finally {
      await runInDurableObject(stub, (instance) => void Reflect.set(instance, 'env', real));
      quiet.mockRestore();
    }
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM billing_logs WHERE request_id = ?').bind('req_kept').first()).toEqual({ n: 0 });
    await drainOutbox(accountId);
    expect(await env.DB.prepare('SELECT request_id, cost FROM billing_logs WHERE request_id = ?').bind('req_kept').all()).toMatchObject({
      results: [{ request_id: 'req_kept', cost: 7 }],
    });
  });

  it("drops a handed log's text after the read window, and a replayed charge still answers its first result", async () => {
    const { accountId, stub } = account();
    await fund(stub, 10);
    await stub.authorize(authorizeInput('req_short', 10));
    const first = await stub.charge(charge('req_short', 25, NOW, {}, 10));
    expect(first).toEqual({ charged: 10, uncollected: 15, balance: 0, replay: false });
    await drainOutbox(accountId);
    // A window after it was handed, the alarm drops its text.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3_600_000 });
    try {
      await runDurableObjectAlarm(stub);
    } finally {
      vi.useRealTimers();
    }
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.sql.exec("SELECT log FROM ledger WHERE request_id = 'req_short'").toArray())).toEqual([{ log: null }]);
    expect(await stub.charge(charge('req_short', 25, NOW, {}, 10))).toEqual({ ...first, replay: true });
  });

  it('releases a hold left unrenewed for three periods, writing nothing', async () => {
    const { accountId, stub } = account();
    await fund(stub, 1000);
    await stub.authorize(authorizeInput('req_lost', 500));
    await moveObjectClock(stub, 3 * 30_000);
    await runDurableObjectAlarm(stub);
    expect(await stub.summary(NOW)).toMatchObject({ balance: 1000, reserved: 0, openReservations: 0, ledgerTotals: { adjustment: 1000 } });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM billing_logs WHERE account_id = ?').bind(accountId).first()).toEqual({ n: 0 });
  });
});
