import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { standinProviderVars } from './test/support/standin/provider-vars.ts';

/** Worker vars for tests: every provider on the stand-in, short timeouts so failures are fast. */
function testBindings(standinUrl: string, stripeUrl: string, resendUrl: string): Record<string, string> {
  return {
    ADMIN_TOKEN: 'test-admin-token',
    // Links and generated URLs start here, whatever Host a test request carries (BASE is http://gateway.test).
    PUBLIC_URL: 'https://find-token.test',
    // The BYOK master key for tests (32 bytes of 0x07, base64).
    BYOK_ENCRYPTION_KEY: 'BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=',
    STANDIN_URL: standinUrl,
    UPSTREAM_TIMEOUT_MS: '1500',
    STREAM_IDLE_TIMEOUT_MS: '1000',
    STREAM_KEEPALIVE_MS: '250',
    MAX_BODY_BYTES: '65536',
    // Retries 10, 20, 40 ms apart; circuits half-open after 300 ms; at most 4 s before the first byte.
    RETRY_BASE_MS: '10',
    CIRCUIT_COOLDOWN_MS: '300',
    ROUTING_BUDGET_MS: '4000',
    // A charge the account object has not recorded in 300 ms goes to the CHARGES queue.
    CHARGE_TIMEOUT_MS: '300',
    // Billing logs stay in the account object until a test drains them (or ten minutes pass).
    OUTBOX_FLUSH_DELAY_MS: '600000',
    // Stripe through the official SDK, pointed at the Stripe stand-in.
    STRIPE_SECRET_KEY: 'sk_test_find_token',
    STRIPE_WEBHOOK_SECRET: 'whsec_test_find_token',
    STRIPE_API_BASE: stripeUrl,
    STRIPE_URL: stripeUrl,
    // Email goes to the dev outbox unless a test sets RESEND_API_KEY; RESEND_API_BASE is the Resend stand-in.
    RESEND_API_BASE: resendUrl,
    ...standinProviderVars(standinUrl, (provider) => `platform-key-${provider}`),
  };
}

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    test: {
      // `npm run coverage` (not part of npm test): istanbul, as V8 coverage does not run inside workerd.
      coverage: { provider: 'istanbul' as const, include: ['src/**'], reporter: ['text-summary', 'json-summary', 'html'], reportsDirectory: 'coverage' },
      // The worker logs a JSON line per request and job (src/base/log.ts): the info ones would bury a run's
      // output; warnings and errors still print. test/integration/logs/ reads them all.
      onConsoleLog: (log: string) => !log.startsWith('{"level":"info",'),
      projects: [
        {
          plugins: [
            cloudflareTest(({ inject }) => ({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: { ...testBindings(inject<string>('standinUrl'), inject<string>('stripeUrl'), inject<string>('resendUrl')), TEST_MIGRATIONS: migrations },
                // wrangler.toml's billing-log consumer, delivering 50 ms after a send instead of 1 s, so a
                // test's drain (helpers.ts drainOutbox) waits that long. Replaces the whole entry: all of it here.
                queueConsumers: {
                  'find-token-billing-logs': { maxBatchSize: 100, maxBatchTimeout: 0.05, maxRetries: 100, deadLetterQueue: 'find-token-billing-logs-dead' },
                  'find-token-billing-logs-dead': { maxBatchSize: 100, maxBatchTimeout: 0.05 },
                },
              },
            })),
          ],
          test: {
            name: 'workers',
            include: ['test/integration/**/*.test.ts'],
            // One runtime for all files instead of one start-up (~1.3 s) per file: every test makes its own
            // accounts and tags, and reset-health clears the one piece of shared memory before each test.
            isolate: false,
            globalSetup: ['./test/global-setup.ts'],
            setupFiles: ['./test/apply-migrations.ts', './test/reset-health.ts'],
          },
        },
        {
          // Plain Node, no runtime start-up: pure code, injected clocks, and the source tree itself.
          test: {
            name: 'unit',
            include: ['test/unit/**/*.test.ts'],
            // Pure code keeps no state between files: one worker evaluates the shared modules once.
            isolate: false,
            environment: 'node',
          },
        },
        {
          test: {
            name: 'e2e',
            include: ['test/e2e/**/*.test.ts'],
            environment: 'node',
            // One dev server for both files, launched at the start of the run: it boots while the other
            // projects test, and this project runs after them.
            globalSetup: ['./test/e2e/global-setup.ts'],
            sequence: { groupOrder: 1 },
            // The browser and the SDK share that server: one file at a time on a small machine.
            fileParallelism: false,
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
      ],
    },
  };
});
