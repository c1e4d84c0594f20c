import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { adminRequest, chat, createAccountWithKey, hello } from '../helpers';
import { accountObject, drainOutbox } from './helpers';

describe('balance under concurrent load', () => {
  it('admits at most what the balance covers at worst case, never goes below zero, and the ledger, balance and logs agree', async () => {
    const { key, accountId } = await createAccountWithKey(0);
    // Worst case of one request: prompt estimate 6 tokens + max_tokens 1000 at deepseek-chat prices × 1.055
    // = (6 × 14,000,000 + 1000 × 28,000,000) × 1.055 / 1e6 = 29,628.62 → 29,629 units. Fund exactly ten.
    await adminRequest('POST', `/accounts/${accountId}/credits`, { amount: '0.0029629', reason: 'ten worst cases' });
    // The stand-in holds every answer 300 ms so that all 50 are in flight at once.
    const requests = Array.from({ length: 50 }, (_, i) =>
      chat(key, { model: 'deepseek-chat', messages: hello, max_tokens: 1000, stream: i % 2 === 0, standin: { delay_ms: 300 } }).then(async (response) => {
        await response.arrayBuffer();
        return response.status;
      }),
    );
    const statuses = await Promise.all(requests);
    const admitted = statuses.filter((status) => status === 200).length;
    expect(admitted).toBeLessThanOrEqual(10);
    expect(admitted).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((status) => status === 402).length).toBe(50 - admitted);

    const summary = await accountObject(accountId).summary(Date.now());
    expect(summary.balance).toBeGreaterThanOrEqual(0);
    expect(summary.openReservations).toBe(0);
    expect(Object.values(summary.ledgerTotals).reduce((sum, units) => sum + units, 0)).toBe(summary.balance);

    await drainOutbox(accountId);
    const logs = await env.DB.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(cost), 0) AS total FROM billing_logs WHERE account_id = ?').bind(accountId).first<{ n: number; total: number }>();
    expect(logs).toEqual({ n: admitted, total: -(summary.ledgerTotals.usage ?? 0) });
    expect(summary.balance).toBe(296_290 - logs!.total);
  });
});
