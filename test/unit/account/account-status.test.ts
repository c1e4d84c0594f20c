/** The account's status from its suspension reasons and its deactivation. */
import { describe, expect, it } from 'vitest';
import { accountStatus, isSuspensionReason, type SuspensionReason } from '../../../src/account/account-status';

const reasons = (entries: Array<[SuspensionReason, number]>) => new Map(entries);

describe('accountStatus', () => {
  it.each([
    ['no reason, not deactivated', reasons([]), null, 'active'],
    ['deactivated only', reasons([]), 5, 'deactivated'],
    ['an operator suspension', reasons([['operator', 1]]), null, 'suspended'],
    ['a dispute over a deactivation', reasons([['dispute:dp_1', 2]]), 5, 'suspended'],
  ] as const)('%s → %s', (_, map, deactivatedAt, status) => {
    expect(accountStatus(map, deactivatedAt).status).toBe(status);
  });

  it('lists the reasons oldest first', () => {
    expect(accountStatus(reasons([['dispute:dp_2', 7], ['operator', 3]]), null).reasons).toEqual([
      { reason: 'operator', since: 3 },
      { reason: 'dispute:dp_2', since: 7 },
    ]);
  });
});

describe('isSuspensionReason', () => {
  it.each([
    ['operator', true],
    ['dispute:dp_1MqLx2', true],
    ['dispute:', false],
    ['dispute:dp 1', false],
    ['Operator', false],
    [42, false],
  ])('%j → %s', (value, expected) => {
    expect(isSuspensionReason(value)).toBe(expected);
  });
});
