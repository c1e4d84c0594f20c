import { z } from 'zod';
import { parseDollarsAndCents } from '../base/money';

/** Dollars as a JSON number with at most two decimals (cents). */
export const dollars = z.number({ error: 'must be a number of dollars' }).refine((value) => parseDollarsAndCents(value) !== undefined, {
  message: 'must be a positive number of dollars with at most 2 decimals',
});

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** CR, LF, NUL, tab and every other C0/C1 control character (the URL parser would silently drop some of them). */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** An absolute https URL; plain http only for a local address; no control characters. */
export const returnUrl = z
  .string()
  .refine((text) => !CONTROL_CHARACTERS.test(text), { message: 'must not contain control characters (CR, LF, NUL, tab…)', abort: true })
  .refine(
  (text) => {
    try {
      const url = new URL(text);
      return url.protocol === 'https:' || (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname));
    } catch {
      return false;
    }
  },
  { message: 'must be an absolute https URL (http only for localhost)' },
);

export const RechargeRequestSchema = z.strictObject({ amount: dollars, success_url: returnUrl, cancel_url: returnUrl });

export const RefundRequestSchema = z.strictObject({ amount: dollars.optional() });
