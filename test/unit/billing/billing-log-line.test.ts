/** The shared line format: a D1 row becomes the record the account object stored, one JSON line. */
import { describe, expect, it } from 'vitest';
import type { BillingLogRecord } from '../../../src/billing/billing-log';
import { billingLogLine, recordOfRow } from '../../../src/billing/billing-log-line';
import { rowOfRecord } from '../../../src/billing/billing-log-store';

const record: BillingLogRecord = {
  keyId: 'key_1',
  keyName: 'laptop',
  keyPrefix: 'sk-ft_abcd',
  model: 'deepseek-chat',
  provider: 'deepseek',
  mode: 'standard',
  routing: 'auto',
  stream: true,
  startedAt: 1_767_225_600_000,
  fallbackReason: 'deepseek key refused: out of balance (HTTP 402)',
  promptTokens: 12,
  cachedTokens: 2,
  completionTokens: 7,
  reasoningTokens: 1,
  cost: 1_477,
  providerCost: 1_400,
  estimated: false,
  status: 'succeeded',
  uncollected: 0,
  id: 'log_0123456789ab',
  requestId: 'req_0123456789ab',
  accountId: 'acct_1',
  createdAt: 1_767_225_600_000,
  latencyMs: 840,
};

describe('billing log line', () => {
  it('gives back the stored record from its D1 row', () => {
    expect(recordOfRow(rowOfRecord(record))).toEqual(record);
  });

  it('leaves out a fallback reason the row does not have', () => {
    const { fallbackReason: _reason, ...plain } = record;
    expect(recordOfRow(rowOfRecord(plain))).toEqual(plain);
    expect('fallbackReason' in recordOfRow(rowOfRecord(plain))).toBe(false);
  });

  it('is the JSON of the record ending in one newline', () => {
    const line = billingLogLine(record);
    expect(line.endsWith('}\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2);
    expect(JSON.parse(line)).toEqual(record);
  });
});
