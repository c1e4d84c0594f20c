/**
 * CORS for the public API (/v1/*): a browser app on any origin may call it with a key, as the OpenAI and
 * Anthropic SDKs do from a browser. Preflights are answered before the key check (they carry no key), and
 * every answer, errors included, carries Access-Control-Allow-Origin. No credentials: the API is keyed by
 * a header, never by cookies, so `*` is safe.
 */
import { cors } from 'hono/cors';
import { HEADERS, type HeaderName } from '../openapi/components';

/** What the OpenAI and Anthropic SDKs send (their x-stainless-* telemetry included), and find-token's own. */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'X-FindToken-Mode',
  'Idempotency-Key',
  // OpenAI's SDK.
  'OpenAI-Organization',
  'OpenAI-Project',
  'OpenAI-Beta',
  // Anthropic's SDK.
  'x-api-key',
  'anthropic-version',
  'anthropic-beta',
  'anthropic-dangerous-direct-browser-access',
  // Both SDKs (Stainless-generated).
  'x-stainless-arch',
  'x-stainless-lang',
  'x-stainless-os',
  'x-stainless-package-version',
  'x-stainless-runtime',
  'x-stainless-runtime-version',
  'x-stainless-retry-count',
  'x-stainless-timeout',
  'x-stainless-helper',
  'x-stainless-helper-method',
  'x-stainless-poll-helper',
  'x-stainless-custom-poll-interval',
] as const;

/** Every response header the API sets that a browser script may want to read: the ones the OpenAPI document describes. */
export const CORS_EXPOSED_HEADERS = Object.keys(HEADERS) as HeaderName[];

/** A day: browsers cap it lower (Chrome at 2 hours), which is fine. */
const PREFLIGHT_MAX_AGE_SECONDS = 86_400;

export const apiCors = () =>
  cors({
    origin: '*',
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: [...CORS_ALLOWED_HEADERS],
    exposeHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
    credentials: false,
  });
