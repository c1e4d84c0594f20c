// Each test starts with no memory of provider failures, as a fresh isolate would, and no recorded
// health check: the integration files share one D1, and a check one file records as down would
// otherwise open that provider's circuit in the next.
import { env } from 'cloudflare:test';
import { beforeEach } from 'vitest';
import { providerHealth } from '../src/routing/health';

beforeEach(async () => {
  providerHealth.reset();
  await env.DB.exec('DELETE FROM provider_health');
});
