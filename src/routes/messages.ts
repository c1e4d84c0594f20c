/**
 * POST /v1/messages and /v1/messages/count_tokens: Anthropic's Messages API
 * (what Claude Code and the Anthropic SDKs speak) on the same catalog. A
 * request is translated to a chat completion and served by serveChat, so
 * routing, BYOK, limits, billing and the X-FindToken-* headers are chat's own;
 * the answer is translated back. Errors are rendered in Anthropic's shape by
 * the app (anthropic/errors.ts), whatever layer raised them.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { toChatRequest } from '../anthropic/request';
import { toAnthropicMessage } from '../anthropic/response';
import { toAnthropicStream } from '../anthropic/stream';
import { serveChat } from '../chat/serve-chat';
import { modelNotAllowed } from '../errors';
import { keyAccess } from '../middleware/api-key-auth';
import { parseJsonBody } from '../middleware/json-body';
import { estimatePromptTokens } from '../providers/token-estimate';
import { withModeHeader } from '../schemas/chat-request';
import { CountTokensRequestSchema, MessagesRequestSchema } from '../schemas/messages-request';
import { SSE_RESPONSE_HEADERS } from '../streaming/sse';
import { bodyOf, chatCallOf } from './chat-call';

export const messages = new Hono<AppEnv>()
  .post('/', async (c) => {
    const parsing = parseJsonBody(c, MessagesRequestSchema);
    const body = await bodyOf(parsing.then((request) => withModeHeader(toChatRequest(request), c.req.header('X-FindToken-Mode'))));
    const stopSequences = await parsing.then((request) => request.stop_sequences, () => undefined);
    const result = await serveChat(chatCallOf(c, body));
    const context = { requestId: c.get('requestId'), model: result.kind === 'error' ? '' : (result.headers['X-FindToken-Model'] ?? ''), stopSequences };
    switch (result.kind) {
      case 'json':
        return Response.json(toAnthropicMessage(result.body, context), { headers: result.headers });
      case 'stream':
        return new Response(toAnthropicStream(result.body, context), { headers: { ...SSE_RESPONSE_HEADERS, ...result.headers } });
      case 'error':
        throw result.error;
    }
  })
  // Free and served by no provider: the key's access is asked like any other /v1 route's.
  .post('/count_tokens', keyAccess(), async (c) => {
    const request = toChatRequest(await parseJsonBody(c, CountTokensRequestSchema));
    const allowed = c.get('auth').models;
    if (allowed && !allowed.includes(request.model)) throw modelNotAllowed(request.model, allowed);
    // The estimate the hold uses: what the request would be held for as its prompt.
    return c.json({ input_tokens: estimatePromptTokens(request) });
  });
