import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { randomHex } from '../base/ids';

/** Every response carries X-Request-Id; it is also the request's billing-log id. */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const id = `req_${randomHex(12)}`;
    c.set('requestId', id);
    await next();
    c.res.headers.set('X-Request-Id', id);
  };
}
