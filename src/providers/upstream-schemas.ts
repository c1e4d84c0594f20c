/**
 * How the core reads what providers send, leniently (STYLE habit 4): a field of
 * the wrong type counts as absent instead of failing the answer. An answer or
 * chunk itself stays the provider's object, edited in place, so fields we do
 * not read pass through in their order; only the fields we read go through a schema.
 */
import { z } from 'zod';
import type { JsonObject } from '../base/upstream';
import type { UpstreamErrorFields } from './types';

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const count = z.number().int().nonnegative().catch(0);
const optionalCount = z.number().int().nonnegative().optional().catch(undefined);

/** Usage as OpenAI sends it, read leniently: a field of the wrong type counts as absent. */
export const OpenAiUsageSchema = z.looseObject({
  prompt_tokens: optionalCount,
  completion_tokens: optionalCount,
  total_tokens: optionalCount,
  prompt_tokens_details: z.looseObject({ cached_tokens: count.optional() }).nullish().catch(undefined),
  completion_tokens_details: z.looseObject({ reasoning_tokens: count.optional() }).nullish().catch(undefined),
});
export type OpenAiUsage = z.infer<typeof OpenAiUsageSchema>;

/** Parses a usage object; undefined for placeholders that carry no token counts (MiniMax). */
export function parseUsage(value: unknown): OpenAiUsage | undefined {
  if (!isObject(value)) return undefined;
  const usage = OpenAiUsageSchema.parse(value);
  if (usage.prompt_tokens === undefined && usage.completion_tokens === undefined) return undefined;
  return usage;
}

/** A code, type or message: a non-empty string, or a number (Zhipu and MiniMax send numeric codes). */
const errorText = z.union([z.string().min(1), z.number().transform(String)]).optional().catch(undefined);

/** The fields of an error object, wherever the provider put it. */
export const ErrorFieldsSchema = z.looseObject({ code: errorText, type: errorText, message: errorText });

/** Reads `{error:{code,type,message}}`, `{code,message}` or a bare string body. */
export function readErrorFields(body: unknown): UpstreamErrorFields {
  if (typeof body === 'string') return body.trim() ? { message: body.trim().slice(0, 500) } : {};
  if (!isObject(body)) return {};
  const { code, type, message } = ErrorFieldsSchema.parse(isObject(body.error) ? body.error : body);
  return { code, type, message };
}

/** An answer's or chunk's choices: a missing or malformed list is none; entries that are not objects are dropped. */
const ChoicesSchema = z.array(z.unknown()).catch([]);

export const readChoices = (value: unknown): JsonObject[] => ChoicesSchema.parse(value).filter(isObject);

/** The body of an answer read whole: JSON when it parses, else its text (an HTML error page, a proxy's message). */
export function parseAnswerText(text: string): unknown {
  try {
    // DeepSeek sends blank lines while a request is queued; JSON.parse skips leading whitespace.
    return JSON.parse(text);
  } catch {
    return text;
  }
}
