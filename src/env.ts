/**
 * The worker's bindings and the typed configuration parsed from its vars.
 * Vars arrive as strings; parseConfig turns them into numbers and URLs once per
 * env object, so a bad value fails loudly at the first request instead of deep
 * inside a handler.
 */
import { z } from 'zod';
import { parseRate, type Rate } from './base/cost';
import { usableSecret } from './base/environment';
import { PROVIDER_IDS, type ProviderId } from './base/provider-id';

/**
 * The worker's bindings and vars are generated from wrangler.toml into
 * worker-configuration.d.ts (`npm run types`); secrets are not in that file,
 * so they are declared here, optional: an unset secret must be handled.
 */
export interface Env extends Cloudflare.Env {
  ADMIN_TOKEN?: string;
  DEEPSEEK_API_KEY?: string;
  ZHIPU_API_KEY?: string;
  MINIMAX_API_KEY?: string;
  QWEN_API_KEY?: string;
  KIMI_API_KEY?: string;
  STEPFUN_API_KEY?: string;
  /** Overrides of the providers' public endpoints (the adapters hold the defaults). */
  DEEPSEEK_BASE_URL?: string;
  ZHIPU_BASE_URL?: string;
  MINIMAX_BASE_URL?: string;
  QWEN_BASE_URL?: string;
  KIMI_BASE_URL?: string;
  STEPFUN_BASE_URL?: string;
  /** Master key for provider keys at rest: base64 of 32 random bytes. */
  BYOK_ENCRYPTION_KEY?: string;
  /** Older master keys still able to decrypt until rotation: "1:base64,2:base64". */
  BYOK_PREVIOUS_ENCRYPTION_KEYS?: string;
  STRIPE_SECRET_KEY?: string;
  STRIPE_WEBHOOK_SECRET?: string;
  /** Another Stripe API host (tests, local development); default Stripe's. */
  STRIPE_API_BASE?: string;
  /** One Stripe call's timeout in ms (default 20000) and how often the SDK retries it with the same idempotency key (default 2). */
  STRIPE_TIMEOUT_MS?: string;
  STRIPE_MAX_NETWORK_RETRIES?: string;
  /** Sends email through Resend; without it, emails go to the dev outbox in D1. */
  RESEND_API_KEY?: string;
  /** Another Resend API host (tests); default Resend's. */
  RESEND_API_BASE?: string;
  /** The site's public address (https://find-token.dev): every emailed link and absolute URL we generate starts with it, never with the request's Host. */
  PUBLIC_URL?: string;
  /**
   * "production" or "staging" on a deployed gateway (both reachable from outside, so both get production's
   * guards); anything else (or unset) is development, where links may fall back to the request's origin.
   */
  ENVIRONMENT?: string;
}

export interface AuthenticatedKey {
  keyId: string;
  accountId: string;
  keyName: string;
  keyPrefix: string;
  /** The only models the key may use (chat plans within them); absent or null = every model. Fixed when the key was made. */
  models?: readonly string[] | null;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    auth: AuthenticatedKey;
  };
}

/** The environments a gateway is deployed as: each refuses every development-only path (base/environment.ts). */
export const DEPLOYED_ENVIRONMENTS = ['production', 'staging'] as const;
export const isDeployedEnvironment = (value: string | undefined): boolean => (DEPLOYED_ENVIRONMENTS as readonly string[]).includes(value?.trim() ?? '');

const positiveInt = (fallback: number) =>
  z.coerce.number().int().positive().default(fallback);

const ConfigSchema = z.object({
  adminToken: z.string().min(1).optional(),
  upstreamTimeoutMs: positiveInt(30_000),
  streamIdleTimeoutMs: positiveInt(120_000),
  streamKeepaliveMs: positiveInt(15_000),
  maxBodyBytes: positiveInt(4 * 1024 * 1024),
  standardFeeRate: z.string().default('0.055').transform((text, ctx) => rateOrIssue(text, ctx)),
  byokFeeRate: z.string().default('0.05').transform((text, ctx) => rateOrIssue(text, ctx)),
  byokFreeRequestsPerMonth: z.coerce.number().int().nonnegative().default(1_000_000),
  rateLimitPerMinute: positiveInt(600),
  checkoutSessionsPerHour: positiveInt(10),
  holdRenewMs: positiveInt(30_000),
  chargeTimeoutMs: positiveInt(3_000),
  outboxFlushDelayMs: positiveInt(1_000),
  billingLogRetentionDays: positiveInt(90),
  billingLogReadWindowMs: positiveInt(3_600_000),
  exportInlineMaxRows: positiveInt(100_000),
  exportJobRowsPerMessage: positiveInt(200_000),
  retryBaseMs: positiveInt(1_000),
  routingBudgetMs: positiveInt(120_000),
  circuitFailureThreshold: positiveInt(5),
  circuitWindowMs: positiveInt(60_000),
  circuitCooldownMs: positiveInt(30_000),
  healthRefreshMs: positiveInt(30_000),
  healthProbeTimeoutMs: positiveInt(10_000),
  minRechargeUsd: positiveInt(10),
  maxRechargeUsd: positiveInt(10_000),
  localCheckout: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  mailFrom: z.string().min(3).default('find-token <noreply@find-token.dev>'),
  supportEmail: z.email({ error: 'SUPPORT_EMAIL must be an email address' }).default('support@find-token.dev'),
  publicUrl: z
    .url({ protocol: /^https?$/, error: 'PUBLIC_URL must be an absolute http(s) URL' })
    .transform((url) => new URL(url).origin)
    .optional(),
  production: z.string().default('').transform(isDeployedEnvironment),
});

