/** The account object's money rules, driven through its RPC methods with a controlled clock. */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { AccountLedger } from '../../../src/account/account-ledger';
import { RequestHolds, type AdmissionConfig } from '../../../src/account/request-holds';
import { describe, expect, it, vi } from 'vitest';
import type { RequestContext, RequestOutcome } from '../../../src/billing/billing-log';
import { freshAccount, requestContext } from './fixtures';
import { setObjectVars } from './object-vars';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 30);
const MINUTE = 60_000;

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

/** The object's own vars (wrangler.toml): 600 requests a minute, holds released after 15 minutes. */
const ADMISSION: AdmissionConfig = { rateLimitPerMinute: 600, reservationTtlMs: 15 * MINUTE, byokFreeRequestsPerMonth: 1_000_000 };

const authorizeInput = (requestId: string, amount: number, now = NOW) => ({
  requestId,
  amount,
  context: context(),
  now,
});

async function fund(stub: Stub, units: number): Promise<void> {
  await stub.adjust({ amount: units, reason: 'test', now: NOW });
}

const ledgerSum = async (stub: Stub) => Object.values((await stub.summary(NOW)).ledgerTotals).reduce((sum, units) => sum + units, 0);

describe('account object: reservations and settlement', () => {
  it('holds the worst case and releases it into the real cost on settle', async () => {
    const { stub } = account();
    await fund(stub, 1000);
    expect(await stub.authorize(authorizeInput('req_1', 400))).toEqual({ ok: true, balance: 1000, reserved: 400, replay: false });
    expect(await stub.settle({ requestId: 'req_1', outcome: outcome(150), now: NOW + 500 })).toEqual({ charged: 150, balance: 850, replay: false });
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

  it('charges a request id once, however often it is settled', async () => {
    const { stub } = account();
    await fund(stub, 1000);
    await stub.authorize(authorizeInput('req_r', 100));
    const first = await stub.settle({ requestId: 'req_r', outcome: outcome(60), now: NOW });
    const again = await stub.settle({ requestId: 'req_r', outcome: outcome(90), now: NOW });
    expect(first).toEqual({ charged: 60, balance: 940, replay: false });
    expect(again).toEqual({ charged: 60, balance: 940, replay: true });
    expect(await stub.authorize(authorizeInput('req_r', 100))).toMatchObject({ ok: true, replay: true, reserved: 0 });
    expect(await ledgerSum(stub)).toBe(940);
  });

  it('never takes the balance below zero, even when the real cost exceeds it', async () => {
    const { stub } = account();
    await fund(stub, 100);
    await stub.authorize(authorizeInput('req_big', 100));
    expect(await stub.settle({ requestId: 'req_big', outcome: outcome(250), now: NOW })).toEqual({ charged: 100, balance: 0, replay: false });
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
    expect(await stub.summary(NOW)).toEqual({ accountId, balance: 0, reserved: 0, openReservations: 0, rateLimitPerMinute: null, ledgerTotals: {}, byok: { month: '2026-11', requests: 0 } });
  });
});

describe('account object: key revocation', () => {
  it('refuses a revoked key at authorize, and only that key', async () => {
    const { stub } = account();
    await fund(stub, 1000);
    await stub.revokeKey('key_1', NOW);
    expect(await stub.authorize(authorizeInput('req_1', 10))).toEqual({ ok: false, reason: 'key_revoked' });
    expect(await stub.keyState('key_1')).toEqual({ revoked: true, deactivated: false, suspended: false });
    expect(await stub.keyState('key_2')).toEqual({ revoked: false, deactivated: false, suspended: false });
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
  it('recovers the balance, open holds, replays and revocations from storage alone', async () => {
    const { stub } = account();
    await fund(stub, 1000);
    await stub.authorize(authorizeInput('req_done', 300));
    await stub.settle({ requestId: 'req_done', outcome: outcome(120), now: NOW });
    await stub.authorize(authorizeInput('req_open', 200));
    await stub.revokeKey('key_gone', NOW);
    await runInDurableObject(stub, (_instance, state) => {
      // A fresh ledger over the same storage is what an object restarted after eviction starts from.
      const ledger = new AccountLedger(state.storage, state.id.name);
      const restarted = new RequestHolds(state.storage, ledger);
      expect({ balance: ledger.balance, reserved: restarted.reserved }).toEqual({ balance: 880, reserved: 200 });
      expect(restarted.isKeyRevoked('key_gone')).toBe(true);
      expect(restarted.authorize(authorizeInput('req_done', 300), ADMISSION)).toEqual({ ok: true, balance: 880, reserved: 200, replay: true });
      expect(restarted.authorize(authorizeInput('req_open', 200), ADMISSION)).toEqual({ ok: true, balance: 880, reserved: 200, replay: true });
      expect(restarted.settle({ requestId: 'req_open', outcome: outcome(50), now: NOW })).toEqual({ charged: 50, balance: 830, replay: false });
    });
  });
});

describe('account object: alarm', () => {
  it('flushes billing logs to D1 exactly once, however often it runs', async () => {
    const { accountId, stub } = account();
    await fund(stub, 1000);
    for (const id of ['req_f1', 'req_f2']) {
      await stub.authorize(authorizeInput(id, 10));
      await stub.settle({ requestId: id, outcome: outcome(7), now: NOW });
    }
    await runDurableObjectAlarm(stub);
    await runDurableObjectAlarm(stub);
    const rows = await env.DB.prepare('SELECT request_id, cost, status FROM billing_logs WHERE account_id = ? ORDER BY request_id').bind(accountId).all();
    expect(rows.results).toEqual([
      { request_id: 'req_f1', cost: 7, status: 'succeeded' },
      { request_id: 'req_f2', cost: 7, status: 'succeeded' },
    ]);
  });

  it('flushes a backlog larger than one batch, every field intact', async () => {
    const { accountId, stub } = account();
    await fund(stub, 100_000);
    const ids = Array.from({ length: 205 }, (_, i) => `req_b${String(i).padStart(3, '0')}`);
    for (const id of ids) {
      await stub.authorize(authorizeInput(id, 100));
      await stub.settle({ requestId: id, outcome: outcome(7, { cachedTokens: 2, reasoningTokens: 1, providerCost: 6, estimated: true }), now: NOW + 250 });
    }
    await runDurableObjectAlarm(stub);
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
      provider_cost: 6,
      estimated: 1,
      status: 'succeeded',
      latency_ms: 250,
      stream: 0,
    });
    expect(await stub.summary(NOW)).toMatchObject({ balance: 100_000 - 205 * 7, reserved: 0 });
  });

  it('keeps billing logs through a failed D1 flush and delivers them on the next alarm', async () => {
    const { stub } = account();
    await fund(stub, 1000);
    await stub.authorize(authorizeInput('req_kept', 10));
    await stub.settle({ requestId: 'req_kept', outcome: outcome(7), now: NOW });
    await env.DB.exec('ALTER TABLE billing_logs RENAME TO billing_logs_away');
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      await runDurableObjectAlarm(stub);
    } finally {
      await env.DB.exec('ALTER TABLE billing_logs_away RENAME TO billing_logs');
      quiet.mockRestore();
    }
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM billing_logs WHERE request_id = ?').bind('req_kept').first()).toEqual({ n: 0 });
    await runDurableObjectAlarm(stub);
    expect(await env.DB.prepare('SELECT request_id, cost FROM billing_logs WHERE request_id = ?').bind('req_kept').all()).toMatchObject({
      results: [{ request_id: 'req_kept', cost: 7 }],
    });
  });

  it('releases a reservation that was never settled at no charge, after its bound', async () => {
    const { stub } = account();
    await fund(stub, 1000);
    // Its bound passed five minutes ago, so the alarm may already have run by itself.
    await stub.authorize(authorizeInput('req_lost', 500, Date.now() - 20 * MINUTE));
    await runDurableObjectAlarm(stub);
    expect(await stub.summary(NOW)).toMatchObject({ balance: 1000, reserved: 0, openReservations: 0 });
    const row = await env.DB.prepare('SELECT cost, status, estimated FROM billing_logs WHERE request_id = ?').bind('req_lost').first();
    expect(row).toEqual({ cost: 0, status: 'abandoned', estimated: 1 });
  });
});
