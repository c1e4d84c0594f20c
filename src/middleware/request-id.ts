import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { newRequestId } from '../base/ids';

/** Every response carries X-Request-Id; it is also the request's billing-log id. */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestIdMiddleware(c, next) {
    const id = newRequestId();
    c.set('requestId', id);
    await next();
    c.res.headers.set('X-Request-Id', id);
  };
}
