import { z } from 'zod';
import { invalidValue } from '../errors';

export const CreateAccountSchema = z.strictObject({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email('must be a valid email address')),
});

const signedDollars = z.union([z.number(), z.string()]);

export const CreditAdjustmentSchema = z.strictObject({
  amount: signedDollars,
  reason: z.string().trim().min(1, 'must say why').max(500),
});

/** The operator's changes to an account: its own rate limit (null = the default), its status, or both. */
export const AccountPatchSchema = z
  .strictObject({
    rate_limit_per_minute: z.number().int().min(1).max(1_000_000).nullable().optional(),
    status: z.enum(['suspended', 'active'], { error: 'must be "suspended" or "active"' }).optional(),
  })
  .refine((patch) => patch.rate_limit_per_minute !== undefined || patch.status !== undefined, { error: 'send rate_limit_per_minute, status, or both' });

/** Stripe's bound: up to 255 visible ASCII characters (a UUID, a ULID, a base64 token all fit). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key header: undefined when absent; a 400 when present but empty, too long or not visible ASCII. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw invalidValue('The Idempotency-Key header must be 1 to 255 visible ASCII characters (no spaces), such as a UUID.', 'Idempotency-Key');
  }
  return header;
}
