/**
 * Reads a JSON request body with a size limit, counting bytes as they arrive so
 * an oversized or lying Content-Length never gets buffered whole.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import type { AppEnv } from '../env';
import { invalidJson, payloadTooLarge } from '../errors';
import { zodToApiError } from '../schemas/zod-error';

export async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  const limit = c.get('config').maxBodyBytes;
  const declared = Number(c.req.header('Content-Length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw payloadTooLarge(limit);
  const body = c.req.raw.body;
  if (!body) throw invalidJson('The request body is empty; send a JSON object.');
  // A declared length within the limit is enforced by the runtime: read it in one call.
  const bytes = Number.isFinite(declared) ? new Uint8Array(await c.req.raw.arrayBuffer()) : await readCounting(body, limit);
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes));
  } catch {
    throw invalidJson('We could not parse the JSON body of your request. Send valid UTF-8 JSON.');
  }
}

/** Reads a body of unknown length, failing as soon as it passes the limit. */
async function readCounting(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) throw payloadTooLarge(limit);
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

export async function parseJsonBody<T extends z.ZodType>(c: Context<AppEnv>, schema: T): Promise<z.infer<T>> {
  const result = schema.safeParse(await readJsonBody(c), { reportInput: true });
  if (!result.success) throw zodToApiError(result.error);
  return result.data;
}
