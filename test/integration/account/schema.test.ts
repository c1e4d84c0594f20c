/** The account object's versioned schema: objects from before versions upgrade in place; each migration runs once, whole or not at all. */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { AccountDurableObject } from '../../../src/account/account-object';
import type { StoredByokKey } from '../../../src/account/byok-key-store';
import { migrate, MIGRATIONS, schemaVersion, type Migration } from '../../../src/account/schema';
import { freshAccount, requestContext } from './fixtures';
import { UNVERSIONED_SCHEMA } from './unversioned-schema';

const NOW = Date.UTC(2026, 10, 25, 12);

const account = freshAccount;
/** The version every object reaches. */
const LAST = MIGRATIONS.length;
const context = requestContext(NOW);

const providerKey: StoredByokKey = {
  id: 'pk_1',
  provider: 'deepseek',
  name: 'mine',
  hint: 'sk-…0001',
  ciphertext: 'c2VhbGVk',
  iv: 'aXY=',
  keyVersion: 1,
  createdAt: NOW,
  lastUsedAt: null,
  lastError: null,
  lastErrorAt: null,
  fallbackToCredits: false,
};

/** Tables and indexes as SQLite records them, without the version record. */
const schemaOf = (sql: SqlStorage) =>
  sql.exec("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name != 'schema_version' AND name NOT LIKE '_cf_%' ORDER BY name").toArray();

const tablesOf = (sql: SqlStorage) =>
  sql
    .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name")
    .toArray()
    .map((row) => row.name);

/** Every row of every table but the version record. */
const rowsOf = (sql: SqlStorage) =>
  Object.fromEntries(tablesOf(sql).filter((name) => name !== 'schema_version').map((name) => [name, sql.exec(`SELECT * FROM "${name}" ORDER BY rowid`).toArray()]));

