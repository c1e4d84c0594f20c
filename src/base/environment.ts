/**
 * What only development may do, and what production must have: the one place
 * that decides both, so the guards and GET /admin/v1/health agree. A deployed
 * gateway (ENVIRONMENT=production or staging) refuses every development-only path even when
 * its vars ask for it: a misconfigured deploy fails closed, never open.
 */
import { isDeployedEnvironment, type Config, type Env } from '../env';
import { REQUIRED_SECRETS } from './required-secrets';

/**
 * The well-known values `npm run dev` sets when .dev.vars has none. They are in
 * the repository, so anyone could use them: production treats them as unset.
 */
export const DEV_SECRETS = {
  ADMIN_TOKEN: 'dev-admin-token',
  BYOK_ENCRYPTION_KEY: 'ZGV2LW9ubHktYnlvay1tYXN0ZXIta2V5LTMyLWJ5dGU=',
  STRIPE_WEBHOOK_SECRET: 'whsec_dev_local_checkout',
} as const;

export type DevSecretName = keyof typeof DEV_SECRETS;

/** What production must have; PUBLIC_URL is a var, the rest are secrets. */
export const REQUIRED_IN_PRODUCTION = ['PUBLIC_URL', ...REQUIRED_SECRETS] as const;

/** A development-only path, named as GET /admin/v1/health reports it. */
export type DevelopmentOnly = 'local_checkout' | 'dev_outbox' | `dev_${Lowercase<DevSecretName>}`;

export const isProduction = (config: Pick<Config, 'production'>): boolean => config.production;

/** Only ENVIRONMENT is read, so it also serves where the parsed config is not at hand yet. */
const productionEnv = (env: Pick<Env, 'ENVIRONMENT'>): boolean => isDeployedEnvironment(env.ENVIRONMENT);

const trimmed = (value: string | undefined): string | undefined => (value?.trim() ? value.trim() : undefined);

const isDevValue = (env: Env, name: DevSecretName): boolean => trimmed(env[name]) === DEV_SECRETS[name];

/** A secret's value, or undefined when unset — or when production holds the public dev value. */
export function usableSecret(env: Env, name: DevSecretName): string | undefined {
  if (productionEnv(env) && isDevValue(env, name)) return undefined;
  return trimmed(env[name]);
}

/** The local checkout page (pay without Stripe): asked for, Stripe off, and never in production. */
export const localCheckoutEnabled = (env: Env, config: Config): boolean => config.localCheckout && !trimmed(env.STRIPE_SECRET_KEY) && !isProduction(config);

/** Email goes to the dev outbox (D1, the console) only in development without a sender. */
export const devOutboxEnabled = (env: Env): boolean => !trimmed(env.RESEND_API_KEY) && !productionEnv(env);

/** Whether email can be sent at all: a real sender, or development's outbox. */
export const mailAvailable = (env: Env): boolean => trimmed(env.RESEND_API_KEY) !== undefined || !productionEnv(env);

/** The required names this environment lacks (production only; development has fallbacks for each). Names, never values. */
export function missingConfiguration(env: Env, config: Config): string[] {
  if (!isProduction(config)) return [];
  return REQUIRED_IN_PRODUCTION.filter((name) => {
    if (name === 'PUBLIC_URL') return config.publicUrl === undefined;
    if (name in DEV_SECRETS) return usableSecret(env, name as DevSecretName) === undefined;
    return trimmed(env[name]) === undefined;
  });
}

/**
 * The development-only paths this configuration asks for: in development, what
 * is on; in production, what the vars ask for and the guards refuse.
 */
export function developmentOnlyRequested(env: Env, config: Config): DevelopmentOnly[] {
  const requested: DevelopmentOnly[] = [];
  if (config.localCheckout && !trimmed(env.STRIPE_SECRET_KEY)) requested.push('local_checkout');
  if (!trimmed(env.RESEND_API_KEY)) requested.push('dev_outbox');
  for (const name of Object.keys(DEV_SECRETS) as DevSecretName[]) {
    if (isDevValue(env, name)) requested.push(`dev_${name.toLowerCase() as Lowercase<DevSecretName>}`);
  }
  return requested;
}
