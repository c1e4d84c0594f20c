// Test-only bindings set in vitest.config.ts, and the secrets the tests set.
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: D1Migration[];
    /** Base URL of the stand-in upstream, for tests that read what it received. */
    STANDIN_URL: string;
    ADMIN_TOKEN?: string;
    BYOK_ENCRYPTION_KEY?: string;
    STRIPE_WEBHOOK_SECRET?: string;
    /** The Stripe stand-in, for tests that read what it received. */
    STRIPE_URL: string;
    RESEND_API_BASE?: string;
  }
}
