import type { Env } from '../src/env';

declare module 'cloudflare:test' {
  interface ProvidedEnv extends Env {
    TEST_MIGRATIONS: D1Migration[];
    /** Base URL of the stand-in upstream, for tests that read what it received. */
    STANDIN_URL: string;
  }
}
