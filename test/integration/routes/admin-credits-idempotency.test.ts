/** Operator adjustments under an Idempotency-Key: applied once, whatever the retries, restarts or compaction. */
import { env, evictDurableObject, runInDurableObject, SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest, BASE } from '../helpers';
import { accountObject } from '../billing/helpers';

async function newAccount(): Promise<string> {
  return (await (await adminRequest('POST', '/accounts', { email: `idem-${crypto.randomUUID()}@example.com` })).json<{ id: string }>()).id;
}

function credit(accountId: string, body: unknown, idempotencyKey?: string): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${env.ADMIN_TOKEN}`, 'Content-Type': 'application/json' };
  if (idempotencyKey !== undefined) headers['Idempotency-Key'] = idempotencyKey;
  return SELF.fetch(`${BASE}/admin/v1/accounts/${accountId}/credits`, { method: 'POST', headers, body: JSON.stringify(body) });
}

/** The object's balance, its ledger's sum and its adjustments' total, in units. */
async function money(accountId: string) {
  const summary = await accountObject(accountId).summary(Date.now());
  const sum = Object.values(summary.ledgerTotals).reduce((a, b) => a + b, 0);
  return { balance: summary.balance, ledgerSum: sum, adjustments: summary.ledgerTotals.adjustment ?? 0 };
}

type Credited = { account_id: string; amount: number; reason: string; balance: number; ledger_id: number };

describe('operator credits with an Idempotency-Key', () => {
  it('applies a key once: the retry answers the first ledger id and balance', async () => {
    const accountId = await newAccount();
    const first = await credit(accountId, { amount: 12.5, reason: 'goodwill' }, 'adj-0001');
    const firstBody = await first.json<Credited>();
    expect(first.status).toBe(201);
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    expect(firstBody).toEqual({ account_id: accountId, amount: 12.5, reason: 'goodwill', balance: 12.5, ledger_id: expect.any(Number) });

    // Another credit in between: the replay still answers the balance right after the first call.
    await credit(accountId, { amount: 1, reason: 'unkeyed' });
    const retry = await credit(accountId, { amount: '12.50', reason: '  goodwill ' }, 'adj-0001');
    expect(retry.status).toBe(201);
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await retry.json()).toEqual(firstBody);
    expect(await money(accountId)).toEqual({ balance: 13.5e8, ledgerSum: 13.5e8, adjustments: 13.5e8 });
  });

  it('credits once when the retry reaches a restarted object', async () => {
    const accountId = await newAccount();
    const first = await (await credit(accountId, { amount: 5, reason: 'outage credit' }, 'restart-key')).json<Credited>();
    await evictDurableObject(accountObject(accountId));
    const retry = await credit(accountId, { amount: 5, reason: 'outage credit' }, 'restart-key');
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await retry.json()).toEqual(first);
    expect(await money(accountId)).toEqual({ balance: 5e8, ledgerSum: 5e8, adjustments: 5e8 });
  });

  it('credits once when the same call arrives twice at the same time', async () => {
    const accountId = await newAccount();
    const answers = await Promise.all([1, 2, 3].map(() => credit(accountId, { amount: 2, reason: 'double click' }, 'concurrent-key')));
    const bodies = await Promise.all(answers.map((answer) => answer.json<Credited>()));
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201]);
    expect(new Set(bodies.map((body) => body.ledger_id)).size).toBe(1);
    expect(answers.filter((answer) => answer.headers.get('Idempotent-Replayed') === 'true')).toHaveLength(2);
    expect(await money(accountId)).toEqual({ balance: 2e8, ledgerSum: 2e8, adjustments: 2e8 });
  });

  it('remembers a key after the ledger row it applied is compacted away', async () => {
    const accountId = await newAccount();
    const first = await (await credit(accountId, { amount: 7, reason: 'migration' }, 'compacted-key')).json<Credited>();
    // A compaction folds the ledger into one row carrying the same balance; the key's record is not the ledger's.
    await runInDurableObject(accountObject(accountId), (_instance, state) => {
      state.storage.sql.exec('DELETE FROM ledger');
      state.storage.sql.exec("INSERT INTO ledger (kind, amount, balance_after, created_at, reason) VALUES ('adjustment', 700000000, 700000000, 0, 'compacted')");
    });
    await evictDurableObject(accountObject(accountId));
    const retry = await credit(accountId, { amount: 7, reason: 'migration' }, 'compacted-key');
    expect(await retry.json()).toEqual(first);
    expect(await money(accountId)).toEqual({ balance: 7e8, ledgerSum: 7e8, adjustments: 7e8 });
  });

  it('refuses the key with another amount or reason (422), applying nothing', async () => {
    const accountId = await newAccount();
    await credit(accountId, { amount: 3, reason: 'first' }, 'reused-key');
    for (const body of [{ amount: 4, reason: 'first' }, { amount: 3, reason: 'second' }, { amount: -3, reason: 'first' }]) {
      const refused = await credit(accountId, body, 'reused-key');
      expect(refused.status).toBe(422);
      expect(await refused.json()).toEqual({
        error: {
          message: 'This Idempotency-Key was already used with a different amount or reason; use a new key for a new adjustment.',
          type: 'invalid_request_error',
          param: 'Idempotency-Key',
          code: 'idempotency_key_reused',
        },
      });
    }
    expect(await money(accountId)).toEqual({ balance: 3e8, ledgerSum: 3e8, adjustments: 3e8 });
  });

  it('keeps keys per account: the same key on another account applies there', async () => {
    const [alice, bob] = [await newAccount(), await newAccount()];
    expect((await credit(alice, { amount: 1, reason: 'x' }, 'shared-key')).headers.get('Idempotent-Replayed')).toBeNull();
    expect((await credit(bob, { amount: 1, reason: 'x' }, 'shared-key')).headers.get('Idempotent-Replayed')).toBeNull();
    expect((await money(alice)).balance).toBe(1e8);
    expect((await money(bob)).balance).toBe(1e8);
  });

  it('does not use up a key on a refused debit: it changed nothing', async () => {
    const accountId = await newAccount();
    expect((await credit(accountId, { amount: -20, reason: 'chargeback' }, 'debit-key')).status).toBe(400);
    await credit(accountId, { amount: 30, reason: 'top up' });
    const applied = await credit(accountId, { amount: -20, reason: 'chargeback' }, 'debit-key');
    expect(applied.status).toBe(201);
    expect(await applied.json()).toMatchObject({ balance: 10 });
    expect(await money(accountId)).toEqual({ balance: 10e8, ledgerSum: 10e8, adjustments: 10e8 });
  });

  it('accepts a 255-character key', async () => {
    const accountId = await newAccount();
    expect((await credit(accountId, { amount: 1, reason: 'x' }, 'k'.repeat(255))).status).toBe(201);
  });

  it.each([
    ['empty', ''],
    ['with a space', 'two words'],
    ['with a tab', 'a\tb'],
    ['256 characters', 'k'.repeat(256)],
    ['with a control character', 'a\x7fb'],
  ])('rejects a key %s with a 400 naming the header', async (_, key) => {
    const accountId = await newAccount();
    const response = await credit(accountId, { amount: 1, reason: 'x' }, key);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        message: 'The Idempotency-Key header must be 1 to 255 visible ASCII characters (no spaces), such as a UUID.',
        type: 'invalid_request_error',
        param: 'Idempotency-Key',
        code: 'invalid_value',
      },
    });
    expect((await money(accountId)).balance).toBe(0);
  });
});
