// The floor for the gateway as issue 15 designs it ("a hold does not need to be durable; a charge does"):
// the bare pass-through worker plus one Durable Object call that writes nothing (the hold, kept in the
// object's memory) before the upstream call, and one durable charge (a ledger row in the object's SQLite)
// awaited before the response is returned.
import { DurableObject } from 'cloudflare:workers';

export class Account extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec('CREATE TABLE IF NOT EXISTS ledger (id INTEGER PRIMARY KEY, request_id TEXT NOT NULL, amount INTEGER NOT NULL, log TEXT NOT NULL)');
    this.holds = new Map();
    this.balance = Number.MAX_SAFE_INTEGER;
  }

  async authorize(requestId, amount) {
    this.holds.set(requestId, amount);
    return { ok: true, balance: this.balance };
  }

  async charge(requestId, cost, log) {
    this.holds.delete(requestId);
    this.sql.exec('INSERT INTO ledger (request_id, amount, log) VALUES (?, ?, ?)', requestId, -cost, JSON.stringify(log));
    this.balance -= cost;
    return { charged: cost, balance: this.balance };
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const account = env.ACCOUNTS.get(env.ACCOUNTS.idFromName('bench'));
    const requestId = crypto.randomUUID();
    await account.authorize(requestId, 1000);
    const upstream = await fetch(env.UPSTREAM + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body });
    const answer = await upstream.text();
    // The object's output gate holds this call's answer until the row is durable: awaiting it is awaiting the commit.
    await account.charge(requestId, 10, { requestId, status: upstream.status, bytes: answer.length });
    return new Response(answer, upstream);
  },
};
