/** What a Stripe answer means for the money: a refund call that certainly did nothing, and how a closed dispute ended. */
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { refusedByStripe } from '../../../src/payments/stripe';
import { disputeOutcome } from '../../../src/payments/disputes';

const stripeError = (statusCode: number, type = 'invalid_request_error') =>
  Stripe.errors.StripeError.generate({ type: type as 'invalid_request_error', message: 'm', statusCode } as Parameters<typeof Stripe.errors.StripeError.generate>[0]);

describe('refusedByStripe', () => {
  it.each([
    ['a card decline (402)', stripeError(402, 'card_error'), true],
    ['an invalid request (400)', stripeError(400), true],
    ['a missing resource (404)', stripeError(404), true],
    ['bad credentials (401)', stripeError(401, 'authentication_error'), true],
    ['a rate limit (429)', stripeError(429), true],
    ['a request with the same key still running (409)', stripeError(409), false],
    ['a server error (500)', stripeError(500, 'api_error'), false],
    ['a lost connection', new Stripe.errors.StripeConnectionError({ message: 'Network connection lost.' }), false],
    ['a timeout', new Error('Request aborted due to timeout being reached (100ms)'), false],
    ['anything else thrown', 'boom', false],
  ])('%s → %s', (_, error, refused) => {
    expect(refusedByStripe(error)).toBe(refused);
  });
});

describe('disputeOutcome', () => {
  it.each([
    ['won', 'won'],
    ['warning_closed', 'won'],
    ['prevented', 'won'],
    ['lost', 'lost'],
    ['needs_response', undefined],
    ['under_review', undefined],
  ])('a dispute closed %s → %s', (status, outcome) => {
    expect(disputeOutcome(status)).toBe(outcome);
  });
});
