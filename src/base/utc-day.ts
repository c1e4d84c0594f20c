/** Days as billing logs, rollups, archives and exports name them: UTC, `YYYY-MM-DD`. */
export const DAY_MS = 24 * 60 * 60_000;

/** The UTC day `ms` falls on. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The first millisecond of a UTC day. */
export const dayStart = (day: string): number => Date.parse(`${day}T00:00:00.000Z`);
