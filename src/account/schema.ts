/**
 * The account object's own SQLite schema. The object is the authority on the
 * balance, and the ledger is the balance: every change is a ledger row carrying
 * the balance after it, so the ledger always sums to the balance. Ledger rows that carry a billing log
 * are the outbox the alarm flushes to D1. The object is also the authority on
 * which of the account's keys are revoked.
 */
export const LEDGER_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS account_state (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     account_id TEXT NOT NULL,
     rate_limit_per_minute INTEGER
   )`,
  `CREATE TABLE IF NOT EXISTS reservations (
     request_id TEXT PRIMARY KEY,
     amount INTEGER NOT NULL CHECK (amount >= 0),
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     context TEXT NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS ledger (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL,
     request_id TEXT,
     amount INTEGER NOT NULL,
     balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
     created_at INTEGER NOT NULL,
     reason TEXT,
     log TEXT,
     flushed INTEGER NOT NULL DEFAULT 0
   )`,
  'CREATE UNIQUE INDEX IF NOT EXISTS ledger_kind_request ON ledger (kind, request_id) WHERE request_id IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS ledger_outbox ON ledger (id) WHERE flushed = 0 AND log IS NOT NULL',
  // The rate window is kept in memory only (a per-request write for a limit that is not money).
  'DROP TABLE IF EXISTS rate_window',
  'CREATE TABLE IF NOT EXISTS byok_months (month TEXT PRIMARY KEY, requests INTEGER NOT NULL)',
  // The authority on revocation: checked on every request, so a revoked key fails on the next one.
  'CREATE TABLE IF NOT EXISTS revoked_keys (key_id TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL)',
];
