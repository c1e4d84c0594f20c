/**
 * Every request body is bounded before anything reads it: hono's bodyLimit
 * refuses a declared Content-Length over the bound at once, and counts the bytes
 * of a body without one as they stream, refusing as soon as they pass it — a
 * 60 MB body is never buffered. The one mechanism for every route; readers
 * downstream (JSON, forms, the webhook's raw text) read what it let through.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../env';
import { payloadTooLarge, type ApiError } from '../errors';

export const KIB = 1024;
/** Stripe's events are far smaller; their own documentation bounds a payload well under this. */
export const WEBHOOK_BODY_BYTES = 256 * KIB;
/** Web forms and every JSON route but chat (whose bound is MAX_BODY_BYTES). */
export const FORM_BODY_BYTES = 64 * KIB;
export const JSON_BODY_BYTES = 64 * KIB;

type Bound = number | ((c: Context<AppEnv>) => number);

/**
 * Over the bound: 413 request_too_large as OpenAI JSON (the API, the webhook, the operator API), or in
 * the shape `render` gives it (the Messages API's).
 */
export function limitJsonBody(bound: Bound, render: (error: ApiError) => Response = (error) => error.toResponse()): MiddlewareHandler<AppEnv> {
  return limit(bound, (c, max) => render(payloadTooLarge(max)));
}

/** Over the bound: a page that says so, with the same status and code. */
export function limitFormBody(bound: Bound): MiddlewareHandler<AppEnv> {
  return limit(bound, (c, max) => {
    const error = payloadTooLarge(max);
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Request too large</title></head><body><main><h1>Request too large</h1><p class="message bad">${error.message} Go back and send less.</p></main></body></html>`,
      413,
    );
  });
}

function limit(bound: Bound, refuse: (c: Context<AppEnv>, max: number) => Response): MiddlewareHandler<AppEnv> {
  return async function bodyLimitMiddleware(c, next) {
    const maxSize = typeof bound === 'number' ? bound : bound(c);
    return bodyLimit({ maxSize, onError: (ctx) => refuse(ctx as Context<AppEnv>, maxSize) })(c, next);
  };
}
