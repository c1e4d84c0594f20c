/** A wait in milliseconds as Retry-After counts it: whole seconds, rounded up, at least one. */
export const retryAfterSeconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

/** The Retry-After header for a wait in milliseconds. */
export const retryAfterHeader = (ms: number): { 'Retry-After': string } => ({ 'Retry-After': String(retryAfterSeconds(ms)) });
