/**
 * The account object's re-authorization of a BYOK request as standard (fallback_to_credits), and what a
 * worker that dies on either side of it leaves behind: nothing charged, no BYOK request counted.
 */
import { evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { findModel } from '../../../src/base/catalog';
import { onePlus, parseRate } from '../../../src/base/cost';
import { holdCost, type HoldTerms } from '../../../src/account/hold-size';
import { freshAccount, requestContext } from './fixtures';
import { moveObjectClock, setObjectVars } from './object-vars';

const STANDARD: HoldTerms = { promptTokens: 1_000, price: findModel('deepseek-chat')!.price, multiplier: onePlus(parseRate('0.055')), cap: 8_000, requested: 100 };
const STANDARD_HOLD = holdCost(STANDARD, 100);
const RENEW_MS = 30_000;

/** An account with `funds` units and a BYOK request admitted (within the free tier: it holds nothing). */
async function byokRequestAdmitted(funds: number) {
  const { accountId, stub } = freshAccount();
  if (funds > 0) await stub.adjust({ amount: funds, reason: 'funding', now: Date.now() });
  const requestId = `req_${crypto.randomUUID()}`;
  const context = requestContext(Date.now(), { mode: 'byok' });
  expect(await stub.authorize({ requestId, amount: 0, context, now: Date.now() })).toMatchObject({ ok: true, byokFree: true });
  return { accountId, stub, requestId, context };
}

describe('re-authorizing a BYOK request as standard', () => {
  it('holds the standard worst case and takes the request out of the BYOK month, in one call', async () => {
    const { stub, requestId } = await byokRequestAdmitted(100_000_000);
    expect((await stub.summary(Date.now())).byok.requests).toBe(1);
    expect(await stub.reauthorizeAsStandard({ requestId, keyId: 'key_1', held: 0, terms: STANDARD })).toEqual({ ok: true, held: STANDARD_HOLD });
    expect(await stub.summary(Date.now())).toMatchObject({ reserved: STANDARD_HOLD, openReservations: 1, byok: { requests: 0 } });
  });

  it('grants the output limit the balance affords to a request without max_tokens, as an admission does', async () => {
    const { stub, requestId } = await byokRequestAdmitted(100_000_000);
    const { requested: _, ...terms } = STANDARD;
    expect(await stub.reauthorizeAsStandard({ requestId, keyId: 'key_1', held: 0, terms })).toEqual({ ok: true, held: holdCost(terms, 8_000), maxTokens: 8_000 });
  });

  it('refuses when credits do not cover it, changing nothing: the BYOK hold stands and still counts', async () => {
    const { stub, requestId } = await byokRequestAdmitted(STANDARD_HOLD - 1);
    expect(await stub.reauthorizeAsStandard({ requestId, keyId: 'key_1', held: 0, terms: STANDARD })).toMatchObject({
      ok: false,
      reason: 'insufficient_credits',
      available: STANDARD_HOLD - 1,
      required: STANDARD_HOLD,
    });
    expect(await stub.summary(Date.now())).toMatchObject({ reserved: 0, openReservations: 1, byok: { requests: 1 } });
  });

  it('holds again a request the object forgot (restarted between the authorization and the fallback)', async () => {
    const { stub, requestId } = await byokRequestAdmitted(100_000_000);
    await evictDurableObject(stub);
    expect(await stub.reauthorizeAsStandard({ requestId, keyId: 'key_1', held: 0, terms: STANDARD })).toEqual({ ok: true, held: STANDARD_HOLD });
    expect(await stub.summary(Date.now())).toMatchObject({ reserved: STANDARD_HOLD, openReservations: 1, byok: { requests: 0 } });
  });
});

describe('failure windows: the worker dies', () => {
  it('between the refusal and the re-authorization: the BYOK hold is released unrenewed, nothing charged, no BYOK request counted', async () => {
    const { stub } = await byokRequestAdmitted(100_000_000);
    await setObjectVars(stub, { HOLD_RENEW_MS: String(RENEW_MS) });
    await moveObjectClock(stub, 3 * RENEW_MS + 1_000);
    expect(await stub.summary(Date.now())).toMatchObject({ balance: 100_000_000, reserved: 0, openReservations: 0, byok: { requests: 0 } });
  });

  it('after the re-authorization, before any charge: the standard hold is released unrenewed, nothing charged', async () => {
    const { stub, requestId } = await byokRequestAdmitted(100_000_000);
    await setObjectVars(stub, { HOLD_RENEW_MS: String(RENEW_MS) });
    await stub.reauthorizeAsStandard({ requestId, keyId: 'key_1', held: 0, terms: STANDARD });
    await moveObjectClock(stub, 3 * RENEW_MS + 1_000);
    expect(await stub.summary(Date.now())).toMatchObject({ balance: 100_000_000, reserved: 0, openReservations: 0, byok: { requests: 0 } });
  });

  it('is charged standard once re-authorized: the full cost from its hold, and not counted as a BYOK request', async () => {
    const { stub, requestId, context } = await byokRequestAdmitted(100_000_000);
    await stub.reauthorizeAsStandard({ requestId, keyId: 'key_1', held: 0, terms: STANDARD });
    const outcome = { promptTokens: 1_000, cachedTokens: 0, completionTokens: 100, reasoningTokens: 0, cost: STANDARD_HOLD, providerCost: 1, estimated: false, status: 'succeeded' as const };
    const standard = { ...context, mode: 'standard' as const, fallbackReason: 'deepseek key refused: out of balance (HTTP 402)' };
    expect(await stub.charge({ requestId, held: STANDARD_HOLD, context: standard, outcome, now: Date.now() })).toEqual({ charged: STANDARD_HOLD, uncollected: 0, balance: 100_000_000 - STANDARD_HOLD, replay: false });
    expect(await stub.summary(Date.now())).toMatchObject({ reserved: 0, byok: { requests: 0 } });
    expect(await stub.billingLog(requestId)).toMatchObject({ mode: 'standard', fallbackReason: 'deepseek key refused: out of balance (HTTP 402)', cost: STANDARD_HOLD });
  });
});
