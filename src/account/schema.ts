/**
 * The account object's SQLite schema, as an ordered list of migrations: the
 * only place that creates or changes its tables. The object applies the
 * pending ones in its constructor, before any call is served; each migration
 * and the version it reaches are written in one transaction, so a migration
 * that throws leaves the object exactly at the version before it and is tried
 * again on the next start.
 *
 * The object is the authority on the balance, and the ledger is the balance:
 * every change is a ledger row carrying the balance after it, so the ledger
 * always sums to the balance. Ledger rows that carry a billing log are the
 * outbox the alarm hands to the BILLING_LOGS queue: `flushed` is 0 until the row
 * is handed to the queue (the consumer writes D1), then the time it was handed
 * (1 on rows the version-7 outbox wrote to D1 itself); the handed log's text is
 * kept for BILLING_LOG_READ_WINDOW_MS from then, then set to NULL.
 *
 * Rules for a new migration: append it with the next version, never edit one
 * that has shipped; keep the code of the version before it working on the new
 * schema (add tables and columns; do not rename or drop what it reads), since
 * a rollback runs old code on a migrated object.
 */
export interface Migration {
  version: number;
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    // The schema the object had before it was versioned. Every statement is
    // idempotent: objects created then hold these tables already, without a version.
    version: 1,
    statements: [
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
      // Provider keys (BYOK), sealed by byok/crypto.ts: the object stores them, never opens them.
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
      // What makes money outside requests happen once: Stripe events seen, each recharge's refunded total.
      'CREATE TABLE IF NOT EXISTS stripe_events (event_id TEXT PRIMARY KEY, received_at INTEGER NOT NULL)',
      'CREATE TABLE IF NOT EXISTS recharge_refunds (recharge_id TEXT PRIMARY KEY, refunded INTEGER NOT NULL)',
      'CREATE TABLE IF NOT EXISTS account_flags (id INTEGER PRIMARY KEY CHECK (id = 1), deactivated_at INTEGER)',
    ],
  },
  {
    // Operator adjustments by Idempotency-Key (operator-adjustments.ts): apart from the ledger, so no
    // compaction of the ledger forgets a key; a replay answers from this row alone.
    version: 2,
    statements: [
      `CREATE TABLE adjustment_keys (
  idempotency_key TEXT PRIMARY KEY,
  amount INTEGER NOT NULL,
  reason TEXT NOT NULL,
  ledger_id INTEGER NOT NULL,
  balance_after INTEGER NOT NULL,
  created_at INTEGER NOT NULL
)`,
    ],
  },
  {
    // Refunds, disputes and account status (issue 13). Each refund attempt and each dispute is its own
    // row, and the ledger entries it makes reference it; these rows, with stripe_events, are what makes
    // each change happen once, so they must outlive any compaction of the ledger.
    version: 3,
    statements: [
      `CREATE TABLE refund_attempts (
  attempt_id TEXT PRIMARY KEY,
  recharge_id TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('support', 'stripe', 'legacy')),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  debited INTEGER NOT NULL CHECK (debited >= 0),
  status TEXT NOT NULL CHECK (status IN ('pending', 'refunded', 'reversed', 'abandoned')),
  stripe_refund_id TEXT,
  created_at INTEGER NOT NULL,
  settled_at INTEGER
)`,
      'CREATE INDEX refund_attempts_recharge ON refund_attempts (recharge_id)',
      // The largest refunded total Stripe reported for a recharge (charge.refunded), kept until the recharge is credited.
      'CREATE TABLE stripe_refund_totals (recharge_id TEXT PRIMARY KEY, total INTEGER NOT NULL, reported_at INTEGER NOT NULL)',
      // The recharges this object credited: the record that credits each once, apart from the ledger.
      `CREATE TABLE credited_recharges (
  recharge_id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL UNIQUE,
  amount INTEGER NOT NULL,
  credited_at INTEGER NOT NULL
)`,
      `CREATE TABLE disputes (
  dispute_id TEXT PRIMARY KEY,
  recharge_id TEXT NOT NULL,
  amount INTEGER NOT NULL CHECK (amount >= 0),
  debited INTEGER NOT NULL CHECK (debited >= 0),
  status TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
  opened_at INTEGER,
  closed_at INTEGER
)`,
      'CREATE INDEX disputes_recharge ON disputes (recharge_id)',
      // Why the account is suspended: 'operator', 'dispute:<id>'; the account is suspended while any row stands.
      'CREATE TABLE account_suspensions (reason TEXT PRIMARY KEY, since INTEGER NOT NULL)',
      // Version 1 credited a recharge with a ledger row (reference = session, reason = 'recharge <id>').
      `INSERT OR IGNORE INTO credited_recharges (recharge_id, session_id, amount, credited_at)
  SELECT substr(reason, 10), request_id, amount, created_at FROM ledger
   WHERE kind = 'recharge' AND request_id IS NOT NULL AND reason LIKE 'recharge %'`,
      // Version 1 kept one refunded total per recharge: it becomes one settled attempt.
      `INSERT OR IGNORE INTO refund_attempts (attempt_id, recharge_id, source, amount, debited, status, created_at, settled_at)
  SELECT recharge_id || ':legacy', recharge_id, 'legacy', refunded, refunded, 'refunded', 0, 0 FROM recharge_refunds WHERE refunded > 0`,
    ],
  },
  {
    // Holds move to the object's memory: each ledger row records what was in flight when it was written,
    // so a restarted object keeps that much out of admission until the requests it forgot renew or are
    // charged. The reservations table stays for the code of version 1; this version reads it once, at
    // its first start, into the same guard, and empties it.
    version: 4,
    statements: ['ALTER TABLE ledger ADD COLUMN in_flight INTEGER'],
  },
  {
    // Checkout Sessions opened in the last hour (checkout-limit.ts): counted before Stripe is called.
    version: 5,
    statements: ['CREATE TABLE checkout_sessions (opened_at INTEGER NOT NULL)'],
  },
  {
    // Keys with rules (key-policies.ts): one row per live key that has them, and its spend in its
    // limit's current period. A revoked key's rows go; its id stays in revoked_keys.
    version: 6,
    statements: [
      `CREATE TABLE key_policies (
  key_id TEXT PRIMARY KEY,
  parent_id TEXT,
  scopes TEXT NOT NULL,
  models TEXT,
  limit_amount INTEGER,
  limit_period TEXT,
  expires_at INTEGER,
  created_at INTEGER NOT NULL
)`,
      'CREATE TABLE key_spend (key_id TEXT PRIMARY KEY, period TEXT NOT NULL, spent INTEGER NOT NULL)',
    ],
  },
  {
    // A registered provider key may fall back to credits when its provider refuses it (issue 16).
    // Keys registered before it do not: the default keeps their 400.
    version: 7,
    statements: ['ALTER TABLE byok_keys ADD COLUMN fallback_to_credits INTEGER NOT NULL DEFAULT 0'],
  },
  {
    // Billing logs go through a queue (issue 18): `flushed` now holds when a row was handed to the
    // queue (still 0 before), and a handed log is held for the read-your-writes window only. The alarm
    // finds the held logs, earliest handed first, to drop their text once the window is over; the index
    // holds only those rows. Rows the version-7 outbox wrote to D1 hold 1: dropped at the first alarm.
    // A dropped log's `uncollected` stays on its row: a replayed charge answers the first result.
    version: 8,
    statements: ['CREATE INDEX ledger_held_logs ON ledger (flushed) WHERE flushed > 0 AND log IS NOT NULL', 'ALTER TABLE ledger ADD COLUMN uncollected INTEGER'],
  },
];

/** One row: the last migration applied (`PRAGMA user_version` is not authorized in a Durable Object). */
const VERSION_TABLE = 'CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)';

/** The version the storage is at: 0 for a new object, or one created before versions existed. */
export function schemaVersion(sql: SqlStorage): number {
  const table = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").toArray();
  if (table.length === 0) return 0;
  return sql.exec<{ version: number }>('SELECT version FROM schema_version WHERE id = 1').toArray()[0]?.version ?? 0;
}

/**
 * Applies the migrations above the stored version, in order, each in its own
 * transaction together with the version it reaches; returns the version the
 * storage is at. A migration that throws rolls back with its version record.
 */
export function migrate(storage: DurableObjectStorage, migrations: readonly Migration[] = MIGRATIONS): number {
  let version = schemaVersion(storage.sql);
  for (const migration of migrations) {
    if (migration.version <= version) continue;
    if (migration.version !== version + 1) throw new Error(`account schema: migration ${migration.version} follows version ${version}`);
    storage.transactionSync(() => {
      for (const statement of migration.statements) storage.sql.exec(statement);
      storage.sql.exec(VERSION_TABLE);
      storage.sql.exec('INSERT INTO schema_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version', migration.version);
    });
    version = migration.version;
  }
  return version;
}
