/** Holds in the account object's memory: renewed, expired, re-held, guarded across a restart, and charged whether or not they are there. */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { RequestContext, RequestOutcome } from '../../../src/billing/billing-log';
import { freshAccount, requestContext } from './fixtures';
import { moveObjectClock, setObjectVars } from './object-vars';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 30);
/** The object's HOLD_RENEW_MS (wrangler.toml): a hold lives three of these unrenewed. */
const PERIOD = 30_000;

const context = (overrides: Partial<RequestContext> = {}) => requestContext(NOW, overrides);
const outcome = (cost: number): RequestOutcome => ({ promptTokens: 10, cachedTokens: 0, completionTokens: 5, reasoningTokens: 0, cost, providerCost: cost, estimated: false, status: 'succeeded' });
const admit = (requestId: string, amount: number, overrides: Partial<RequestContext> = {}) => ({ requestId, amount, context: context(overrides), now: NOW });
const charge = (requestId: string, cost: number, held: number, overrides: Partial<RequestContext> = {}) => ({ requestId, held, context: context(overrides), outcome: outcome(cost), now: NOW });

async function funded(units: number) {
  const created = freshAccount();
  await created.stub.adjust({ amount: units, reason: 'test', now: NOW });
  return created;
}

describe('holds: admission writes nothing', () => {
  it('admits, renews and refuses without a statement that writes and without setting an alarm', async () => {
    const { stub } = await funded(1000);
    await runInDurableObject(stub, async (object, state) => {
      const statements: string[] = [];
      const exec = state.storage.sql.exec.bind(state.storage.sql);
      state.storage.sql.exec = ((query: string, ...bindings: unknown[]) => {
        statements.push(query);
        return exec(query, ...(bindings as []));
      }) as typeof state.storage.sql.exec;
      const alarmBefore = await state.storage.getAlarm();
      expect(await object.authorize(admit('req_1', 400))).toMatchObject({ ok: true });
      expect(await object.renew({ requestId: 'req_1', amount: 400, keyId: 'key_1' })).toEqual({ renewed: true });
      expect(await object.authorize(admit('req_2', 700))).toMatchObject({ ok: false, reason: 'insufficient_credits' });
      state.storage.sql.exec = exec;
      expect(statements.filter((query) => !/^\s*SELECT/i.test(query))).toEqual([]);
      expect(alarmBefore).toBeNull();
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });
});

describe('holds: renewal and expiry', () => {
  it('keeps a renewed hold past three periods and releases it three periods after its last renewal', async () => {
    const { stub } = await funded(1000);
    await stub.authorize(admit('req_live', 400));
    await moveObjectClock(stub, 2 * PERIOD);
    expect(await stub.renew({ requestId: 'req_live', amount: 400, keyId: 'key_1' })).toEqual({ renewed: true });
    await moveObjectClock(stub, 4 * PERIOD);
    await stub.summary(NOW); // what reads the holds releases those left unrenewed
    expect(await stub.summary(NOW)).toMatchObject({ reserved: 400, openReservations: 1 });
    await moveObjectClock(stub, 5 * PERIOD);
    await stub.summary(NOW); // what reads the holds releases those left unrenewed
    expect(await stub.summary(NOW)).toMatchObject({ balance: 1000, reserved: 0, openReservations: 0 });
  });

  it('charges a request whose hold was released at its real cost, from the free balance only', async () => {
    const { stub } = await funded(1000);
    await stub.authorize(admit('req_late', 300));
    await moveObjectClock(stub, 3 * PERIOD);
    await stub.summary(NOW); // what reads the holds releases those left unrenewed
    await moveObjectClock(stub, 0);
    await stub.authorize(admit('req_other', 800));
    expect(await stub.charge(charge('req_late', 250, 300))).toEqual({ charged: 200, uncollected: 50, balance: 800, replay: false });
    // The other request's hold is whole: it can be charged all of it.
    expect(await stub.charge(charge('req_other', 800, 800))).toEqual({ charged: 800, uncollected: 0, balance: 0, replay: false });
  });

  it('holds a forgotten request again on its renewal, only as far as the free balance covers it', async () => {
    const { stub } = await funded(1000);
    await stub.authorize(admit('req_back', 500));
    await moveObjectClock(stub, 3 * PERIOD);
    await stub.summary(NOW); // what reads the holds releases those left unrenewed
    await moveObjectClock(stub, 0);
    await stub.authorize(admit('req_new', 700));
    expect(await stub.renew({ requestId: 'req_back', amount: 500, keyId: 'key_1' })).toEqual({ renewed: false });
    expect(await stub.summary(NOW)).toMatchObject({ reserved: 1000, openReservations: 2 });
    expect(await stub.authorize(admit('req_none', 1))).toMatchObject({ ok: false, reason: 'insufficient_credits', available: 0 });
    // A charged request's late renewal holds nothing.
    await stub.charge(charge('req_back', 100, 500));
    expect(await stub.renew({ requestId: 'req_back', amount: 500, keyId: 'key_1' })).toEqual({ renewed: false });
    expect(await stub.summary(NOW)).toMatchObject({ reserved: 700, openReservations: 1 });
  });
});

describe('holds: a charge above its hold', () => {
  it("takes its hold and the free balance, never other requests' holds, and records the rest as uncollected", async () => {
    const { stub } = await funded(1000);
    await stub.authorize(admit('req_a', 400));
    await stub.authorize(admit('req_b', 500));
    expect(await stub.charge(charge('req_a', 900, 400))).toEqual({ charged: 500, uncollected: 400, balance: 500, replay: false });
    expect(await stub.charge(charge('req_b', 500, 500))).toEqual({ charged: 500, uncollected: 0, balance: 0, replay: false });
    expect(await stub.charge(charge('req_a', 900, 400))).toEqual({ charged: 500, uncollected: 400, balance: 500, replay: true });
  });

  it('raises a hold only from the free balance', async () => {
    const { stub } = await funded(1000);
    await stub.authorize(admit('req_a', 400));
    await stub.authorize(admit('req_b', 500));
    expect(await stub.raiseHold('req_a', 501, 'key_1')).toEqual({ ok: false, reserved: 900 });
    expect(await stub.raiseHold('req_a', 500, 'key_1')).toEqual({ ok: true, reserved: 1000 });
  });
});

describe('holds: the restart guard', () => {
  it('admits nothing above the balance less what was in flight, until the forgotten requests renew or are charged, or three periods pass', async () => {
    const { stub } = await funded(1000);
    await stub.authorize(admit('req_1', 300));
    await stub.authorize(admit('req_2', 200));
    // The last ledger row records 500 in flight (another request's charge).
    await stub.charge(charge('req_0', 0, 0));
    await evictDurableObject(stub);
    expect(await stub.summary(NOW)).toMatchObject({ balance: 1000, reserved: 500, openReservations: 0 });
    expect(await stub.authorize(admit('req_new', 501))).toMatchObject({ ok: false, available: 500 });
    // req_1 renews: its hold comes back out of the guard; req_2 is charged from what the guard kept for it.
    expect(await stub.renew({ requestId: 'req_1', amount: 300, keyId: 'key_1' })).toEqual({ renewed: false });
    expect(await stub.summary(NOW)).toMatchObject({ reserved: 500, openReservations: 1 });
    expect(await stub.charge(charge('req_2', 200, 200))).toEqual({ charged: 200, uncollected: 0, balance: 800, replay: false });
    expect(await stub.summary(NOW)).toMatchObject({ reserved: 300, openReservations: 1 });
    expect(await stub.authorize(admit('req_new', 500))).toMatchObject({ ok: true, reserved: 800 });
  });

  it('ends after three renew periods', async () => {
    const { stub } = await funded(1000);
    await stub.authorize(admit('req_1', 600));
    await stub.charge(charge('req_0', 0, 0));
    await evictDurableObject(stub);
    expect(await stub.authorize(admit('req_x', 401))).toMatchObject({ ok: false, available: 400 });
    await moveObjectClock(stub, 3 * PERIOD);
    expect(await stub.authorize(admit('req_x', 1000))).toMatchObject({ ok: true, reserved: 1000 });
  });
});

describe('holds: BYOK requests', () => {
  it('count toward the free tier while in flight, and once each when charged', async () => {
    const { stub } = freshAccount();
    await setObjectVars(stub, { BYOK_FREE_REQUESTS_PER_MONTH: '1' });
    await stub.adjust({ amount: 1000, reason: 'test', now: NOW });
    const byok = { mode: 'byok' as const };
    expect(await stub.authorize(admit('req_b1', 50, byok))).toMatchObject({ ok: true, byokFree: true, reserved: 0 });
    expect(await stub.authorize(admit('req_b2', 50, byok))).toMatchObject({ ok: true, byokFree: false, reserved: 50 });
    expect((await stub.summary(NOW)).byok).toEqual({ month: '2026-11', requests: 2 });
    await stub.charge(charge('req_b1', 0, 0, { ...byok, byokFree: true }));
    await stub.charge(charge('req_b1', 0, 0, { ...byok, byokFree: true }));
    await stub.charge(charge('req_b2', 7, 50, byok));
    expect(await stub.summary(NOW)).toMatchObject({ balance: 993, reserved: 0, byok: { month: '2026-11', requests: 2 } });
  });
});
