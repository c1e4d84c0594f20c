/**
 * The deployed environments (wrangler.toml's [env.staging] and [env.production]), the names of their
 * Cloudflare resources, and the secrets each needs. Pure: the scripts and their tests share it.
 */
import { PROVIDER_IDS } from '../../src/base/provider-id.ts';

export const ENVIRONMENTS = ['staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export function isEnvironment(value: string): value is Environment {
  return (ENVIRONMENTS as readonly string[]).includes(value);
}

/** The names wrangler.toml gives this environment's resources (a test holds the two together). */
export function resourceNames(env: Environment) {
  return {
    worker: `find-token-${env}`,
    database: `find-token-${env}`,
    queue: `find-token-charges-${env}`,
    deadLetterQueue: `find-token-charges-dead-${env}`,
    billingLogQueue: `find-token-billing-logs-${env}`,
    billingLogDeadLetterQueue: `find-token-billing-logs-dead-${env}`,
    exportQueue: `find-token-exports-${env}`,
    archiveBucket: `find-token-archive-${env}`,
  };
}

/**
 * Secrets a deployed gateway cannot do without: the operator API, stored provider keys, recharges,
 * and email (without RESEND_API_KEY sign-in links would go to the dev outbox, not to people).
 */
export { REQUIRED_SECRETS } from '../../src/base/required-secrets.ts';

/** The platform's provider keys: a gateway without any of them has no model to serve. */
export const PROVIDER_KEY_SECRETS = PROVIDER_IDS.map((id) => `${id.toUpperCase()}_API_KEY`);
