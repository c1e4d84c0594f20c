/** What the operator and the dashboard see of an account's object. */
export interface AccountSummary {
  accountId: string;
  balance: number;
  /** Units not available to new requests: open holds, and what a restart keeps out for requests it forgot. */
  reserved: number;
  /** Open holds. */
  openReservations: number;
  rateLimitPerMinute: number | null;
  ledgerTotals: Record<string, number>;
  byok: { month: string; requests: number };
  /** The object's SQLite database size in bytes: how close an account comes to a Durable Object's storage limit. */
  storageBytes: number;
}
