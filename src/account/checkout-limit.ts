/**
 * Checkout Sessions an account may open in any hour (CHECKOUT_SESSIONS_PER_HOUR):
 * each is counted here, in the object's storage and its single thread, before
 * Stripe is called, so concurrent requests cannot all slip under the limit and a
 * restart forgets nothing. A sliding hour: the refusal's Retry-After is when the
 * oldest counted session leaves it.
 */
import { retryAfterSeconds } from '../base/retry-after';
import type { RateLimited } from './request-holds';

const HOUR_MS = 60 * 60_000;

export class CheckoutLimit {
  constructor(private readonly sql: SqlStorage) {}

  /** Counts one session, or refuses it (counting nothing) when the past hour already holds `limit`. */
  open(limit: number, now: number): RateLimited | undefined {
    this.sql.exec('DELETE FROM checkout_sessions WHERE opened_at <= ?', now - HOUR_MS);
    const opened = this.sql.exec<{ opened_at: number }>('SELECT opened_at FROM checkout_sessions ORDER BY opened_at').toArray();
    if (opened.length >= limit) {
      const frees = (opened[opened.length - limit]?.opened_at ?? now) + HOUR_MS;
      return { ok: false, reason: 'rate_limited', limit, retryAfterSeconds: retryAfterSeconds(frees - now) };
    }
    this.sql.exec('INSERT INTO checkout_sessions (opened_at) VALUES (?)', now);
    return undefined;
  }
}
