import { z } from 'zod';

export const KeyNameSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters'),
});

export const CreateAccountSchema = z.strictObject({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email('must be a valid email address')),
});

const signedDollars = z.union([z.number(), z.string()]);

export const CreditAdjustmentSchema = z.strictObject({
  amount: signedDollars,
  reason: z.string().trim().min(1, 'must say why').max(500),
});

export const AccountPatchSchema = z.strictObject({
  rate_limit_per_minute: z.number().int().min(1).max(1_000_000).nullable(),
});
