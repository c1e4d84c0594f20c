import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';
import { invalidAdminToken, unknownUrl } from '../errors';

/**
 * The operator API exists only where ADMIN_TOKEN is set (404 everywhere else),
 * and compares the token in constant time.
 */
export function adminAuth(): MiddlewareHandler<AppEnv> {
  return async function adminAuthMiddleware(c, next) {
    const expected = c.get('config').adminToken;
    if (!expected) throw unknownUrl(`Unknown path: ${c.req.method} ${c.req.path}`);
    const match = /^Bearer +(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '');
    if (!match || !(await constantTimeEqual(match[1] ?? '', expected))) {
      throw invalidAdminToken();
    }
    await next();
  };
}

/** Hashing first gives equal-length inputs, so neither length nor content leaks through timing. */
async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(a)),
    crypto.subtle.digest('SHA-256', encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}
