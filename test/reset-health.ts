// Each test starts with no memory of provider failures, as a fresh isolate would.
import { beforeEach } from 'vitest';
import { providerHealth } from '../src/routing/health';

beforeEach(() => {
  providerHealth.reset();
});
