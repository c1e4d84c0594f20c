/**
 * The daily credits job. Credits expire 365 days after the account's last
 * activity (an API call, a recharge, a sign-in): warnings go out 30 and 7 days
 * before, once each per stretch of inactivity; at 365 days the balance expires
 * (a ledgered `expiry` entry) and an account left with no balance is
 * deactivated (its keys answer 401 saying so; a recharge or sign-in brings it
 * back). Safe to run twice: every step is keyed so it happens once.
 */
import type { Env } from '../env';
import { accountStub } from '../account/client';
import { formatUsd } from '../base/money';
import { mailerFor, plainEmail } from '../mail/mailer';

const DAY_MS = 24 * 60 * 60_000;
export const EXPIRY_DAYS = 365;
export const WARNING_DAYS = [30, 7] as const;

interface Candidate {
  id: string;
  email: string;
  status: string;
  activityAt: number;
}

export async function runCreditExpiry(env: Env, now: Date): Promise<{ warned: number; expired: number; deactivated: number }> {
  const at = now.getTime();
  const firstWarning = at - (EXPIRY_DAYS - WARNING_DAYS[0]) * DAY_MS;
  const { results } = await env.DB.prepare(
    `SELECT id, email, status, COALESCE(last_active_at, created_at) AS activityAt FROM accounts
      WHERE status != 'suspended' AND COALESCE(last_active_at, created_at) <= ? ORDER BY id`,
  )
    .bind(firstWarning)
    .all<Candidate>();
  const mailer = mailerFor(env, () => at);
  const tally = { warned: 0, expired: 0, deactivated: 0 };
  for (const account of results) {
    const stub = accountStub(env, account.id);
    const idleDays = Math.floor((at - account.activityAt) / DAY_MS);
    const expiresOn = new Date(account.activityAt + EXPIRY_DAYS * DAY_MS).toISOString().slice(0, 10);
    if (idleDays >= EXPIRY_DAYS) {
      const { expired, balance } = await stub.expireCredits(at);
      if (expired > 0 && (await noteOnce(env, account, 'expired', at))) {
        tally.expired += 1;
        await mailer.send(
          plainEmail(account.email, 'Your find-token credits have expired', [
            `Your account had no activity for ${EXPIRY_DAYS} days, so its $${formatUsd(expired)} of credits expired on ${expiresOn}.`,
            'Recharge any time to continue.',
          ]),
        );
      }
      if (balance === 0 && account.status !== 'deactivated') {
        await stub.setDeactivated(at);
        await env.DB.prepare("UPDATE accounts SET status = 'deactivated' WHERE id = ? AND status = 'active'").bind(account.id).run();
        tally.deactivated += 1;
      }
      continue;
    }
    const daysLeft = EXPIRY_DAYS - idleDays;
    const due = WARNING_DAYS.filter((days) => daysLeft <= days).at(-1);
    if (due === undefined) continue;
    const { balance } = await stub.summary(at);
    if (balance === 0) continue;
    if (await noteOnce(env, account, `expiry_${due}d`, at)) {
      tally.warned += 1;
      await mailer.send(
        plainEmail(account.email, `Your find-token credits expire in ${daysLeft} days`, [
          `Your $${formatUsd(balance)} of find-token credits will expire on ${expiresOn}, ${EXPIRY_DAYS} days after your account's last activity.`,
          'Any API call or recharge before then keeps them.',
        ]),
      );
    }
  }
  return tally;
}

/** True the first time this notice is due for this stretch of inactivity; false if it was sent already. */
async function noteOnce(env: Env, account: Candidate, kind: string, at: number): Promise<boolean> {
  const inserted = await env.DB.prepare('INSERT OR IGNORE INTO credit_notices (account_id, kind, activity_at, sent_at) VALUES (?, ?, ?, ?)')
    .bind(account.id, kind, account.activityAt, at)
    .run();
  return inserted.meta.changes === 1;
}
