/** Resident memory and CPU time of a process, from /proc (Linux). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** User + system CPU time in milliseconds. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3; utime and stime are fields 14 and 15.
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND) * 1000;
}

/** Child processes of this process whose command line matches. */
export function childPids(pattern: RegExp): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,args=']).toString();
  return out
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === process.pid && pattern.test(m[3] ?? ''))
    .map((m) => Number(m[1]));
}

/** Samples a process's RSS while `work` runs; returns the peak growth over the level before it. */
export async function peakRssGrowth(pid: number, work: () => Promise<unknown>): Promise<{ baselineBytes: number; peakBytes: number; growthBytes: number }> {
  const baselineBytes = rssBytes(pid);
  let peakBytes = baselineBytes;
  const timer = setInterval(() => {
    peakBytes = Math.max(peakBytes, rssBytes(pid));
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peakBytes = Math.max(peakBytes, rssBytes(pid));
  return { baselineBytes, peakBytes, growthBytes: peakBytes - baselineBytes };
}
