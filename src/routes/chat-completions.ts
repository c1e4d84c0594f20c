import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { serveChat } from '../chat/serve-chat';
import { parseJsonBody } from '../middleware/json-body';
import { ChatRequestSchema, withModeHeader } from '../schemas/chat-request';
import { SSE_RESPONSE_HEADERS } from '../streaming/sse';
import { bodyOf, chatCallOf } from './chat-call';

/** POST /v1/chat/completions: parse, serve, render. */
export const chatCompletions = new Hono<AppEnv>().post('/', async (c) => {
  const body = await bodyOf(parseJsonBody(c, ChatRequestSchema).then((request) => withModeHeader(request, c.req.header('X-FindToken-Mode'))));
  const result = await serveChat(chatCallOf(c, body));
  switch (result.kind) {
    case 'json':
      return Response.json(result.body, { headers: result.headers });
    case 'stream':
      return new Response(result.body, { headers: { ...SSE_RESPONSE_HEADERS, ...result.headers } });
    case 'error':
      throw result.error;
  }
});