function rateOrIssue(text: string, ctx: z.RefinementCtx): Rate {
  try {
    return parseRate(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `not a decimal rate: ${text}` });
    return z.NEVER;
  }
}

export interface ProviderConfig {
  /**
   * `<ID>_BASE_URL` when set (tests, local development, another region), without a
   * trailing slash; the adapter's public endpoint applies otherwise
   * (providers/upstream-request.ts resolveBaseUrl).
   */
  baseUrlOverride: string | undefined;
  /** The platform's key for this provider (`<ID>_API_KEY`); absent = the provider is not configured. */
  apiKey: string | undefined;
}

export type Config = z.infer<typeof ConfigSchema> & {
  providers: Record<ProviderId, ProviderConfig>;
};

const cache = new WeakMap<object, Config>();

const emptyToUndefined = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

export function parseConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached) return cached;
  const base = ConfigSchema.parse({
    // Production treats the public dev token as unset: the operator API is then 404.
    adminToken: usableSecret(env, 'ADMIN_TOKEN'),
    upstreamTimeoutMs: emptyToUndefined(env.UPSTREAM_TIMEOUT_MS),
    streamIdleTimeoutMs: emptyToUndefined(env.STREAM_IDLE_TIMEOUT_MS),
    streamKeepaliveMs: emptyToUndefined(env.STREAM_KEEPALIVE_MS),
    maxBodyBytes: emptyToUndefined(env.MAX_BODY_BYTES),
    standardFeeRate: emptyToUndefined(env.STANDARD_FEE_RATE),
    byokFeeRate: emptyToUndefined(env.BYOK_FEE_RATE),
    byokFreeRequestsPerMonth: emptyToUndefined(env.BYOK_FREE_REQUESTS_PER_MONTH),
    rateLimitPerMinute: emptyToUndefined(env.RATE_LIMIT_PER_MINUTE),
    checkoutSessionsPerHour: emptyToUndefined(env.CHECKOUT_SESSIONS_PER_HOUR),
    holdRenewMs: emptyToUndefined(env.HOLD_RENEW_MS),
    chargeTimeoutMs: emptyToUndefined(env.CHARGE_TIMEOUT_MS),
    outboxFlushDelayMs: emptyToUndefined(env.OUTBOX_FLUSH_DELAY_MS),
    billingLogRetentionDays: emptyToUndefined(env.BILLING_LOG_RETENTION_DAYS),
    billingLogReadWindowMs: emptyToUndefined(env.BILLING_LOG_READ_WINDOW_MS),
    exportInlineMaxRows: emptyToUndefined(env.EXPORT_INLINE_MAX_ROWS),
    exportJobRowsPerMessage: emptyToUndefined(env.EXPORT_JOB_ROWS_PER_MESSAGE),
    retryBaseMs: emptyToUndefined(env.RETRY_BASE_MS),
    routingBudgetMs: emptyToUndefined(env.ROUTING_BUDGET_MS),
    circuitFailureThreshold: emptyToUndefined(env.CIRCUIT_FAILURE_THRESHOLD),
    circuitWindowMs: emptyToUndefined(env.CIRCUIT_WINDOW_MS),
    circuitCooldownMs: emptyToUndefined(env.CIRCUIT_COOLDOWN_MS),
    healthRefreshMs: emptyToUndefined(env.HEALTH_REFRESH_MS),
    healthProbeTimeoutMs: emptyToUndefined(env.HEALTH_PROBE_TIMEOUT_MS),
    minRechargeUsd: emptyToUndefined(env.MIN_RECHARGE_USD),
    maxRechargeUsd: emptyToUndefined(env.MAX_RECHARGE_USD),
    localCheckout: emptyToUndefined(env.LOCAL_CHECKOUT),
    mailFrom: emptyToUndefined(env.MAIL_FROM),
    supportEmail: emptyToUndefined(env.SUPPORT_EMAIL),
    publicUrl: emptyToUndefined(env.PUBLIC_URL),
    production: emptyToUndefined(env.ENVIRONMENT),
  });
  const vars = env as unknown as Record<string, string | undefined>;
  const providers = Object.fromEntries(
    PROVIDER_IDS.map((id) => {
      const prefix = id.toUpperCase();
      const override = emptyToUndefined(vars[`${prefix}_BASE_URL`]);
      const baseUrlOverride = override === undefined ? undefined : z.url().parse(override).replace(/\/+$/, '');
      return [id, { baseUrlOverride, apiKey: emptyToUndefined(vars[`${prefix}_API_KEY`]) }];
    }),
  ) as Record<ProviderId, ProviderConfig>;
  const config: Config = { ...base, providers };
  cache.set(env, config);
  return config;
}