function insertRows(sql: SqlStorage, rows: Record<string, Record<string, SqlStorageValue>[]>): void {
  for (const [table, list] of Object.entries(rows)) {
    for (const row of list) {
      const columns = Object.keys(row);
      sql.exec(`INSERT INTO "${table}" (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, ...Object.values(row));
    }
  }
}

/** A new instance of the object over the same storage, as the runtime starts one after a deploy: served once its start-up is done. */
async function restart(state: DurableObjectState): Promise<AccountDurableObject> {
  const blockConcurrencyWhile = state.blockConcurrencyWhile;
  const block = blockConcurrencyWhile.bind(state);
  let started: Promise<unknown> = Promise.resolve();
  state.blockConcurrencyWhile = <T>(callback: () => Promise<T>): Promise<T> => {
    const running = block(callback);
    started = running;
    return running;
  };
  try {
    const object = new AccountDurableObject(state, env);
    await started;
    return object;
  } finally {
    state.blockConcurrencyWhile = blockConcurrencyWhile;
  }
}

describe('account object schema', () => {
  it('numbers its migrations 1, 2, 3… and brings a new object to the last', async () => {
    expect(MIGRATIONS.map((migration) => migration.version)).toEqual(MIGRATIONS.map((_, index) => index + 1));
    const { stub } = account();
    await runInDurableObject(stub, (_instance, state) => {
      expect(schemaVersion(state.storage.sql)).toBe(MIGRATIONS.length);
    });
  });

  it('upgrades an object created before versions, keeping its balance, ledger, keys and revocations, and its stored holds out of admission', async () => {
    const { stub } = account();
    await stub.adjust({ amount: 1000, reason: 'funding', now: NOW });
    await stub.authorize({ requestId: 'req_done', amount: 300, context, now: NOW });
    await stub.charge({ requestId: 'req_done', held: 300, context, outcome: { promptTokens: 10, cachedTokens: 0, completionTokens: 5, reasoningTokens: 0, cost: 120, providerCost: 110, estimated: false, status: 'succeeded' }, now: NOW });
    await stub.creditRecharge({ rechargeId: 'rc_1', sessionId: 'cs_1', eventId: 'evt_1', amount: 500, now: NOW });
    await stub.registerByokKey(providerKey);
    await stub.revokeKey('key_gone', NOW);
    const before = await stub.summary(NOW);
    expect(before).toMatchObject({ balance: 1380, reserved: 0, openReservations: 0 });

    await runInDurableObject(stub, async (_instance, state) => {
      const { sql } = state.storage;
      const schema = schemaOf(sql);
      const rows = rowsOf(sql) as Record<string, Record<string, SqlStorageValue>[]>;
      // The same rows in the tables the code of before created (ledger rows without what was in flight; a hold
      // as a reservations row), and no version record: a production object before versions.
      const ledger = rows.ledger!.map(({ in_flight: _, uncollected: _uncollected, ...row }) => row);
      const byokKeys = rows.byok_keys!.map(({ fallback_to_credits: _, ...row }) => row);
      const reservation = { request_id: 'req_open', amount: 200, created_at: NOW, expires_at: NOW + 900_000, context: JSON.stringify(context) };
      for (const table of tablesOf(sql)) sql.exec(`DROP TABLE "${table}"`);
      for (const statement of UNVERSIONED_SCHEMA) sql.exec(statement);
      // Rows of later versions' tables come back from the migrations that make those tables (backfills).
      const unversioned = new Set(tablesOf(sql));
      insertRows(sql, Object.fromEntries(Object.entries({ ...rows, ledger, byok_keys: byokKeys, reservations: [reservation] }).filter(([table]) => unversioned.has(table))));
      expect(schemaVersion(sql)).toBe(0);

      // The object starts over that storage, as after a deploy: the stored hold is kept out of admission.
      const restarted = await restart(state);
      expect(await restarted.summary(NOW)).toEqual({ ...before, reserved: 200 });
      expect(await restarted.keyState({ keyId: 'key_gone', now: NOW })).toEqual({ ok: false, reason: 'key_revoked' });
      expect((await restarted.byokKeySet()).keys).toEqual([providerKey]);
      expect(schemaVersion(sql)).toBe(LAST);
      expect(schemaOf(sql)).toEqual(schema);
      expect(rowsOf(sql)).toEqual({ ...rows, ledger: ledger.map((row) => ({ ...row, in_flight: null, uncollected: null })), reservations: [] });
    });
  });

  it('applies each migration once, however often the object starts', async () => {
    const { stub } = account();
    await stub.adjust({ amount: 1000, reason: 'funding', now: NOW });
    await runInDurableObject(stub, (_instance, state) => {
      const { sql } = state.storage;
      const schema = schemaOf(sql);
      const rows = rowsOf(sql);
      expect(migrate(state.storage)).toBe(LAST);
      expect({ schema: schemaOf(sql), rows: rowsOf(sql) }).toEqual({ schema, rows });

      // Not idempotent on purpose: a second run would fail on CREATE TABLE, or count 2.
      const counted: Migration = { version: LAST + 1, statements: ['CREATE TABLE migration_runs (n INTEGER NOT NULL)', 'INSERT INTO migration_runs (n) VALUES (1)'] };
      expect(migrate(state.storage, [...MIGRATIONS, counted])).toBe(LAST + 1);
      expect(migrate(state.storage, [...MIGRATIONS, counted])).toBe(LAST + 1);
      expect(sql.exec('SELECT n FROM migration_runs').toArray()).toEqual([{ n: 1 }]);
      expect(schemaVersion(sql)).toBe(LAST + 1);
    });
  });

  it('leaves an object at the version before a migration that throws, with nothing of it applied', async () => {
    const { stub } = account();
    await runInDurableObject(stub, (_instance, state) => {
      const { sql } = state.storage;
      const broken: Migration = { version: LAST + 1, statements: ['CREATE TABLE half_done (n INTEGER)', 'INSERT INTO no_such_table (n) VALUES (1)'] };
      expect(() => migrate(state.storage, [...MIGRATIONS, broken])).toThrow(/no such table/);
      expect(schemaVersion(sql)).toBe(LAST);
      expect(tablesOf(sql)).not.toContain('half_done');
    });
  });

  it('refuses a list with a gap in its versions', async () => {
    const { stub } = account();
    await runInDurableObject(stub, (_instance, state) => {
      expect(() => migrate(state.storage, [...MIGRATIONS, { version: LAST + 2, statements: [] }])).toThrow(`account schema: migration ${LAST + 2} follows version ${LAST}`);
      expect(schemaVersion(state.storage.sql)).toBe(LAST);
    });
  });

  it('version 7 keeps a provider key registered before it without fallback, and one registered with it through a restart', async () => {
    const { stub } = account();
    await runInDurableObject(stub, async (_instance, state) => {
      const { sql } = state.storage;
      for (const table of tablesOf(sql)) sql.exec(`DROP TABLE "${table}"`);
      migrate(state.storage, MIGRATIONS.slice(0, 6));
      sql.exec("INSERT INTO account_state (id, account_id) VALUES (1, 'acct_v6')");
      sql.exec("INSERT INTO byok_keys (id, provider, name, hint, ciphertext, iv, key_version, created_at) VALUES ('pk_1', 'deepseek', 'mine', 'sk-…0001', 'c2VhbGVk', 'aXY=', 1, ?)", NOW);

      const restarted = await restart(state);
      expect(schemaVersion(sql)).toBe(LAST);
      await restarted.registerByokKey({ ...providerKey, id: 'pk_2', createdAt: NOW + 1, fallbackToCredits: true });
      const again = await restart(state);
      expect((await again.byokKeySet()).keys.map((key) => [key.id, key.fallbackToCredits])).toEqual([
        ['pk_1', false],
        ['pk_2', true],
      ]);
    });
  });

  it('version 3 carries over what version 1 credited and refunded: a recharge credits once, and its refunded total still counts', async () => {
    const { stub } = account();
    await runInDurableObject(stub, async (_instance, state) => {
      const { sql } = state.storage;
      // An object as version 1 left it: recharge rc_1 ($20) credited, $5 of it refunded.
      for (const table of tablesOf(sql)) sql.exec(`DROP TABLE "${table}"`);
      migrate(state.storage, MIGRATIONS.slice(0, 1));
      sql.exec("INSERT INTO account_state (id, account_id) VALUES (1, 'acct_v1')");
      sql.exec("INSERT INTO ledger (kind, request_id, amount, balance_after, created_at, reason) VALUES ('recharge', 'cs_1', 2000, 2000, ?, 'recharge rc_1')", NOW);
      sql.exec("INSERT INTO ledger (kind, request_id, amount, balance_after, created_at, reason) VALUES ('refund', 'rc_1:500', -500, 1500, ?, 'refund of recharge rc_1')", NOW);
      sql.exec("INSERT INTO stripe_events (event_id, received_at) VALUES ('evt_1', ?)", NOW);
      sql.exec("INSERT INTO recharge_refunds (recharge_id, refunded) VALUES ('rc_1', 500)");

      const restarted = await restart(state);
      expect(schemaVersion(sql)).toBe(LAST);
      expect(await restarted.refundState('rc_1')).toEqual({ credited: 2000, refunding: 500, refunded: 500, refundable: 1500, disputed: false });
      expect(await restarted.creditRecharge({ rechargeId: 'rc_1', sessionId: 'cs_1', eventId: 'evt_2', amount: 2000, now: NOW })).toEqual({ credited: false, balance: 1500 });
      expect(await restarted.beginRefund({ attemptId: 'rfa_1', rechargeId: 'rc_1', amount: 1501, now: NOW })).toEqual({ ok: false, reason: 'exceeds_recharge', refundable: 1500 });
    });
  });
});
