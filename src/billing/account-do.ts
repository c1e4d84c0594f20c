/**
 * The per-account Durable Object (SQLite storage). Single-threaded, so it will
 * be the authority on the account's balance, reservations and counters (the
 * billing issue); for now it records the account it belongs to and answers a
 * liveness probe, so the binding, the migration and the RPC path are real.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env';

export class AccountDurableObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS account_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    });
  }

  /** Binds this object to its account on first use and returns that account id. */
  async ensureAccount(accountId: string): Promise<string> {
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO account_meta (key, value) VALUES ('account_id', ?)", accountId);
    const row = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM account_meta WHERE key = 'account_id'").one();
    return row.value;
  }
}
