/**
 * One log line per job run: its name, outcome, duration and what it counted
 * (a job's tally: the numbers and flags it returns, or how many results a list
 * holds). A job that throws is logged as failed with its cause, and rethrown.
 */
import { logEvent, type LogFields } from '../base/log';
import { messageOf } from '../errors';

/** The counts a job's result carries, as log fields. */
export function jobCounts(result: unknown): LogFields {
  if (Array.isArray(result)) return { count: result.length };
  if (typeof result !== 'object' || result === null) return {};
  const counts: LogFields = {};
  for (const [name, value] of Object.entries(result)) if (typeof value === 'number' || typeof value === 'boolean') counts[name] = value;
  return counts;
}

export async function runLogged<T>(name: string, fields: LogFields, run: () => Promise<T>, now: () => number = Date.now): Promise<T> {
  const started = now();
  try {
    const result = await run();
    logEvent('job', { job: name, ...fields, outcome: 'ok', ms: now() - started, ...jobCounts(result) });
    return result;
  } catch (error) {
    logEvent('job', { job: name, ...fields, outcome: 'failed', ms: now() - started, cause: messageOf(error) }, 'error');
    throw error;
  }
}
