import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { serveChat, type ChatCall } from '../chat/serve-chat';
import { parseJsonBody } from '../middleware/json-body';
import { ChatRequestSchema, withModeHeader } from '../schemas/chat-request';
import { SSE_RESPONSE_HEADERS } from '../streaming/sse';

/** POST /v1/chat/completions: parse, serve, render. */
export const chatCompletions = new Hono<AppEnv>().post('/', async (c) => {
  const body = await parseJsonBody(c, ChatRequestSchema)
    .then((request) => withModeHeader(request, c.req.header('X-FindToken-Mode')))
    .then(
      (request): ChatCall['body'] => ({ ok: true, request }),
      (error: unknown): ChatCall['body'] => {
        if (error instanceof ApiError) return { ok: false, error };
        throw error;
      },
    );
  const result = await serveChat({
    env: c.env,
    config: c.get('config'),
    auth: c.get('auth'),
    requestId: c.get('requestId'),
    body,
    signal: c.req.raw.signal,
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    now: Date.now,
    fetch: (input, init) => fetch(input, init),
  });
  switch (result.kind) {
    case 'json':
      return Response.json(result.body, { headers: result.headers });
    case 'stream':
      return new Response(result.body, { headers: { ...SSE_RESPONSE_HEADERS, ...result.headers } });
    case 'error':
      throw result.error;
  }
});
