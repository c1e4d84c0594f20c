// The Refunds API of the Stripe stand-in, with Stripe's idempotency semantics and switches for failures.
//
// Idempotency (as Stripe documents it): the first request with a key that starts executing saves its
// status and body; a later request with the same key and parameters gets that saved answer back
// (`Idempotent-Replayed: true`), a success or a decline alike; the same key with other parameters is a
// 400 `idempotency_error`. A 500 raised before execution saves nothing, so a retry runs afresh.
//
// Faults are set per payment intent (POST /__stripe/faults) and used up one request at a time:
//   decline        402 card_error refund_declined (saved under the idempotency key, like any decline)
//   server_error   500 api_error before anything is executed (nothing saved)
//   lost_response  the refund is made and saved, then the connection is dropped before the answer
//   hang           the refund is made and saved, then no answer ever comes (the client times out)
// `on: "list"` fails GET /v1/refunds for that payment intent with a 500 instead.
import { randomBytes } from 'node:crypto';

export type FaultMode = 'decline' | 'server_error' | 'lost_response' | 'hang';
export interface Fault {
  payment_intent: string;
  mode: FaultMode;
  times?: number;
  on?: 'create' | 'list';
}

/** What the server should do with a request: answer, or drop or hold the connection after the work is done. */
export type Reply = { kind: 'answer'; status: number; body: unknown; headers?: Record<string, string> } | { kind: 'drop' } | { kind: 'hang' };

interface Saved {
  fingerprint: string;
  status: number;
  body: unknown;
}

const stripeId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const apiError = (status: number, type: string, message: string, extra: Record<string, string> = {}): Reply => ({
  kind: 'answer',
  status,
  body: { error: { type, message, ...extra } },
});

export class RefundsStandin {
  private readonly refunds: Array<Record<string, unknown>> = [];
  private readonly saved = new Map<string, Saved>();
  private readonly faults: Array<Required<Fault>> = [];

  addFault(fault: Fault): void {
    this.faults.push({ times: 1, on: 'create', ...fault });
  }

  private takeFault(paymentIntent: string | undefined, on: 'create' | 'list'): FaultMode | undefined {
    const index = this.faults.findIndex((fault) => fault.payment_intent === paymentIntent && fault.on === on);
    if (index === -1) return undefined;
    const fault = this.faults[index]!;
    fault.times -= 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault.mode;
  }

  /** POST /v1/refunds. */
  create(form: Record<string, string>, idempotencyKey: string | undefined, metadata: Record<string, string>): Reply {
    const fingerprint = JSON.stringify(Object.entries(form).sort(([a], [b]) => a.localeCompare(b)));
    const previous = idempotencyKey === undefined ? undefined : this.saved.get(idempotencyKey);
    if (previous) {
      if (previous.fingerprint !== fingerprint) {
        return apiError(400, 'idempotency_error', `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`);
      }
      return { kind: 'answer', status: previous.status, body: previous.body, headers: { 'idempotent-replayed': 'true', 'idempotency-key': idempotencyKey! } };
    }
    const paymentIntent = form['payment_intent'];
    if (!paymentIntent) return apiError(400, 'invalid_request_error', 'Must provide a charge or payment_intent.', { param: 'payment_intent' });
    const fault = this.takeFault(paymentIntent, 'create');
    if (fault === 'server_error') return apiError(500, 'api_error', 'An unknown error occurred.');
    const amount = Number(form['amount']);
    // Like Stripe's test card numbers: this amount is always declined.
    const declined = fault === 'decline' || amount === 1337;
    const status = declined ? 402 : 200;
    const body = declined
      ? { error: { type: 'card_error', code: 'refund_declined', message: 'The refund was declined.' } }
      : this.makeRefund(paymentIntent, amount, metadata);
    if (idempotencyKey !== undefined) this.saved.set(idempotencyKey, { fingerprint, status, body });
    if (fault === 'lost_response') return { kind: 'drop' };
    if (fault === 'hang') return { kind: 'hang' };
    return { kind: 'answer', status, body, ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}) };
  }

  private makeRefund(paymentIntent: string, amount: number, metadata: Record<string, string>): Record<string, unknown> {
    const refund = {
      id: stripeId('re'),
      object: 'refund',
      amount,
      balance_transaction: stripeId('txn'),
      charge: paymentIntent.replace(/^pi_/, 'ch_'),
      created: Math.floor(Date.now() / 1000),
      currency: 'usd',
      metadata,
      payment_intent: paymentIntent,
      reason: null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    };
    this.refunds.unshift(refund);
    return refund;
  }

  /** GET /v1/refunds: newest first, filtered by payment_intent or charge, paged with limit and starting_after. */
  list(query: Record<string, string>): Reply {
    if (this.takeFault(query['payment_intent'], 'list') !== undefined) return apiError(500, 'api_error', 'An unknown error occurred.');
    const limit = Math.min(100, Math.max(1, Number(query['limit'] ?? 10) || 10));
    let matching = this.refunds.filter(
      (refund) => (!query['payment_intent'] || refund['payment_intent'] === query['payment_intent']) && (!query['charge'] || refund['charge'] === query['charge']),
    );
    const after = query['starting_after'];
    if (after) {
      const index = matching.findIndex((refund) => refund['id'] === after);
      if (index === -1) return apiError(400, 'invalid_request_error', `No such refund: '${after}'`, { param: 'starting_after', code: 'resource_missing' });
      matching = matching.slice(index + 1);
    }
    const data = matching.slice(0, limit);
    return { kind: 'answer', status: 200, body: { object: 'list', data, has_more: matching.length > limit, url: '/v1/refunds' } };
  }

  /** GET /v1/refunds/:id. */
  retrieve(id: string): Reply {
    const refund = this.refunds.find((candidate) => candidate['id'] === id);
    if (!refund) return apiError(404, 'invalid_request_error', `No such refund: '${id}'`, { param: 'id', code: 'resource_missing' });
    return { kind: 'answer', status: 200, body: refund };
  }
}
