/** What production must have and what only development may do, as GET /admin/v1/health reports them. */
import { describe, expect, it } from 'vitest';
import { DEV_SECRETS, developmentOnlyRequested, missingConfiguration, usableSecret } from '../../../src/base/environment';
import { parseConfig, type Env } from '../../../src/env';
import devScript from '../../../scripts/dev.ts?raw';

const envOf = (vars: Record<string, string>) => ({ ...vars }) as unknown as Env;
const COMPLETE = {
  ENVIRONMENT: 'production',
  PUBLIC_URL: 'https://find-token.dev',
  ADMIN_TOKEN: 'a-long-random-token',
  BYOK_ENCRYPTION_KEY: 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=',
  STRIPE_SECRET_KEY: 'sk_live_x',
  STRIPE_WEBHOOK_SECRET: 'whsec_live_x',
  RESEND_API_KEY: 're_live_x',
};
const check = (vars: Record<string, string>) => {
  const env = envOf(vars);
  const config = parseConfig(env);
  return { missing: missingConfiguration(env, config), devOnly: developmentOnlyRequested(env, config) };
};

describe('the production configuration', () => {
  it('misses nothing when every required var and secret is set', () => {
    expect(check(COMPLETE)).toEqual({ missing: [], devOnly: [] });
  });

  it('names each absent one, and counts a public dev secret as absent', () => {
    const { PUBLIC_URL: _url, RESEND_API_KEY: _mail, ...rest } = COMPLETE;
    expect(check({ ...rest, BYOK_ENCRYPTION_KEY: DEV_SECRETS.BYOK_ENCRYPTION_KEY }).missing).toEqual(['PUBLIC_URL', 'BYOK_ENCRYPTION_KEY', 'RESEND_API_KEY']);
  });

  it('holds staging, reachable from outside too, to what production must have', () => {
    const { PUBLIC_URL: _url, ...rest } = COMPLETE;
    expect(check({ ...rest, ENVIRONMENT: 'staging' }).missing).toEqual(['PUBLIC_URL']);
    expect(usableSecret(envOf({ ENVIRONMENT: 'staging', ADMIN_TOKEN: DEV_SECRETS.ADMIN_TOKEN }), 'ADMIN_TOKEN')).toBeUndefined();
  });

  it('misses nothing in development, which has a fallback for each', () => {
    expect(check({}).missing).toEqual([]);
  });
});

describe('development-only paths', () => {
  it('lists the local checkout, the dev outbox and each dev secret a configuration asks for', () => {
    const vars = { LOCAL_CHECKOUT: 'true', ADMIN_TOKEN: DEV_SECRETS.ADMIN_TOKEN, BYOK_ENCRYPTION_KEY: DEV_SECRETS.BYOK_ENCRYPTION_KEY, STRIPE_WEBHOOK_SECRET: DEV_SECRETS.STRIPE_WEBHOOK_SECRET };
    const all = ['local_checkout', 'dev_outbox', 'dev_admin_token', 'dev_byok_encryption_key', 'dev_stripe_webhook_secret'];
    expect(check(vars).devOnly).toEqual(all);
    expect(check({ ...vars, ENVIRONMENT: 'production' }).devOnly).toEqual(all);
  });

  it('does not count the local checkout when Stripe is configured', () => {
    expect(check({ ...COMPLETE, LOCAL_CHECKOUT: 'true' }).devOnly).toEqual([]);
  });
});

describe('the public dev secrets', () => {
  it('are the values npm run dev sets', () => {
    for (const value of Object.values(DEV_SECRETS)) expect(devScript).toContain(`'${value}'`);
  });

  it('are usable in development and unset in production', () => {
    expect(usableSecret(envOf({ ADMIN_TOKEN: DEV_SECRETS.ADMIN_TOKEN }), 'ADMIN_TOKEN')).toBe(DEV_SECRETS.ADMIN_TOKEN);
    expect(usableSecret(envOf({ ADMIN_TOKEN: DEV_SECRETS.ADMIN_TOKEN, ENVIRONMENT: 'production' }), 'ADMIN_TOKEN')).toBeUndefined();
    expect(usableSecret(envOf({ ADMIN_TOKEN: ' other ', ENVIRONMENT: 'production' }), 'ADMIN_TOKEN')).toBe('other');
  });
});
