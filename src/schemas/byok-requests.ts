import { z } from 'zod';
import { PROVIDER_IDS } from '../base/provider-id';

export const RegisterSchema = z.strictObject({
  provider: z.enum(PROVIDER_IDS),
  api_key: z.string().trim().min(1, 'must not be empty'),
  name: z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters').optional(),
  verify: z.boolean().optional(),
  /** When the provider refuses the key (auth, balance), serve the request from credits in standard mode. */
  fallback_to_credits: z.boolean().optional(),
});

export type RegisterInput = z.infer<typeof RegisterSchema>;
