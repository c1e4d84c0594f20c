/** Billing-log messages are packed by bytes under Queues' limits, oldest first, and checked on arrival. */
import { describe, expect, it } from 'vitest';
import { isBillingLogMessage, MESSAGE_MAX_BYTES, MESSAGE_MAX_ROWS, packMessages, recordIdOf, utf8Length } from '../../../src/billing/log-message';
import { jsonArrays } from '../../../src/billing/log-writer';

const line = (i: number, bytes: number) => {
  const head = `{"i":${i},"pad":"`;
  return `${head}${'x'.repeat(bytes - head.length - 2)}"}`;
};

describe('packMessages', () => {
  it('cuts at 100 rows, keeping their order', () => {
    const lines = Array.from({ length: 250 }, (_, i) => line(i, 100));
    const messages = packMessages('acct_a', lines);
    expect(messages.map((m) => m.lines.length)).toEqual([MESSAGE_MAX_ROWS, MESSAGE_MAX_ROWS, 50]);
    expect(messages.flatMap((m) => m.lines)).toEqual(lines);
    expect(messages.every((m) => m.accountId === 'acct_a')).toBe(true);
  });

  it('cuts by bytes: no message holds more than MESSAGE_MAX_BYTES of lines', () => {
    const lines = Array.from({ length: 30 }, (_, i) => line(i, 10_000));
    const messages = packMessages('acct_a', lines);
    expect(messages.map((m) => m.lines.length)).toEqual([9, 9, 9, 3]);
    for (const m of messages) expect(m.lines.reduce((sum, l) => sum + utf8Length(l) + 1, 0)).toBeLessThanOrEqual(MESSAGE_MAX_BYTES);
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect([utf8Length('a'), utf8Length('é'), utf8Length('€'), utf8Length('😀')]).toEqual([1, 2, 3, 4]);
  });
});

describe('jsonArrays (one INSERT each)', () => {
  it('keeps each bound JSON array near 1 MB, every line once', () => {
    const lines = Array.from({ length: 30 }, (_, i) => line(i, 100_000));
    const arrays = jsonArrays(lines);
    expect(arrays.map((a) => (JSON.parse(a) as unknown[]).length)).toEqual([9, 9, 9, 3]);
    expect(arrays.flatMap((a) => (JSON.parse(a) as Array<{ i: number }>).map((r) => r.i))).toEqual(lines.map((_, i) => i));
  });
});

describe('what the consumer accepts', () => {
  const record = {
    id: 'bl_1', requestId: 'req_1', accountId: 'acct_a', model: 'm', provider: 'p', mode: 'standard', routing: 'direct', status: 'succeeded',
    createdAt: 1, promptTokens: 1, cachedTokens: 0, completionTokens: 1, reasoningTokens: 0, cost: 1, providerCost: 1, latencyMs: 1, estimated: false, stream: false,
  };

  it("takes a record of the message's account, and answers its id", () => {
    expect(recordIdOf(JSON.stringify(record), 'acct_a')).toBe('bl_1');
  });

  it("refuses text that is not JSON, another account's record, and a record missing a column D1 requires", () => {
    const { cost: _cost, ...noCost } = record;
    expect([recordIdOf('{', 'acct_a'), recordIdOf(JSON.stringify(record), 'acct_b'), recordIdOf(JSON.stringify(noCost), 'acct_a'), recordIdOf('null', 'acct_a')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('knows a message by its account and its lines of text', () => {
    expect([isBillingLogMessage({ accountId: 'acct_a', lines: ['x'] }), isBillingLogMessage({ accountId: 'acct_a', lines: [1] }), isBillingLogMessage({ lines: [] }), isBillingLogMessage('x')]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });
});
