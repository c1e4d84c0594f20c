import type { Env as WorkerEnv } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: D1Migration[];
      /** Base URL of the stand-in upstream, for tests that read what it received. */
      STANDIN_URL: string;
    }
  }
}
