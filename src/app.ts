import { Hono } from 'hono';
import type { AppEnv } from './env';
import { parseConfig } from './env';
import { ApiError, internalError, logCause, messageOf, unknownUrl } from './errors';
import { logError } from './base/log';
import { requestId } from './middleware/request-id';
import { requestLog } from './middleware/request-log';
import { apiCors } from './middleware/api-cors';
import { apiKeyAuth, keyAccess } from './middleware/api-key-auth';
import { FORM_BODY_BYTES, JSON_BODY_BYTES, limitFormBody, limitJsonBody, WEBHOOK_BODY_BYTES } from './middleware/body-limit';
import { admin } from './routes/admin';
import { balance, billingLogs } from './routes/billing';
import { chatCompletions } from './routes/chat-completions';
import { messages } from './routes/messages';
import { anthropicErrorResponse, isMessagesPath } from './anthropic/errors';
import { models } from './routes/models';
import { userKeys } from './routes/user-keys';
import { publicStatus } from './routes/status';
import { openApi } from './routes/openapi';
import { byok } from './routes/byok';
import { credits, rechargeList } from './routes/credits';
import { localCheckout } from './routes/local-checkout';
import { stripeWebhook } from './routes/stripe-webhook';
import { web } from './web/routes';

/** Where every answer is JSON, errors in OpenAI's shape. */
const API_PATHS = /^\/(v1|admin\/v1|webhooks)(\/|$)/;

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', requestId());
  // Right after the id: its line is written after every other layer has answered, errors included.
  app.use('*', requestLog());
  app.use('*', async function loadConfig(c, next) {
    c.set('config', parseConfig(c.env));
    await next();
  });

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.route('/openapi.json', openApi);

  // CORS first on every /v1 path (any route, present or future): a preflight carries no key, so it is
  // answered here, before the key check; every answer below it, errors included, is CORS-readable.
  app.use('/v1/*', apiCors());
  // Public: mounted before the key check on /v1/*.
  app.route('/v1/status', publicStatus);
  // Every body is bounded before it is read (middleware/body-limit.ts); each bound sits just before its routes.
  app.use('/webhooks/stripe/*', limitJsonBody(WEBHOOK_BODY_BYTES));
  app.route('/webhooks/stripe', stripeWebhook);
  app.use('/checkout/local/*', limitFormBody(FORM_BODY_BYTES));
  app.route('/checkout/local', localCheckout);

  app.use('/v1/*', apiKeyAuth());
  // Chat learns whether the key may act from its authorize round trip, so it is mounted before keyAccess:
  // a route that answers does not run the middleware registered after it.
  // The chat body is bounded and read only once the key is known: an unknown caller never gets to send it.
  app.use('/v1/chat/completions/*', limitJsonBody((c) => c.get('config').maxBodyBytes));
  app.route('/v1/chat/completions', chatCompletions);
  // Anthropic's Messages API: chat's flow, chat's bound; its errors in Anthropic's shape (renderError below).
  app.use('/v1/messages/*', limitJsonBody((c) => c.get('config').maxBodyBytes, anthropicErrorResponse));
  app.route('/v1/messages', messages);
  app.use('/v1/*', keyAccess());
  app.use('/v1/*', limitJsonBody(JSON_BODY_BYTES));
  app.route('/v1/models', models);
  app.route('/v1/user/keys', userKeys);
  app.route('/v1/user/balance', balance);
  app.route('/v1/user/billing-logs', billingLogs);
  app.route('/v1/user/byok', byok);
  app.route('/v1/user/credits', credits);
  app.route('/v1/user/recharges', rechargeList);
  app.use('/admin/v1/*', limitJsonBody(JSON_BODY_BYTES));
  app.route('/admin/v1', admin);
  // The web pages: home, docs, sign-in, dashboard. The API's paths were bounded above, in JSON: a request
  // there that no route took (another method) goes on to the JSON 404, never to the web's HTML 413.
  const webBodyLimit = limitFormBody(FORM_BODY_BYTES);
  app.use('*', (c, next) => (API_PATHS.test(c.req.path) ? next() : webBodyLimit(c, next)));
  app.route('/', web);

  /** /v1/messages* answers errors in Anthropic's shape; everything else in OpenAI's. */
  const renderError = (error: ApiError, path: string): Response => (isMessagesPath(path) ? anthropicErrorResponse(error) : error.toResponse());

  app.notFound((c) => renderError(unknownUrl(`Unknown path: ${c.req.method} ${c.req.path}`), c.req.path));

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      logCause(error, c.get('requestId') ?? '-');
      return renderError(error, c.req.path);
    }
    // Internal detail stays in the log; the client gets the generic error.
    logError('error.unhandled', { requestId: c.get('requestId'), message: messageOf(error), cause: error instanceof Error ? error.stack : undefined });
    return renderError(internalError(), c.req.path);
  });

  return app;
}
