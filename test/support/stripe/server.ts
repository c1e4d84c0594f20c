// A stand-in for the few Stripe API endpoints find-token calls (Checkout Sessions; Refunds: create,
// list, retrieve), speaking Stripe's wire format: form-encoded requests, JSON objects and errors,
// Bearer auth, idempotency keys. It records every request so tests can check what was sent (amounts in
// cents, metadata, URLs, idempotency keys), and fails on demand (POST /__stripe/faults, see refunds.ts).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { RefundsStandin, type Fault, type Reply } from './refunds.ts';

export interface StripeStandin {
  url: string;
  close(): Promise<void>;
}

interface Recorded {
  method: string;
  path: string;
  form: Record<string, string>;
  idempotencyKey: string | undefined;
  authorization: string | undefined;
}

const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString('hex')}`;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'request-id': id('req'), ...headers });
  res.end(text);
}

/** Answers, drops the connection (the answer is lost), or holds it until the client gives up. */
function reply(res: ServerResponse, outcome: Reply): void {
  if (outcome.kind === 'answer') return send(res, outcome.status, outcome.body, outcome.headers);
  if (outcome.kind === 'drop') res.socket?.destroy();
}

const stripeError = (res: ServerResponse, status: number, message: string, param?: string) =>
  send(res, status, { error: { type: 'invalid_request_error', message, ...(param ? { param } : {}) } });

/** Stripe's nested form keys, read back: metadata[recharge_id] → metadata.recharge_id. */
function nested(form: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) {
    const match = new RegExp(`^${prefix.replace(/[[\]]/g, '\\$&')}\\[([^\\]]+)\\]$`).exec(key);
    if (match) out[match[1]!] = value;
  }
  return out;
}

export async function startStripeStandin(port = 0): Promise<StripeStandin> {
  const requests: Recorded[] = [];
  const sessions = new Map<string, Record<string, unknown>>();
  const refunds = new RefundsStandin();
  const sockets = new Set<Socket>();

  async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    return Object.fromEntries(new URLSearchParams(raw));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stripe.invalid');
    if (url.pathname === '/__stripe/requests') {
      if (req.method === 'DELETE') requests.length = 0;
      return send(res, 200, { requests });
    }
    if (url.pathname === '/__stripe/faults' && req.method === 'POST') {
      let raw = '';
      for await (const chunk of req) raw += String(chunk);
      refunds.addFault(JSON.parse(raw) as Fault);
      return send(res, 200, { ok: true });
    }
    const form = req.method === 'POST' ? await readForm(req) : Object.fromEntries(url.searchParams);
    const authorization = req.headers.authorization;
    requests.push({ method: req.method ?? 'GET', path: url.pathname, form, idempotencyKey: req.headers['idempotency-key'] as string | undefined, authorization });
    if (!authorization?.startsWith('Bearer sk_')) return stripeError(res, 401, 'Invalid API Key provided.');

    if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
      const amount = Number(form['line_items[0][price_data][unit_amount]']);
      if (!Number.isInteger(amount) || amount < 50) return stripeError(res, 400, 'Invalid integer: unit_amount', 'line_items[0][price_data][unit_amount]');
      const session = {
        id: id('cs'),
        object: 'checkout.session',
        mode: form['mode'],
        status: 'open',
        payment_status: 'unpaid',
        amount_total: amount * Number(form['line_items[0][quantity]'] ?? '1'),
        currency: form['line_items[0][price_data][currency]'],
        client_reference_id: form['client_reference_id'] ?? null,
        metadata: nested(form, 'metadata'),
        success_url: form['success_url'],
        cancel_url: form['cancel_url'],
        payment_intent: null,
        url: '',
      };
      session.url = `https://checkout.stripe.com/c/pay/${session.id}`;
      sessions.set(session.id, session);
      return send(res, 200, session);
    }
    if (req.method === 'POST' && url.pathname === '/v1/refunds') {
      return reply(res, refunds.create(form, req.headers['idempotency-key'] as string | undefined, nested(form, 'metadata')));
    }
    if (req.method === 'GET' && url.pathname === '/v1/refunds') return reply(res, refunds.list(form));
    const refundPath = /^\/v1\/refunds\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && refundPath) return reply(res, refunds.retrieve(decodeURIComponent(refundPath[1]!)));
    return stripeError(res, 404, `Unrecognized request URL (${req.method}: ${url.pathname}).`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: { type: 'api_error', message: String(error) } }));
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
