/** The structured log lines (src/base/log.ts) a console spy saw, parsed, without `at` (the clock's). */
import type { MockInstance } from 'vitest';

export type LogLine = Record<string, unknown>;

export function loggedLines(spy: MockInstance, kind?: string): LogLine[] {
  return spy.mock.calls
    .map((args) => {
      const { at: _at, ...line } = JSON.parse(String(args[0])) as LogLine;
      return line;
    })
    .filter((line) => kind === undefined || line.kind === kind);
}
