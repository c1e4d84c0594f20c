/**
 * Every route the worker serves, with what it needs to get past its first
 * checks: a real path (real ids), the credential it asks for, and a valid
 * example body or query (and its zod schema where it has one). A route the app
 * registers without an entry here fails the suite (see fuzz.test.ts).
 */
import type { z } from 'zod';
import { AccountPatchSchema, CreateAccountSchema, CreditAdjustmentSchema } from '../../../src/schemas/account-requests';
import { CreateKeySchema } from '../../../src/schemas/key-requests';
import { RegisterSchema } from '../../../src/schemas/byok-requests';
import { ChatRequestSchema } from '../../../src/schemas/chat-request';
import { CountTokensRequestSchema, MessagesRequestSchema } from '../../../src/schemas/messages-request';
import { RechargeRequestSchema, RefundRequestSchema } from '../../../src/schemas/credit-requests';
import { hello } from '../helpers';
import { sessionEvent } from '../payments/helpers';
import { LOCAL_CHECKOUT_ENV, RETURN_URLS, type Fixture } from './fixture';

/**
 * key, admin: a Bearer token; session: the session cookie and its CSRF token in the form;
 * anonymous: the double-submit CSRF cookie and the same token in the form; fresh-session: a session
 * of its own per case (signing out ends it); link: a fresh sign-in link token per case (`$TOKEN`),
 * with the anonymous CSRF pair; stripe: a Stripe-Signature over the exact bytes sent; none: public.
 */
export type Credential = 'key' | 'admin' | 'session' | 'fresh-session' | 'anonymous' | 'link' | 'stripe' | 'none';

export interface FuzzRoute {
  method: string;
  /** The path as Hono registered it. */
  pattern: string;
  credential: Credential;
  /** The path's parameters (`:name`) as real values. */
  params?: (fx: Fixture) => Record<string, string>;
  query?: (fx: Fixture) => Record<string, string>;
  body?: { kind: 'json' | 'form'; example: (fx: Fixture) => Record<string, unknown>; schema?: z.ZodType };
  /** Vars this route needs to be on at all (through an app built with them, not SELF). */
  env?: Record<string, string>;
}

/** Placeholder for a fresh sign-in link token, replaced per case. */
export const TOKEN = '$TOKEN';

const json = (example: (fx: Fixture) => Record<string, unknown>, schema?: z.ZodType) => ({ kind: 'json' as const, example, schema });
const form = (example: (fx: Fixture) => Record<string, unknown>, schema?: z.ZodType) => ({ kind: 'form' as const, example, schema });
/** A key with every rule, so mutations reach each of them. */
const scopedKey = () => ({ name: 'fuzz', scopes: ['inference'], limit: { amount: 5, period: 'month' }, models: ['deepseek-chat'], expires_at: '2099-01-01T00:00:00Z' });

