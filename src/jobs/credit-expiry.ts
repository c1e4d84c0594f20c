/**
 * The credits job. Credits expire 365 days after the account's last activity (an
 * API call, a recharge, a sign-in): warnings go out 30 and 7 days before, once
 * each per stretch of inactivity; at 365 days the balance expires (a ledgered
 * `expiry` entry, once per stretch) and an account left with no balance is
 * deactivated (its keys answer 401 saying so; a recharge or sign-in brings it
 * back).
 *
 * It works in bounded pages: the daily cron begins a sweep over the active
 * accounts idle long enough to need something, oldest first, and each run
 * (that one, then every five-minute tick while the sweep is unfinished) works
 * one page and keeps its place in D1 (sweep-cursor.ts). Deactivated accounts
 * are never read again. A notice is recorded only once the mailer accepted it;
 * an account whose email or object fails is counted, logged and left for the
 * next day's sweep, and the others go on. Every step is keyed, so a page worked
 * twice (a run cut short) expires, deactivates and warns nothing twice.
 */
import { messageOf } from '../errors';
import type { Env } from '../env';
import { accountStub } from '../account/client';
import { formatUsd } from '../base/money';
import { mailerFor, plainEmail, type Mailer } from '../mail/mailer';
import { claimSweep, releaseSweep } from './sweep-cursor';
import { hashAccountId, logError } from '../base/log';

const DAY_MS = 24 * 60 * 60_000;
export const EXPIRY_DAYS = 365;
export const WARNING_DAYS = [30, 7] as const;
/** Accounts per run: each costs at most two object calls, an email and two D1 writes, far within an invocation's limits. */
export const EXPIRY_PAGE_SIZE = 50;
/** How long a run holds the sweep: longer than a cron invocation may live, so only a dead run's lease lapses. */
export const EXPIRY_LEASE_MS = 15 * 60_000;
const JOB = 'credit_expiry';

type NoticeKind = 'expiry_30d' | 'expiry_7d' | 'expired';

interface Candidate {
  id: string;
  email: string;
  activityAt: number;
  /** The notices already sent for this stretch of inactivity, comma-separated. */
  notices: string | null;
}

export interface ExpiryRun {
  /** False when there was nothing to work: the sweep is done, not begun today, or another run holds it. */
  claimed: boolean;
  scanned: number;
  warned: number;
  expired: number;
  deactivated: number;
  failed: number;
  /** The sweep reached its last account. */
  finished: boolean;
}

export interface ExpiryOptions {
  /** The daily cron begins a new sweep; the five-minute tick only continues one. */
  start?: boolean;
  pageSize?: number;
}

/** One page of the day's sweep at `now` (the job's clock). */
export async function runCreditExpiry(env: Env, now: Date, options: ExpiryOptions = {}): Promise<ExpiryRun> {
  const at = now.getTime();
  const pageSize = options.pageSize ?? EXPIRY_PAGE_SIZE;
  const run: ExpiryRun = { claimed: false, scanned: 0, warned: 0, expired: 0, deactivated: 0, failed: 0, finished: false };
  const lease = await claimSweep(env.DB, JOB, { sweep: now.toISOString().slice(0, 10), now: at, leaseMs: EXPIRY_LEASE_MS, start: options.start ?? true });
  if (!lease) return run;
  run.claimed = true;
  const page = await candidates(env.DB, at, lease.cursor, pageSize);
  const mailer = mailerFor(env, () => at);
  for (const account of page) {
    run.scanned += 1;
    try {
      await settleAccount(env, mailer, account, at, (what) => (run[what] += 1));
    } catch (error) {
      // Nothing of this account's step was recorded that did not happen: the next sweep picks it up again.
      run.failed += 1;
      logError('credit_expiry.account_failed', { account: hashAccountId(account.id), message: 'left for the next sweep', cause: messageOf(error) });
    }
  }
  const last = page.at(-1);
  run.finished = page.length < pageSize;
  await releaseSweep(env.DB, lease, { cursor: last ? `${last.activityAt}:${last.id}` : lease.cursor, finished: run.finished, now: at });
  return run;
}

