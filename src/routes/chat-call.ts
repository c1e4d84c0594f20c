/** What a chat-serving route hands serveChat: this request's bindings, key, id and connection, and its parsed body. */
import type { Context } from 'hono';
import type { ChatCall } from '../chat/serve-chat';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import type { ChatRequest } from '../schemas/chat-request';

export function chatCallOf(c: Context<AppEnv>, body: ChatCall['body']): ChatCall {
  return {
    env: c.env,
    config: c.get('config'),
    auth: c.get('auth'),
    requestId: c.get('requestId'),
    body,
    signal: c.req.raw.signal,
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    now: Date.now,
    fetch: (input, init) => fetch(input, init),
  };
}

/** A parse's outcome as serveChat's body: the client's ApiError is answered once the key's access is known. */
export const bodyOf = (parsing: Promise<ChatRequest>): Promise<ChatCall['body']> =>
  parsing.then(
    (request): ChatCall['body'] => ({ ok: true, request }),
    (error: unknown): ChatCall['body'] => {
      if (error instanceof ApiError) return { ok: false, error };
      throw error;
    },
  );
