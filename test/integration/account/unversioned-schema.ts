/**
 * The statements the account object ran on every start before its schema was
 * versioned (commit 7f74447: the ledger's, then the BYOK keys', then the
 * credits'), verbatim. Objects created by that code hold exactly these tables
 * and no version record: the state schema version 1 must upgrade cleanly.
 */
export const UNVERSIONED_SCHEMA: readonly string[] = [
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
  `CREATE TABLE IF NOT EXISTS byok_keys (
  id TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  name TEXT NOT NULL,
  hint TEXT NOT NULL,
  ciphertext TEXT NOT NULL,
  iv TEXT NOT NULL,
  key_version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  last_error TEXT,
  last_error_at INTEGER
)`,
  'CREATE TABLE IF NOT EXISTS stripe_events (event_id TEXT PRIMARY KEY, received_at INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS recharge_refunds (recharge_id TEXT PRIMARY KEY, refunded INTEGER NOT NULL)',
  'CREATE TABLE IF NOT EXISTS account_flags (id INTEGER PRIMARY KEY CHECK (id = 1), deactivated_at INTEGER)',
];
