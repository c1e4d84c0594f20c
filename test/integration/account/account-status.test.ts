/** The account object's status: suspension reasons kept apart, what each request hears, what survives a restart. */
import { evictDurableObject, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { freshAccount, requestContext } from './fixtures';

const NOW = Date.UTC(2026, 10, 25, 12);
const authorizeInput = (requestId: string) => ({ requestId, amount: 100, context: requestContext(NOW), now: NOW });

describe('account status', () => {
  it('is active, then suspended while any reason stands, each reason lifted on its own', async () => {
    const { stub } = freshAccount();
    expect(await stub.accountStatus()).toEqual({ status: 'active', reasons: [], deactivatedAt: null });
    await stub.suspend({ reason: 'operator', now: NOW });
    await stub.suspend({ reason: 'dispute:dp_1', now: NOW + 1 });
    // Given again, a reason keeps its first time.
    await stub.suspend({ reason: 'operator', now: NOW + 2 });
    expect(await stub.accountStatus()).toEqual({
      status: 'suspended',
      reasons: [
        { reason: 'operator', since: NOW },
        { reason: 'dispute:dp_1', since: NOW + 1 },
      ],
      deactivatedAt: null,
    });
    expect(await stub.liftSuspension({ reason: 'dispute:dp_1' })).toMatchObject({ status: 'suspended', reasons: [{ reason: 'operator' }] });
    expect(await stub.liftSuspension({ reason: 'operator' })).toMatchObject({ status: 'active', reasons: [] });
  });

  it('answers authorize and keyState with the suspension, a revoked key first', async () => {
    const { stub } = freshAccount();
    await stub.adjust({ amount: 1000, reason: 'funding', now: NOW });
    await stub.suspend({ reason: 'operator', now: NOW });
    expect(await stub.authorize(authorizeInput('req_1'))).toEqual({ ok: false, reason: 'account_suspended' });
    expect(await stub.keyState({ keyId: 'key_1', now: NOW })).toEqual({ ok: false, reason: 'account_suspended' });
    await stub.revokeKey('key_2', NOW);
    expect(await stub.keyState({ keyId: 'key_2', now: NOW })).toEqual({ ok: false, reason: 'key_revoked' });
    await stub.liftSuspension({ reason: 'operator' });
    expect(await stub.authorize(authorizeInput('req_2'))).toMatchObject({ ok: true });
  });

  it('outranks a deactivation, which shows again once the suspension is lifted', async () => {
    const { stub } = freshAccount();
    await stub.setDeactivated(NOW);
    await stub.suspend({ reason: 'dispute:dp_2', now: NOW });
    expect(await stub.accountStatus()).toMatchObject({ status: 'suspended', deactivatedAt: NOW });
    expect(await stub.authorize(authorizeInput('req_1'))).toEqual({ ok: false, reason: 'account_suspended' });
    expect(await stub.liftSuspension({ reason: 'dispute:dp_2' })).toEqual({ status: 'deactivated', reasons: [], deactivatedAt: NOW });
  });

  it('refuses what is not a reason', async () => {
    const { stub } = freshAccount();
    await runInDurableObject(stub, async (instance) => {
      // @ts-expect-error: not a SuspensionReason
      await expect(instance.suspend({ reason: 'because', now: NOW })).rejects.toThrow('not a suspension reason: because');
    });
    expect(await stub.accountStatus()).toMatchObject({ status: 'active' });
  });

  it('survives a restart of the object', async () => {
    const { stub } = freshAccount();
    await stub.suspend({ reason: 'operator', now: NOW });
    await evictDurableObject(stub);
    expect(await stub.accountStatus()).toMatchObject({ status: 'suspended', reasons: [{ reason: 'operator', since: NOW }] });
    expect(await stub.authorize(authorizeInput('req_1'))).toEqual({ ok: false, reason: 'account_suspended' });
  });
});
