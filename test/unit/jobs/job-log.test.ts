import { afterEach, describe, expect, it, vi } from 'vitest';
import { jobCounts, runLogged } from '../../../src/jobs/job-log';

afterEach(() => vi.restoreAllMocks());

const clock = () => {
  let t = 1_000;
  return () => (t += 250) - 250;
};
const lineOf = (args: unknown[]) => {
  const { at: _at, ...line } = JSON.parse(String(args[0])) as Record<string, unknown>;
  return line;
};

describe('jobCounts', () => {
  it("keeps a tally's numbers and flags, counts a list, and has nothing for anything else", () => {
    expect(jobCounts({ scanned: 3, finished: true, cursor: 'x', nested: { n: 1 } })).toEqual({ scanned: 3, finished: true });
    expect(jobCounts([1, 2, 3])).toEqual({ count: 3 });
    expect(jobCounts(undefined)).toEqual({});
  });
});

describe('runLogged', () => {
  it('writes one line for a run that ends: outcome, duration and counts, and returns its result', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await runLogged('creditExpiryPage', { cron: '*/5 * * * *' }, async () => ({ scanned: 2, failed: 0 }), clock())).toEqual({ scanned: 2, failed: 0 });
    expect(log.mock.calls.map(lineOf)).toEqual([{ level: 'info', kind: 'job', job: 'creditExpiryPage', cron: '*/5 * * * *', outcome: 'ok', ms: 250, scanned: 2, failed: 0 }]);
  });

  it('writes an error line with the cause for a run that throws, and rethrows', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    await expect(runLogged('charges', { queue: 'q', messages: 1 }, () => Promise.reject(new Error('D1 is down')), clock())).rejects.toThrow('D1 is down');
    expect(error.mock.calls.map(lineOf)).toEqual([{ level: 'error', kind: 'job', job: 'charges', queue: 'q', messages: 1, outcome: 'failed', ms: 250, cause: 'D1 is down' }]);
  });
});
