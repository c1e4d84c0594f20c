/** Reads a JSON request body that the body-limit middleware has already bounded. */
import type { Context } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../env';
import { invalidJson } from '../errors';
import { zodToApiError } from '../schemas/zod-error';

export async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  // The body was bounded before this point (middleware/body-limit.ts): what is left to read fits.
  if (!c.req.raw.body) throw invalidJson('The request body is empty; send a JSON object.');
  const bytes = new Uint8Array(await c.req.raw.arrayBuffer());
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw invalidJson('We could not parse the JSON body of your request. Send valid UTF-8 JSON.');
  }
}

export async function parseJsonBody<T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<z.infer<T>> {
  const result = schema.safeParse(await readJsonBody(c), { reportInput: true });
  if (!result.success) throw zodToApiError(result.error);
  return result.data;
}
