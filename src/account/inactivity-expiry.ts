/**
 * Credits expire after a year without activity, once per stretch of inactivity:
 * the stretch is named by when it began (the account's last activity), so the
 * expiry job, run again on any later day or after a failure, finds the entry it
 * wrote and answers the same amount instead of expiring twice — and the email
 * that tells the user can be sent from that answer until the mailer accepts it.
 * New activity starts a new stretch (a new name).
 */
import type { AccountLedger } from './account-ledger';

export interface InactivityExpiry {
  /** Units expired for this stretch: by this call or an earlier one (0: there was nothing to expire). */
  expired: number;
  balance: number;
}

export function expireInactiveCredits(ledger: AccountLedger, input: { activityAt: number; now: number }): InactivityExpiry {
  const reference = `inactive-since:${input.activityAt}`;
  const seen = ledger.find('expiry', reference);
  if (seen) return { expired: -seen.amount, balance: ledger.balance };
  if (ledger.balance === 0) return { expired: 0, balance: 0 };
  const result = ledger.entry({ kind: 'expiry', reference, amount: -ledger.balance, now: input.now, reason: 'credits expired after 365 days without activity' });
  return { expired: -result.amount, balance: result.balance };
}
