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
 * outbox the alarm flushes to D1.
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
    // Holds move to the object's memory: each ledger row records what was in flight when it was written,
    // so a restarted object keeps that much out of admission until the requests it forgot renew or are
    // charged. The reservations table stays for the code of version 1; this version reads it once, at
    // its first start, into the same guard, and empties it.
    version: 2,
    statements: ['ALTER TABLE ledger ADD COLUMN in_flight INTEGER'],
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
