/** Stripe counts cents; find-token counts units of $0.00000001. */
export const UNITS_PER_CENT = 1_000_000;
