/**
 * The fields of a Stripe event the webhook reads, checked before it reads them.
 * A signature proves who sent the bytes, not their shape: a signed event whose
 * fields have other types (or no `data.object` at all) is refused as malformed
 * instead of failing halfway through crediting. Unknown fields pass.
 */
import { z } from 'zod';

const paymentIntent = z.union([z.string(), z.looseObject({ id: z.string() })]).nullish();
/** Stripe's metadata values are strings; a recharge id read from it is bound into D1 as one. */
const metadata = z.record(z.string(), z.string()).nullish();

const checkoutSession = z.looseObject({
  id: z.string(),
  payment_status: z.string().nullish(),
  amount_total: z.number().nullish(),
  currency: z.string().nullish(),
  client_reference_id: z.string().nullish(),
  metadata,
  payment_intent: paymentIntent,
});
const charge = z.looseObject({ amount_refunded: z.number(), metadata, payment_intent: paymentIntent });
const dispute = z.looseObject({ id: z.string(), amount: z.number(), status: z.string().nullish(), payment_intent: paymentIntent });

const OBJECT_OF: Record<string, z.ZodType> = {
  'checkout.session.completed': checkoutSession,
  'checkout.session.async_payment_succeeded': checkoutSession,
  'checkout.session.async_payment_failed': checkoutSession,
  'checkout.session.expired': checkoutSession,
  'charge.refunded': charge,
  'charge.dispute.created': dispute,
  'charge.dispute.closed': dispute,
};

const envelope = z.looseObject({ id: z.string().min(1), type: z.string(), data: z.looseObject({ object: z.looseObject({}) }) });

/** Whether the event has the envelope, and its object the fields, that the handler for its type reads. */
export function isWellFormedEvent(event: unknown): boolean {
  const parsed = envelope.safeParse(event);
  if (!parsed.success) return false;
  const schema = OBJECT_OF[parsed.data.type];
  return schema === undefined || schema.safeParse(parsed.data.data.object).success;
}
