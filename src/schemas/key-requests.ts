/**
 * POST /v1/user/keys (and the dashboard's form): a key's name and its rules
 * (base/key-rules.ts). Money arrives in dollars and leaves here in units;
 * `expires_at` in Unix seconds or ISO 8601 and leaves in ms.
 */
import { z } from 'zod';
import { findModel } from '../base/catalog';
import { KEY_SCOPES, LIMIT_PERIODS, type KeyRules } from '../base/key-rules';
import { invalidValue } from '../errors';
import { parseSignedUsd, UNITS_PER_USD } from '../base/money';

export const MAX_KEY_LIMIT_USD = 1_000_000;
export const MAX_KEY_MODELS = 64;
/** Unix seconds up to here; a larger number is most likely milliseconds, which this field does not take. */
const MAX_UNIX_SECONDS = 100_000_000_000;

const unique = <T>(values: readonly T[]) => new Set(values).size === values.length;

const KeyName = z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters');

const LimitAmount = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const units = parseSignedUsd(value);
  if (units === undefined || units <= 0 || units > MAX_KEY_LIMIT_USD * Number(UNITS_PER_USD)) {
    ctx.addIssue({ code: 'custom', message: `must be a dollar amount above 0 and at most ${MAX_KEY_LIMIT_USD}, with at most 8 decimals` });
    return z.NEVER;
  }
  return units;
});

const ExpiresAt = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? (Number.isInteger(value) && value > 0 && value < MAX_UNIX_SECONDS ? value * 1000 : Number.NaN) : isoMs(value);
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be a time in Unix seconds or ISO 8601 (such as "2027-01-31T00:00:00Z")' });
    return z.NEVER;
  }
  return ms;
});

/** An ISO 8601 date or date-time (no other formats Date.parse would guess at); NaN otherwise. */
function isoMs(text: string): number {
  if (!/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return Number.NaN;
  const ms = Date.parse(text.trim());
  return Number.isSafeInteger(ms) && ms > 0 ? ms : Number.NaN;
}

export const KeyRulesSchema = z.object({
  scopes: z
    .array(z.enum(KEY_SCOPES, { error: `must be ${KEY_SCOPES.map((s) => `"${s}"`).join(' or ')}` }))
    .min(1, 'must name at least one scope')
    .refine(unique, 'must not repeat a scope')
    .optional(),
  limit: z
    .strictObject({
      amount: LimitAmount,
      period: z.enum(LIMIT_PERIODS, { error: `must be ${LIMIT_PERIODS.map((p) => `"${p}"`).join(', ')}` }),
    })
    .optional(),
  models: z
    .array(z.string().refine((id) => findModel(id) !== undefined, 'is not a model in GET /v1/models'))
    .min(1, 'must name at least one model')
    .max(MAX_KEY_MODELS, `must name at most ${MAX_KEY_MODELS} models`)
    .refine(unique, 'must not repeat a model')
    .optional(),
  expires_at: ExpiresAt.optional(),
});

export const CreateKeySchema = z.strictObject({ name: KeyName, ...KeyRulesSchema.shape });
export type CreateKeyBody = z.infer<typeof CreateKeySchema>;

/** The rules a request asked for (those it left out stay undefined: the parent's apply); an expiry must lie ahead. */
export function requestedKeyRules(body: Omit<CreateKeyBody, 'name'>, now: number): Partial<KeyRules> {
  if (body.expires_at !== undefined && body.expires_at <= now) throw invalidValue('expires_at must be in the future.', 'expires_at');
  return {
    ...(body.scopes ? { scopes: body.scopes } : {}),
    ...(body.models ? { models: body.models } : {}),
    ...(body.limit ? { limit: body.limit } : {}),
    ...(body.expires_at !== undefined ? { expiresAt: body.expires_at } : {}),
  };
}
