/**
 * One log line per request, written once the handler has produced its response
 * (for a stream: its headers, before the body ends, so the line never waits on
 * the body). The route is the matched pattern, never the raw path with its ids;
 * chat and messages add what their X-FindToken-* headers say (a stream's cost is
 * in its final usage chunk, not known here); an authenticated request names its
 * account by hash. One JSON.stringify, one console.log, no await.
 */
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from '../env';
import { hashAccountId, logEvent } from '../base/log';

/** The chat headers a request line carries, by field name. */
const CHAT_HEADERS = {
  model: 'X-FindToken-Model',
  provider: 'X-FindToken-Provider',
  attempts: 'X-FindToken-Attempts',
  mode: 'X-FindToken-Mode',
  cost: 'X-FindToken-Cost',
} as const;

export function requestLog(now: () => number = Date.now): MiddlewareHandler<AppEnv> {
  return async function requestLogMiddleware(c, next) {
    const started = now();
    await next();
    const headers = c.res.headers;
    const accountId = c.get('auth')?.accountId;
    const attempts = headers.get(CHAT_HEADERS.attempts);
    logEvent('request', {
      requestId: c.get('requestId'),
      method: c.req.method,
      // The route that answered (after next(), routeIndex is the last handler run); a 404 names the middleware it passed.
      route: routePath(c),
      status: c.res.status,
      ms: now() - started,
      model: headers.get(CHAT_HEADERS.model) ?? undefined,
      provider: headers.get(CHAT_HEADERS.provider) ?? undefined,
      attempts: attempts === null ? undefined : Number(attempts),
      mode: headers.get(CHAT_HEADERS.mode) ?? undefined,
      cost: headers.get(CHAT_HEADERS.cost) ?? undefined,
      stream: headers.get('Content-Type')?.startsWith('text/event-stream') ? true : undefined,
      account: accountId === undefined ? undefined : hashAccountId(accountId),
    });
  };
}
