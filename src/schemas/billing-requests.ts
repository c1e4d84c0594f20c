import { z } from 'zod';

/** A time filter: Unix milliseconds or an ISO 8601 date/time. */
const instant = z.union([
  z.string().regex(/^\d{1,15}$/).transform(Number),
  z.string().transform((text, ctx) => {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) ctx.addIssue({ code: 'custom', message: 'must be Unix milliseconds or an ISO 8601 date/time' });
    return ms;
  }),
]);

/** GET /v1/user/billing-logs's query. */
export const LogQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().optional(),
  model: z.string().min(1).optional(),
  from: instant.optional(),
  to: instant.optional(),
});

/** GET /v1/user/billing-logs/export's query (defaults and range checks: billing/export-start.ts). */
export const ExportQuerySchema = z.strictObject({
  from: instant.optional(),
  to: instant.optional(),
  format: z.enum(['csv', 'ndjson']).default('csv'),
});
