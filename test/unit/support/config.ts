/**
 * The worker's config for tests of pure code: parsed by the worker's own
 * parseConfig from the vars a test gives, so every value not set is the code's
 * default rather than a copy of it.
 */
import { parseConfig, type Config, type Env } from '../../../src/env';

export function testConfig(vars: Record<string, string> = {}): Config {
  return parseConfig(vars as unknown as Env);
}
