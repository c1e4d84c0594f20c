/** The Retry-After header for a wait in milliseconds: whole seconds, rounded up, at least one. */
export const retryAfterHeader = (ms: number): { 'Retry-After': string } => ({ 'Retry-After': String(Math.max(1, Math.ceil(ms / 1000))) });
