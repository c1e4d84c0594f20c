// The 2024 floor for a gateway that bills in a Durable Object: the bare pass-through worker plus a durable
// worst-case hold in the account's SQLite object before the upstream call, and a durable charge with its ledger
// row after it (sent after the response). Kept beside the memory-hold floor so the two designs can be compared.
import { DurableObject } from 'cloudflare:workers';

export class Account extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS holds (request_id TEXT PRIMARY KEY, amount INTEGER NOT NULL)');
    this.sql.exec('CREATE TABLE IF NOT EXISTS ledger (id INTEGER PRIMARY KEY, request_id TEXT NOT NULL, amount INTEGER NOT NULL, log TEXT NOT NULL)');
    this.balance = Number.MAX_SAFE_INTEGER;
  }

  async authorize(requestId, amount) {
    this.sql.exec('INSERT INTO holds VALUES (?, ?)', requestId, amount);
    return { ok: true, balance: this.balance };
  }

  async settle(requestId, cost, log) {
    this.sql.exec('DELETE FROM holds WHERE request_id = ?', requestId);
    this.sql.exec('INSERT INTO ledger (request_id, amount, log) VALUES (?, ?, ?)', requestId, -cost, JSON.stringify(log));
    this.balance -= cost;
    return { charged: cost, balance: this.balance };
  }
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const account = env.ACCOUNTS.get(env.ACCOUNTS.idFromName('bench'));
    const requestId = crypto.randomUUID();
    await account.authorize(requestId, 1000);
    const upstream = await fetch(env.UPSTREAM + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body });
    const answer = await upstream.text();
    ctx.waitUntil(account.settle(requestId, 10, { requestId, status: upstream.status, bytes: answer.length }));
    return new Response(answer, upstream);
  },
};
