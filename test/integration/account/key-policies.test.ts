/** Keys' rules in the account object: expiry, scopes, models, spend limits held like credits, parents and cascading revocation. */
import { evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { RequestOutcome } from '../../../src/billing/billing-log';
import type { KeyRequest } from '../../../src/base/key-rules';
import { freshAccount, requestContext } from './fixtures';

const NOW = Date.UTC(2026, 10, 25, 12);
const DAY = 86_400_000;

const outcome = (cost: number): RequestOutcome => ({ promptTokens: 10, cachedTokens: 0, completionTokens: 5, reasoningTokens: 0, cost, providerCost: cost, estimated: false, status: 'succeeded' });
const admit = (requestId: string, amount: number, keyId: string, now = NOW) => ({ requestId, amount, context: requestContext(now, { keyId }), now });
const charge = (requestId: string, cost: number, keyId: string, now = NOW) => ({ requestId, held: 0, context: requestContext(now, { keyId }), outcome: outcome(cost), now });

async function funded(units = 1_000_000) {
  const created = freshAccount();
  await created.stub.adjust({ amount: units, reason: 'test', now: NOW });
  return created;
}

const rules = (keyId: string, parentId: string | null, more: Partial<KeyRequest> = {}): { request: KeyRequest; now: number } => ({ request: { keyId, parentId, ...more }, now: NOW });

describe('key rules: expiry, scopes and models', () => {
  it('refuses an expired key with its expiry time, before anything about the account', async () => {
    const { stub } = await funded();
    await stub.registerKey(rules('key_a', null, { expiresAt: NOW + 1000 }));
    await stub.suspend({ reason: 'operator', now: NOW });
    expect(await stub.keyState({ keyId: 'key_a', now: NOW + 999 })).toEqual({ ok: false, reason: 'account_suspended' });
    expect(await stub.keyState({ keyId: 'key_a', now: NOW + 1000 })).toEqual({ ok: false, reason: 'key_expired', expiredAt: NOW + 1000 });
    expect(await stub.authorize(admit('req_1', 1, 'key_a', NOW + 1000))).toEqual({ ok: false, reason: 'key_expired', expiredAt: NOW + 1000 });
  });

  it('refuses a request outside the key scopes, and chat without inference', async () => {
    const { stub } = await funded();
    await stub.registerKey(rules('key_manage', null, { scopes: ['manage'] }));
    expect(await stub.keyState({ keyId: 'key_manage', now: NOW, scope: 'manage' })).toEqual({ ok: true });
    expect(await stub.keyState({ keyId: 'key_manage', now: NOW, scope: 'inference' })).toEqual({ ok: false, reason: 'insufficient_scope', scope: 'inference' });
    expect(await stub.authorize(admit('req_1', 1, 'key_manage'))).toEqual({ ok: false, reason: 'insufficient_scope', scope: 'inference' });
  });

  it('refuses a request on a model outside the key allowlist', async () => {
    const { stub } = await funded();
    await stub.registerKey(rules('key_glm', null, { models: ['glm-4-plus'] }));
    expect(await stub.authorize(admit('req_1', 1, 'key_glm'))).toEqual({ ok: false, reason: 'model_not_allowed', model: 'deepseek-chat', models: ['glm-4-plus'] });
  });

  it('lets a key it has no rules for (made before keys had rules) do everything', async () => {
    const { stub } = await funded();
    expect(await stub.keyState({ keyId: 'key_legacy', now: NOW, scope: 'manage' })).toEqual({ ok: true });
    expect(await stub.authorize(admit('req_1', 100, 'key_legacy'))).toMatchObject({ ok: true });
  });
});

describe('key rules: spend limits', () => {
  it('holds the limit like credits: concurrent requests are admitted only while their holds fit under it', async () => {
    const { stub } = await funded();
    await stub.registerKey(rules('key_cap', null, { limit: { amount: 1000, period: 'day' } }));
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => stub.authorize(admit(`req_${i}`, 300, 'key_cap'))));
    expect(answers.filter((answer) => answer.ok)).toHaveLength(3);
    expect(answers.filter((answer) => !answer.ok)).toEqual(
      Array.from({ length: 5 }, () => ({ ok: false, reason: 'key_limit_exceeded', limit: { amount: 1000, period: 'day' }, spent: 0, held: 900, resetsAt: NOW - 12 * 3_600_000 + DAY })),
    );
  });

  it('counts what was charged in the calendar day it started, and starts the next day at zero', async () => {
    const { stub } = await funded();
    await stub.registerKey(rules('key_day', null, { limit: { amount: 1000, period: 'day' } }));
    await stub.authorize(admit('req_1', 900, 'key_day'));
    await stub.charge(charge('req_1', 800, 'key_day'));
    expect(await stub.keySpending({ keyIds: ['key_day'], now: NOW })).toEqual([{ keyId: 'key_day', spent: 800 }]);
    expect(await stub.authorize(admit('req_2', 201, 'key_day'))).toMatchObject({ ok: false, reason: 'key_limit_exceeded', spent: 800, held: 0 });
    expect(await stub.authorize(admit('req_3', 200, 'key_day'))).toMatchObject({ ok: true });
    expect(await stub.keySpending({ keyIds: ['key_day'], now: NOW + DAY })).toEqual([{ keyId: 'key_day', spent: 0 }]);
    // req_3 still holds 200: a hold counts whichever day it is.
    expect(await stub.authorize(admit('req_4', 801, 'key_day', NOW + DAY))).toMatchObject({ ok: false, reason: 'key_limit_exceeded', spent: 0, held: 200 });
    expect(await stub.authorize(admit('req_5', 800, 'key_day', NOW + DAY))).toMatchObject({ ok: true });
  });

  it('refuses a key at its limit even a request that holds nothing', async () => {
    const { stub } = await funded();
    await stub.registerKey(rules('key_total', null, { limit: { amount: 500, period: 'total' } }));
    await stub.authorize(admit('req_1', 500, 'key_total'));
    await stub.charge(charge('req_1', 500, 'key_total'));
    expect(await stub.authorize(admit('req_2', 0, 'key_total', NOW + 400 * DAY))).toMatchObject({ ok: false, reason: 'key_limit_exceeded', spent: 500, resetsAt: null });
  });

  it('answers insufficient_credits, not the key limit, when the balance is what runs out', async () => {
    const { stub } = await funded(100);
    await stub.registerKey(rules('key_big', null, { limit: { amount: 10_000, period: 'month' } }));
    expect(await stub.authorize(admit('req_1', 200, 'key_big'))).toMatchObject({ ok: false, reason: 'insufficient_credits', available: 100 });
  });

  it('raises a hold on failover only within the key limit', async () => {
    const { stub } = await funded();
    await stub.registerKey(rules('key_cap', null, { limit: { amount: 1000, period: 'day' } }));
    await stub.authorize(admit('req_1', 600, 'key_cap'));
    expect(await stub.raiseHold('req_1', 1001, 'key_cap')).toEqual({ ok: false, reserved: 600 });
    expect(await stub.raiseHold('req_1', 1000, 'key_cap')).toEqual({ ok: true, reserved: 1000 });
  });

  it('keeps rules and spend across a restart', async () => {
    const { stub } = await funded();
    await stub.registerKey(rules('key_cap', null, { limit: { amount: 1000, period: 'month' }, models: ['deepseek-chat'] }));
    await stub.authorize(admit('req_1', 700, 'key_cap'));
    await stub.charge(charge('req_1', 700, 'key_cap'));
    await evictDurableObject(stub);
    expect(await stub.keySpending({ keyIds: ['key_cap'], now: NOW })).toEqual([{ keyId: 'key_cap', spent: 700 }]);
    expect(await stub.authorize(admit('req_2', 301, 'key_cap'))).toMatchObject({ ok: false, reason: 'key_limit_exceeded', spent: 700 });
  });
});

