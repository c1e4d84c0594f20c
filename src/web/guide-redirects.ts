/**
 * The return URLs /docs uses in its recharge example (success_url, cancel_url) lead somewhere real: a
 * reader who pays through the example lands on the dashboard, one who cancels on the pricing. Fixed
 * targets: nothing of the request (its query, its Host) is carried over.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env';

export const GUIDE_RETURN_PATHS = { success: '/my/dashboard', cancel: '/my/pricing' } as const;

export const guideRedirects = new Hono<AppEnv>()
  .get(GUIDE_RETURN_PATHS.success, (c) => c.redirect('/dashboard', 302))
  .get(GUIDE_RETURN_PATHS.cancel, (c) => c.redirect('/#pricing', 302));
