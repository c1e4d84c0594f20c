/**
 * Starts the stand-in upstream (a real HTTP server speaking each provider's
 * dialect) and the Stripe stand-in for the workerd tests, and hands their
 * addresses to the worker's config.
 */
import type { TestProject } from 'vitest/node';
import { startStandin } from './support/standin/server.ts';
import { startStripeStandin } from './support/stripe/server.ts';
import { startResendStandin } from './support/resend/server.ts';

declare module 'vitest' {
  interface ProvidedContext {
    standinUrl: string;
    stripeUrl: string;
    resendUrl: string;
    /** FUZZ_SEED from the environment ('' for a new seed): replays a fuzz run. */
    fuzzSeed: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const standin = await startStandin();
  const stripe = await startStripeStandin();
  const resend = await startResendStandin();
  project.provide('resendUrl', resend.url);
  project.provide('standinUrl', standin.url);
  project.provide('stripeUrl', stripe.url);
  project.provide('fuzzSeed', process.env.FUZZ_SEED ?? '');
  return async () => {
    await Promise.all([standin.close(), stripe.close(), resend.close()]);
  };
}