describe('key rules: parents and children', () => {
  it('gives a child its parent rules where it names none', async () => {
    const { stub } = await funded();
    await stub.registerKey(rules('key_p', null, { scopes: ['inference'], models: ['deepseek-chat', 'glm-4-plus'], limit: { amount: 500, period: 'month' }, expiresAt: NOW + DAY }));
    expect(await stub.registerKey(rules('key_c', 'key_p'))).toEqual({
      ok: true,
      policy: { keyId: 'key_c', parentId: 'key_p', scopes: ['inference'], models: ['deepseek-chat', 'glm-4-plus'], limit: { amount: 500, period: 'month' }, expiresAt: NOW + DAY },
    });
  });

  it.each([
    ['scopes', { scopes: ['inference', 'manage'] }],
    ['models', { models: ['deepseek-chat', 'qwen-max'] }],
    ['limit', { limit: { amount: 501, period: 'month' } }],
    ['limit', { limit: { amount: 10, period: 'day' } }],
    ['expires_at', { expiresAt: NOW + DAY + 1 }],
  ] as const)('refuses a child wider than its parent in %s', async (param, wider) => {
    const { stub } = await funded();
    await stub.registerKey(rules('key_p', null, { scopes: ['inference'], models: ['deepseek-chat'], limit: { amount: 500, period: 'month' }, expiresAt: NOW + DAY }));
    expect(await stub.registerKey(rules('key_c', 'key_p', wider as Partial<KeyRequest>))).toEqual({ ok: false, reason: 'wider_than_parent', param, message: expect.any(String) });
  });

  it('counts a child spend against its parent limit, so minting a child never escapes it', async () => {
    const { stub } = await funded();
    await stub.registerKey(rules('key_p', null, { limit: { amount: 1000, period: 'day' } }));
    await stub.registerKey(rules('key_c', 'key_p', { limit: { amount: 800, period: 'day' } }));
    await stub.authorize(admit('req_1', 800, 'key_c'));
    await stub.charge(charge('req_1', 800, 'key_c'));
    expect(await stub.authorize(admit('req_2', 201, 'key_p'))).toMatchObject({ ok: false, reason: 'key_limit_exceeded', spent: 800 });
    expect(await stub.keySpending({ keyIds: ['key_p', 'key_c'], now: NOW })).toEqual([
      { keyId: 'key_p', spent: 800 },
      { keyId: 'key_c', spent: 800 },
    ]);
  });

  it('revokes a key with every key under it, and makes no child of a revoked key', async () => {
    const { stub } = await funded();
    await stub.registerKey(rules('key_p', null));
    await stub.registerKey(rules('key_c', 'key_p'));
    await stub.registerKey(rules('key_g', 'key_c'));
    await stub.registerKey(rules('key_other', null));
    expect(await stub.revokeKey('key_p', NOW)).toEqual(['key_p', 'key_c', 'key_g']);
    for (const keyId of ['key_p', 'key_c', 'key_g']) expect(await stub.keyState({ keyId, now: NOW })).toEqual({ ok: false, reason: 'key_revoked' });
    expect(await stub.keyState({ keyId: 'key_other', now: NOW })).toEqual({ ok: true });
    expect(await stub.registerKey(rules('key_late', 'key_c'))).toEqual({ ok: false, reason: 'key_revoked' });
    expect(await stub.revokeKey('key_p', NOW)).toEqual([]);
  });

  it('makes no child of an expired key', async () => {
    const { stub } = await funded();
    await stub.registerKey({ request: { keyId: 'key_p', parentId: null, expiresAt: NOW + 10 }, now: NOW });
    expect(await stub.registerKey({ request: { keyId: 'key_c', parentId: 'key_p' }, now: NOW + 10 })).toEqual({ ok: false, reason: 'key_expired', expiredAt: NOW + 10 });
  });
});
