import { Hono } from 'hono';
import type { AppEnv } from './env';
import { parseConfig } from './env';
import { ApiError, internalError, logCause, unknownUrl } from './errors';
import { requestId } from './middleware/request-id';
import { apiKeyAuth, keyAccess } from './middleware/api-key-auth';
import { admin } from './routes/admin';
import { balance, billingLogs } from './routes/billing';
import { chatCompletions } from './routes/chat-completions';
import { models } from './routes/models';
import { userKeys } from './routes/user-keys';
import { publicStatus } from './routes/status';
import { byok } from './routes/byok';
import { credits, rechargeList } from './routes/credits';
import { localCheckout } from './routes/local-checkout';
import { stripeWebhook } from './routes/stripe-webhook';
import { web } from './web/routes';

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', requestId());
  app.use('*', async function loadConfig(c, next) {
    c.set('config', parseConfig(c.env));
    await next();
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  // Public: mounted before the key check on /v1/*.
  app.route('/v1/status', publicStatus);
  app.route('/webhooks/stripe', stripeWebhook);
  app.route('/checkout/local', localCheckout);

  app.use('/v1/*', apiKeyAuth());
  // Chat learns whether the key may act from its authorize round trip, so it is mounted before keyAccess:
  // a route that answers does not run the middleware registered after it.
  app.route('/v1/chat/completions', chatCompletions);
  app.use('/v1/*', keyAccess());
  app.route('/v1/models', models);
  app.route('/v1/user/keys', userKeys);
  app.route('/v1/user/balance', balance);
  app.route('/v1/user/billing-logs', billingLogs);
  app.route('/v1/user/byok', byok);
  app.route('/v1/user/credits', credits);
  app.route('/v1/user/recharges', rechargeList);
  app.route('/admin/v1', admin);
  // The web pages: home, docs, sign-in, dashboard.
  app.route('/', web);

  app.notFound((c) => unknownUrl(`Unknown path: ${c.req.method} ${c.req.path}`).toResponse());

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      logCause(error, c.get('requestId') ?? '-');
      return error.toResponse();
    }
    // Internal detail stays in the log; the client gets the generic error.
    console.error(`[${c.get('requestId') ?? '-'}] unhandled error:`, error instanceof Error ? error.stack ?? error.message : error);
    return internalError().toResponse();
  });

  return app;
}