/** Active accounts idle at least until the first warning, after the cursor, oldest activity first (accounts_activity_idx). */
async function candidates(db: D1Database, at: number, cursor: string, limit: number): Promise<Candidate[]> {
  const split = cursor.indexOf(':');
  const [afterAt, afterId] = split < 0 ? [-1, ''] : [Number(cursor.slice(0, split)), cursor.slice(split + 1)];
  const { results } = await db
    .prepare(
      `SELECT id, email, coalesce(last_active_at, created_at) AS activityAt,
              (SELECT group_concat(kind) FROM credit_notices n WHERE n.account_id = a.id AND n.activity_at = coalesce(a.last_active_at, a.created_at)) AS notices
         FROM accounts a
        WHERE status = 'active' AND coalesce(last_active_at, created_at) <= ?1 AND (coalesce(last_active_at, created_at), id) > (?2, ?3)
        ORDER BY coalesce(last_active_at, created_at), id
        LIMIT ?4`,
    )
    .bind(at - (EXPIRY_DAYS - WARNING_DAYS[0]) * DAY_MS, afterAt, afterId, limit)
    .all<Candidate>();
  return results;
}

/**
 * The one step this account needs now, each effect before the record that it
 * happened: the expiry (keyed in the object), its email, then deactivation; or
 * the warning that is due. `done` counts each; throws when a part failed.
 */
async function settleAccount(env: Env, mailer: Mailer, account: Candidate, at: number, done: (what: 'warned' | 'expired' | 'deactivated') => void): Promise<void> {
  const stub = accountStub(env, account.id);
  const sent = new Set((account.notices ?? '').split(','));
  const idleDays = Math.floor((at - account.activityAt) / DAY_MS);
  const expiresOn = new Date(account.activityAt + EXPIRY_DAYS * DAY_MS).toISOString().slice(0, 10);
  if (idleDays >= EXPIRY_DAYS) {
    const { expired, balance } = await stub.expireInactiveCredits({ activityAt: account.activityAt, now: at });
    if (expired > 0 && !sent.has('expired')) {
      await mailer.send(
        plainEmail(account.email, 'Your find-token credits have expired', [
          `Your account had no activity for ${EXPIRY_DAYS} days, so its $${formatUsd(expired)} of credits expired on ${expiresOn}.`,
          'Recharge any time to continue.',
        ]),
      );
      await recordNotice(env.DB, account, 'expired', at);
      done('expired');
    }
    // Only once the user was told: a deactivated account is never read again.
    if (balance === 0) {
      await stub.setDeactivated(at);
      await env.DB.prepare("UPDATE accounts SET status = 'deactivated' WHERE id = ? AND status = 'active'").bind(account.id).run();
      done('deactivated');
    }
    return;
  }
  const daysLeft = EXPIRY_DAYS - idleDays;
  const due = WARNING_DAYS.filter((days) => daysLeft <= days).at(-1);
  if (due === undefined || sent.has(`expiry_${due}d`)) return;
  const { balance } = await stub.summary(at);
  if (balance === 0) return;
  await mailer.send(
    plainEmail(account.email, `Your find-token credits expire in ${daysLeft} days`, [
      `Your $${formatUsd(balance)} of find-token credits will expire on ${expiresOn}, ${EXPIRY_DAYS} days after your account's last activity.`,
      'Any API call or recharge before then keeps them.',
    ]),
  );
  await recordNotice(env.DB, account, `expiry_${due}d`, at);
  done('warned');
}

/** Records a notice the mailer accepted, for this stretch of inactivity. */
async function recordNotice(db: D1Database, account: Candidate, kind: NoticeKind, at: number): Promise<void> {
  await db.prepare('INSERT OR IGNORE INTO credit_notices (account_id, kind, activity_at, sent_at) VALUES (?, ?, ?, ?)').bind(account.id, kind, account.activityAt, at).run();
}