export const ROUTES: FuzzRoute[] = [
  { method: 'GET', pattern: '/healthz', credential: 'none' },
  { method: 'GET', pattern: '/v1/status', credential: 'none' },
  { method: 'GET', pattern: '/openapi.json', credential: 'none' },
  {
    method: 'POST',
    pattern: '/v1/chat/completions',
    credential: 'key',
    body: json(() => ({ model: 'deepseek-chat', messages: hello, max_tokens: 16 }), ChatRequestSchema),
  },
  {
    method: 'POST',
    pattern: '/v1/messages',
    credential: 'key',
    body: json(() => ({ model: 'deepseek-chat', max_tokens: 16, messages: hello }), MessagesRequestSchema),
  },
  { method: 'POST', pattern: '/v1/messages/count_tokens', credential: 'key', body: json(() => ({ model: 'deepseek-chat', messages: hello }), CountTokensRequestSchema) },
  { method: 'GET', pattern: '/v1/models', credential: 'key' },
  { method: 'GET', pattern: '/v1/models/:id', credential: 'key', params: () => ({ id: 'deepseek-chat' }) },
  { method: 'GET', pattern: '/v1/user/keys', credential: 'key' },
  { method: 'POST', pattern: '/v1/user/keys', credential: 'key', body: json(scopedKey, CreateKeySchema) },
  { method: 'DELETE', pattern: '/v1/user/keys/:id', credential: 'key', params: (fx) => ({ id: fx.victimKeyId }) },
  { method: 'GET', pattern: '/v1/user/balance', credential: 'key' },
  {
    method: 'GET',
    pattern: '/v1/user/billing-logs',
    credential: 'key',
    query: () => ({ limit: '10', model: 'deepseek-chat', from: '0', to: new Date(Date.now() + 60_000).toISOString() }),
  },
  { method: 'GET', pattern: '/v1/user/billing-logs/:requestId', credential: 'key', params: (fx) => ({ requestId: fx.billingLogId }) },
  {
    method: 'GET',
    pattern: '/v1/user/billing-logs/export',
    credential: 'key',
    query: () => ({ from: '2026-01-01T00:00:00Z', to: new Date().toISOString(), format: 'ndjson' }),
  },
  { method: 'GET', pattern: '/v1/user/billing-logs/exports/:id', credential: 'key', params: (fx) => ({ id: fx.exportId }) },
  { method: 'GET', pattern: '/v1/user/billing-logs/exports/:id/download', credential: 'key', params: (fx) => ({ id: fx.exportId }) },
  {
    method: 'POST',
    pattern: '/v1/user/byok/register',
    credential: 'key',
    body: json(() => ({ provider: 'stepfun', api_key: 'sk-fuzz-provider-key', name: 'fuzz', fallback_to_credits: true }), RegisterSchema),
  },
  { method: 'GET', pattern: '/v1/user/byok/keys', credential: 'key' },
  { method: 'DELETE', pattern: '/v1/user/byok/keys/:id', credential: 'key', params: (fx) => ({ id: fx.providerKeyId }) },
  { method: 'POST', pattern: '/v1/user/credits', credential: 'key', body: json(() => ({ amount: 10, ...RETURN_URLS }), RechargeRequestSchema) },
  { method: 'GET', pattern: '/v1/user/recharges', credential: 'key', query: () => ({ limit: '5' }) },

  // The operator's routes act on a second account: a suspension or a debit there leaves the fuzz account alone.
  { method: 'POST', pattern: '/admin/v1/accounts', credential: 'admin', body: json(() => ({ email: 'fuzz-operator@example.com' }), CreateAccountSchema) },
  { method: 'GET', pattern: '/admin/v1/accounts/:id', credential: 'admin', params: (fx) => ({ id: fx.otherAccountId }) },
  {
    method: 'PATCH',
    pattern: '/admin/v1/accounts/:id',
    credential: 'admin',
    params: (fx) => ({ id: fx.otherAccountId }),
    body: json(() => ({ rate_limit_per_minute: 100 }), AccountPatchSchema),
  },
  {
    method: 'POST',
    pattern: '/admin/v1/accounts/:id/credits',
    credential: 'admin',
    params: (fx) => ({ id: fx.otherAccountId }),
    body: json(() => ({ amount: 1.5, reason: 'fuzz' }), CreditAdjustmentSchema),
  },
  { method: 'POST', pattern: '/admin/v1/accounts/:id/keys', credential: 'admin', params: (fx) => ({ id: fx.otherAccountId }), body: json(scopedKey, CreateKeySchema) },
  { method: 'GET', pattern: '/admin/v1/providers', credential: 'admin' },
  { method: 'GET', pattern: '/admin/v1/health', credential: 'admin' },
  { method: 'POST', pattern: '/admin/v1/recharges/:id/refund', credential: 'admin', params: (fx) => ({ id: fx.otherRechargeId }), body: json(() => ({ amount: 1 }), RefundRequestSchema) },
  { method: 'GET', pattern: '/admin/v1/outbox', credential: 'admin' },
  { method: 'POST', pattern: '/admin/v1/byok/rotate', credential: 'admin', query: () => ({ cursor: '' }) },

  {
    method: 'POST',
    pattern: '/webhooks/stripe',
    credential: 'stripe',
    // The second account's paid recharge: a dispute event suspends its account, not the fuzz account.
    body: json((fx) => sessionEvent('checkout.session.completed', { id: fx.otherRechargeId, sessionId: fx.otherSessionId }, fx.otherAccountId, 4_000)),
  },
  { method: 'GET', pattern: '/checkout/local/:id', credential: 'none', params: (fx) => ({ id: fx.localRechargeId }), env: LOCAL_CHECKOUT_ENV },
  { method: 'POST', pattern: '/checkout/local/:id/pay', credential: 'none', params: (fx) => ({ id: fx.localRechargeId }), env: LOCAL_CHECKOUT_ENV },
  { method: 'POST', pattern: '/checkout/local/:id/cancel', credential: 'none', params: (fx) => ({ id: fx.localRechargeId }), env: LOCAL_CHECKOUT_ENV },

  // The web: pages, and forms with their CSRF tokens.
  { method: 'GET', pattern: '/', credential: 'none', query: () => ({ model: 'qwen-max', in: '1000', out: '500', rpd: '100' }) },
  { method: 'GET', pattern: '/docs', credential: 'session' },
  { method: 'GET', pattern: '/my/dashboard', credential: 'none', query: () => ({ next: 'https://evil.example' }) },
  { method: 'GET', pattern: '/my/pricing', credential: 'none' },
  { method: 'GET', pattern: '/static/app.css', credential: 'none' },
  { method: 'GET', pattern: '/static/app.js', credential: 'none' },
  { method: 'POST', pattern: '/auth/signup', credential: 'anonymous', body: form(() => ({ email: 'fuzz-signup@example.com' }), CreateAccountSchema) },
  { method: 'GET', pattern: '/auth/activate', credential: 'link', query: () => ({ token: TOKEN }) },
  { method: 'POST', pattern: '/auth/activate', credential: 'link', body: form(() => ({ token: TOKEN, confirm: 'yes' })) },
  { method: 'POST', pattern: '/auth/signout', credential: 'fresh-session', body: form(() => ({})) },
  { method: 'GET', pattern: '/dashboard', credential: 'session', query: () => ({ model: 'deepseek-chat', message: 'key-revoked' }) },
  { method: 'POST', pattern: '/dashboard/recharge', credential: 'session', body: form(() => ({ amount: '10' })) },
  { method: 'POST', pattern: '/dashboard/export', credential: 'session', body: form(() => ({ from: '2026-01-01', to: '2026-01-31', format: 'csv' })) },
  { method: 'GET', pattern: '/dashboard/exports/:id', credential: 'session', params: (fx) => ({ id: fx.exportId }) },
  { method: 'GET', pattern: '/dashboard/exports/:id/download', credential: 'session', params: (fx) => ({ id: fx.exportId }) },
  {
    method: 'POST',
    pattern: '/dashboard/keys',
    credential: 'session',
    body: form(() => ({ name: 'fuzz', scope_inference: 'on', limit_amount: '5', limit_period: 'month', models: 'deepseek-chat', expires_at: '2099-01-01' })),
  },
  { method: 'POST', pattern: '/dashboard/keys/:id/revoke', credential: 'session', params: (fx) => ({ id: fx.victimKeyId }), body: form(() => ({})) },
  {
    method: 'POST',
    pattern: '/dashboard/byok',
    credential: 'session',
    body: form(() => ({ provider: 'stepfun', api_key: 'sk-fuzz-provider-key', name: 'fuzz', fallback_to_credits: 'on' }), RegisterSchema),
  },
  { method: 'POST', pattern: '/dashboard/byok/:id/delete', credential: 'session', params: (fx) => ({ id: fx.providerKeyId }), body: form(() => ({})) },
];

/** Where errors must come in OpenAI's shape (the web answers pages; the Messages API, Anthropic's shape). */
export const speaksOpenAiErrors = (path: string): boolean => /^\/(v1|admin\/v1|webhooks)(\/|$)/.test(path) && !speaksAnthropicErrors(path);

/** Where errors must come in Anthropic's shape. */
export const speaksAnthropicErrors = (path: string): boolean => /^\/v1\/messages(\/|$)/.test(path);
