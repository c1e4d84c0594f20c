/**
 * Whether the account may act, as the object records it: `suspended` while any
 * suspension reason stands, else `deactivated` (a year without activity, see
 * AccountCredits), else `active`. Reasons are kept apart — `operator`, and one
 * `dispute:<id>` per open chargeback — so lifting one (a dispute won) leaves
 * the others (an operator's suspension) in force. Mirrored in memory: every
 * request asks.
 */
export type AccountStatus = 'active' | 'suspended' | 'deactivated';
export type SuspensionReason = 'operator' | `dispute:${string}`;

export interface AccountStatusView {
  status: AccountStatus;
  /** Every suspension in force, oldest first. */
  reasons: Array<{ reason: SuspensionReason; since: number }>;
  deactivatedAt: number | null;
}

export const isSuspensionReason = (value: unknown): value is SuspensionReason =>
  typeof value === 'string' && (value === 'operator' || /^dispute:[A-Za-z0-9_]{1,255}$/.test(value));

export const disputeReason = (disputeId: string): SuspensionReason => `dispute:${disputeId}`;

/** The status the reasons and the deactivation make: a suspension outranks a deactivation. */
export function accountStatus(reasons: ReadonlyMap<SuspensionReason, number>, deactivatedAt: number | null): AccountStatusView {
  const list = [...reasons].map(([reason, since]) => ({ reason, since })).sort((a, b) => a.since - b.since || a.reason.localeCompare(b.reason));
  const status: AccountStatus = list.length > 0 ? 'suspended' : deactivatedAt !== null ? 'deactivated' : 'active';
  return { status, reasons: list, deactivatedAt };
}

export class AccountSuspensions {
  private reasons = new Map<SuspensionReason, number>();

  constructor(private readonly sql: SqlStorage) {
    this.load();
  }

  /** Reads the reasons again from storage (after a transaction that rolled back). */
  load(): void {
    const rows = this.sql.exec<{ reason: SuspensionReason; since: number }>('SELECT reason, since FROM account_suspensions').toArray();
    this.reasons = new Map(rows.map((row) => [row.reason, row.since]));
  }

  get suspended(): boolean {
    return this.reasons.size > 0;
  }

  get current(): ReadonlyMap<SuspensionReason, number> {
    return this.reasons;
  }

  /** Adds a reason (the first time it was given is kept); true if it was not in force. */
  add(reason: SuspensionReason, now: number): boolean {
    if (!isSuspensionReason(reason)) throw new Error(`not a suspension reason: ${String(reason)}`);
    if (this.reasons.has(reason)) return false;
    this.sql.exec('INSERT INTO account_suspensions (reason, since) VALUES (?, ?)', reason, now);
    this.reasons.set(reason, now);
    return true;
  }

  /** Lifts one reason, leaving the others; true if it was in force. */
  remove(reason: SuspensionReason): boolean {
    if (!this.reasons.has(reason)) return false;
    this.sql.exec('DELETE FROM account_suspensions WHERE reason = ?', reason);
    this.reasons.delete(reason);
    return true;
  }
}
