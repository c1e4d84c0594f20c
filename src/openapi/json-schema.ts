/** Zod schemas as OpenAPI 3.1 schema objects (JSON Schema 2020-12, which 3.1 uses as is). */
import { z } from 'zod';

export type SchemaObject = Record<string, unknown>;

/**
 * What a client sends, as the code validates it: `io: 'input'` describes a field before its transform (a
 * price as a number or a decimal string, not the units it becomes); refinements are checked, not described.
 */
export function requestSchema(schema: z.ZodType): SchemaObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return rest;
}

/** What the API answers (the response schemas describe output only). */
export function responseSchema(schema: z.ZodType): SchemaObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' });
  return rest;
}
