/**
 * Tries a route's candidates in order until one serves the request: a
 * transient failure is retried (RETRY_BASE_MS × 1, 2, 4, or the provider's
 * shorter Retry-After; a timeout only once, as it already cost a whole
 * timeout), then the provider is declared unavailable for this request and the
 * next candidate is tried. Every attempt feeds the provider's
 * circuit. All of it happens before the first byte reaches the client (a
 * stream's attempt has not started while it is still failing), inside one time
 * budget.
 */
import type { Config } from '../env';
import { allProvidersUnavailable, type ApiError } from '../errors';
import type { UpstreamFailure, UpstreamFailureKind } from '../base/upstream';
import type { CatalogModel } from '../base/catalog';
import { failureToError } from './failure-to-error';
import type { ProviderHealth } from './health';

export const MAX_RETRIES = 3;
/** A timeout has already cost a whole timeout: it is retried once, then the next candidate is tried. */
export const MAX_RETRIES_AFTER_TIMEOUT = 1;

/** What the router does after a failed attempt. */
export type FailureAction =
  /** The client's own fault or a content filter: the same on every provider, so answer it now. */
  | 'answer'
  /** Another model may take it (a smaller context window); not the provider's health. */
  | 'next'
  /** The platform's account with the provider is refused: no retry, the circuit opens, try the next. */
  | 'next_and_open'
  /** Transient: retry with backoff, then try the next. */
  | 'retry';

const ACTIONS: Record<UpstreamFailureKind, FailureAction> = {
  bad_request: 'answer',
  content_filter: 'answer',
  context_length: 'next',
  auth: 'next_and_open',
  balance: 'next_and_open',
  not_found: 'next_and_open',
  rate_limit: 'retry',
  overloaded: 'retry',
  server: 'retry',
  timeout: 'retry',
  connection: 'retry',
  stream_cut: 'retry',
  invalid_response: 'retry',
};

export const actionFor = (kind: UpstreamFailureKind): FailureAction => ACTIONS[kind];

/** Backoff before retry number `retry` (0-based): base × 2^retry, or the provider's Retry-After when shorter. */
export function backoffMs(retry: number, baseMs: number, retryAfterMs: number | undefined): number {
  const backoff = baseMs * 2 ** retry;
  return retryAfterMs !== undefined && retryAfterMs < backoff ? retryAfterMs : backoff;
}

/** One upstream attempt's result: whatever served the request (`T`), or why it failed. */
export type AttemptResult<T extends { ok: true }> = T | { ok: false; failure: UpstreamFailure };

export type DispatchResult<T extends { ok: true }> =
  | { ok: true; model: CatalogModel; result: T; attempts: number }
  /** `model`: the one whose answer this error is (a fault in the request), when one model's. */
  | { ok: false; error: ApiError; attempts: number; model?: CatalogModel };

export interface DispatchInput<T extends { ok: true }> {
  plan: CatalogModel[];
  config: Config;
  health: ProviderHealth;
  /** One upstream call to `model`, allowed at most `budgetMs`. */
  attempt: (model: CatalogModel, budgetMs: number) => Promise<AttemptResult<T>>;
  /** A failure that is the caller's own key's (BYOK): answered with this error, never failed over. */
  keyRefused?: (failure: UpstreamFailure) => ApiError | undefined;
  /** Before a candidate is first tried (e.g. its worst case must be held); false skips it. */
  admit?: (model: CatalogModel) => Promise<boolean>;
  /** The client's connection: once it is gone, nothing more is tried. */
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** When retries and failover must end (absent: ROUTING_BUDGET_MS from now); a second pass of one request shares the first's. */
  deadline?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function dispatch<T extends { ok: true }>(input: DispatchInput<T>): Promise<DispatchResult<T>> {
  const { config, health } = input;
  const now = input.now ?? Date.now;
  const sleep = input.sleep ?? defaultSleep;
  const deadline = input.deadline ?? now() + config.routingBudgetMs;
  const outcomes: Array<{ model: CatalogModel; failure?: UpstreamFailure; note?: string }> = [];
  let attempts = 0;
  let lastFailure: UpstreamFailure | undefined;

  candidates: for (const model of input.plan) {
    if (input.admit && !(await input.admit(model))) {
      outcomes.push({ model, note: 'its worst case does not fit in the balance' });
      continue;
    }
    const circuit = health.circuit(model.provider);
    for (let retry = 0; ; retry++) {
      const budgetMs = deadline - now();
      if (budgetMs <= 0 || input.signal?.aborted) break candidates;
      attempts += 1;
      const startedAt = now();
      const result = await input.attempt(model, budgetMs);
      if (result.ok) {
        circuit.recordSuccess(now(), now() - startedAt);
        return { ok: true, model, result, attempts };
      }
      const failure = result.failure;
      lastFailure = failure;
      const refused = input.keyRefused?.(failure);
      if (refused) return { ok: false, error: refused, attempts, model };
      const action = actionFor(failure.kind);
      if (action === 'answer') return { ok: false, error: failureToError(failure), attempts, model };
      if (action === 'next_and_open') circuit.open(now());
      if (action === 'retry') circuit.recordFailure(now(), config);
      const wait = backoffMs(retry, config.retryBaseMs, failure.retryAfterMs);
      // Declared unavailable for this request: out of retries, refused outright, its circuit just opened, or out of time.
      const retries = failure.kind === 'timeout' ? MAX_RETRIES_AFTER_TIMEOUT : MAX_RETRIES;
      const giveUp = action !== 'retry' || retry >= retries || circuit.state(now(), config) === 'open' || now() + wait >= deadline;
      if (giveUp) {
        outcomes.push({ model, failure });
        continue candidates;
      }
      await sleep(wait);
    }
  }

  // Every candidate refused the prompt as too long: that is the client's to fix.
  if (lastFailure && outcomes.length > 0 && outcomes.every((o) => o.failure?.kind === 'context_length')) {
    return { ok: false, error: failureToError(lastFailure), attempts };
  }
  return { ok: false, error: allUnavailable(input, outcomes, now()), attempts };
}

function allUnavailable<T extends { ok: true }>(input: DispatchInput<T>, outcomes: Array<{ model: CatalogModel; failure?: UpstreamFailure; note?: string }>, now: number): ApiError {
  const { config, health } = input;
  // The soonest an open circuit lets a request through, else the provider's own Retry-After, else a second.
  const reopen = input.plan.map((model) => health.circuit(model.provider).retryInMs(now, config)).filter((ms) => ms > 0);
  const providerAfter = outcomes.map((o) => o.failure?.retryAfterMs).filter((ms): ms is number => ms !== undefined);
  const retryAfterMs = reopen.length > 0 ? Math.min(...reopen) : providerAfter.length > 0 ? Math.min(...providerAfter) : 1_000;
  const tried = outcomes.map((o) => `${o.model.id} (${o.model.provider}): ${o.note ?? o.failure!.kind.replaceAll('_', ' ')}`);
  const detail = tried.length > 0 ? tried.join('; ') : 'the time budget ran out';
  return allProvidersUnavailable(`No provider could serve this request right now (${detail}). Please retry.`, retryAfterMs);
}
