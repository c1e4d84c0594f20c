/**
 * The fuzz suite: every route of the worker, each with mutations of its valid
 * request (bodies, queries, path ids, headers, methods) and, in most cases, the
 * credential it asks for, so the cases reach the parsers. No case may get a 5xx,
 * and every API error must be OpenAI's error object (Anthropic's on /v1/messages*), exactly. The seed is
 * printed; FUZZ_SEED=<seed> replays the run (add -t '<route>' for one route).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createApp } from '../../../src/app';
import { carriesCredential, caseOf, send } from './cases';
import { setUpFixture, type Fixture } from './fixture';
import { ROUTES, speaksAnthropicErrors, speaksOpenAiErrors } from './routes';

declare module 'vitest' {
  interface ProvidedContext {
    /** FUZZ_SEED from the environment, given by the global setup ('' for a new seed). */
    fuzzSeed: string;
  }
}

const MIN_CASES = 1_000;
const MIN_PER_ROUTE = 50;
const MIN_CREDENTIALED = 0.8;
const RUNS_PER_ROUTE = Math.max(MIN_PER_ROUTE, Math.ceil(MIN_CASES / ROUTES.length));

const seed = inject('fuzzSeed') ? Number(inject('fuzzSeed')) : Math.floor(Math.random() * 2 ** 31);

/** OpenAI's error object and nothing else: four keys, with these types. */
function expectOpenAiError(text: string, what: string): void {
  let body: unknown;
  expect(() => (body = JSON.parse(text)), `${what}: not JSON: ${text.slice(0, 200)}`).not.toThrow();
  expect(Object.keys(body as object), what).toEqual(['error']);
  const { error } = body as { error: Record<string, unknown> };
  expect(Object.keys(error).sort(), what).toEqual(['code', 'message', 'param', 'type']);
  expect(typeof error.message, what).toBe('string');
  expect(typeof error.type, what).toBe('string');
  expect(error.param === null || typeof error.param === 'string', what).toBe(true);
  expect(error.code === null || typeof error.code === 'string', what).toBe(true);
}

/** Anthropic's error object and nothing else: `{"type":"error","error":{"type","message"}}`. */
function expectAnthropicError(text: string, what: string): void {
  let body: unknown;
  expect(() => (body = JSON.parse(text)), `${what}: not JSON: ${text.slice(0, 200)}`).not.toThrow();
  expect(Object.keys(body as object).sort(), what).toEqual(['error', 'type']);
  expect((body as { type: unknown }).type, what).toBe('error');
  const { error } = body as { error: Record<string, unknown> };
  expect(Object.keys(error).sort(), what).toEqual(['message', 'type']);
  expect(typeof error.message, what).toBe('string');
  expect(typeof error.type, what).toBe('string');
}

const counts = new Map<string, { cases: number; credentialed: number }>();

describe('fuzz: no input gets a 5xx, and API errors are in OpenAI’s shape', () => {
  let fx: Fixture;
  beforeAll(async () => {
    console.log(`[fuzz] seed ${seed}: replay with FUZZ_SEED=${seed} npx vitest run --project workers test/integration/fuzz`);
    fx = await setUpFixture();
  }, 30_000);

  it('has a fuzz route for every route the app registers', () => {
    const registered = createApp()
      .routes.filter((route) => route.method !== 'ALL')
      .map((route) => `${route.method} ${route.path}`);
    const fuzzed = ROUTES.map((route) => `${route.method} ${route.pattern}`);
    expect(new Set(fuzzed).size, 'a route listed twice').toBe(fuzzed.length);
    expect([...new Set(registered)].sort()).toEqual([...fuzzed].sort());
  });

  for (const route of ROUTES) {
    const name = `${route.method} ${route.pattern}`;
    it(name, async () => {
      const tally = { cases: 0, credentialed: 0 };
      counts.set(name, tally);
      await fc.assert(
        fc.asyncProperty(caseOf(route, fx), async (test) => {
          tally.cases += 1;
          if (carriesCredential(test)) tally.credentialed += 1;
          const { response, text } = await send(route, fx, test);
          const what = `${test.method} ${test.path}?${test.query.slice(0, 200)} → ${response.status} ${text.slice(0, 300)}`;
          expect(response.status, what).toBeLessThan(500);
          if (response.status >= 400 && speaksOpenAiErrors(test.path)) expectOpenAiError(text, what);
          if (response.status >= 400 && speaksAnthropicErrors(test.path)) expectAnthropicError(text, what);
        }),
        { seed, numRuns: RUNS_PER_ROUTE },
      );
    }, 60_000);
  }

  it(`ran at least ${MIN_CASES} cases, ${MIN_PER_ROUTE} per route, ${MIN_CREDENTIALED * 100}% with valid credentials`, () => {
    // Only when every route ran (a -t filter runs one).
    if (counts.size < ROUTES.length) return;
    const all = [...counts.values()];
    const total = all.reduce((sum, tally) => sum + tally.cases, 0);
    const credentialed = all.reduce((sum, tally) => sum + tally.credentialed, 0);
    console.log(`[fuzz] ${total} cases over ${counts.size} routes, ${((credentialed / total) * 100).toFixed(1)}% with valid credentials`);
    expect(total).toBeGreaterThanOrEqual(MIN_CASES);
    for (const [name, tally] of counts) {
      expect(tally.cases, name).toBeGreaterThanOrEqual(MIN_PER_ROUTE);
      expect(tally.credentialed / tally.cases, name).toBeGreaterThanOrEqual(MIN_CREDENTIALED - 0.1);
    }
    expect(credentialed / total).toBeGreaterThanOrEqual(MIN_CREDENTIALED);
  });
});
