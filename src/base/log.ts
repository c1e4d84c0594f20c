/**
 * Structured logs: one JSON line per event, `{ level, kind, at, ...fields }`,
 * which Workers Logs indexes and `wrangler tail --format json` shows. Callers
 * never pass a secret; the redaction below is defence in depth: a field whose
 * name says secret is dropped to "[redacted]", and any string is scrubbed of what
 * looks like a key, a token, a Stripe secret or an email address, and bounded.
 */
import { BoundedMap } from './bounded-map';
import { sha256HexSync } from './sha256';

export type LogLevel = 'info' | 'warn' | 'error';
export type LogValue = string | number | boolean | null | undefined | readonly string[];
export type LogFields = Record<string, LogValue>;

const REDACTED = '[redacted]';
/** A line stays readable and bounded: a long upstream message or an email body is cut here. */
const MAX_TEXT = 1_000;

/** Field names that hold secrets or personal text (prompt_tokens and keyId are not among them). */
const SECRET_NAME = /(authorization|cookie|password|secret|token|api_?key|provider_?key|email|body|html)$|^(key|text|to)$/i;

/** What looks like a secret in free text, most specific first; each is masked where it stands. */
const SECRET_TEXT: Array<[RegExp, string]> = [
  [/\bsk-ft_[A-Za-z0-9]+/g, `sk-ft_${REDACTED}`],
  [/\b[sprk]k_(?:live|test)_[A-Za-z0-9_]+/g, REDACTED],
  [/\bwhsec_[A-Za-z0-9_]+/g, `whsec_${REDACTED}`],
  [/\bsk-[A-Za-z0-9_-]{6,}/g, `sk-${REDACTED}`],
  [/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`],
  [/([?&;](?:token|key|secret|code|sig)=)[^&\s"';]+/gi, `$1${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.?[A-Za-z0-9_-]*/g, REDACTED],
  // Login and session tokens, key hashes: long hex runs (ids carry a prefix with "_", so they are not matched).
  [/\b[0-9a-f]{32,}\b/gi, REDACTED],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
];

/**
 * Whether text might hold anything SECRET_TEXT or ACCOUNT_ID masks: a superset of their prefixes, tested once,
 * so the common line (a route, a model, a number) skips the dozen passes (each line is on a request's path).
 */
const MAYBE_SECRET = /sk-|k_(?:live|test)_|whsec_|bearer|basic|[?&;](?:token|key|secret|code|sig)=|eyJ|[0-9a-f]{32}|@|acct_/i;

const ACCOUNT_ID = /\bacct_[0-9a-f]{32}\b/g;
/** Every line's own fields: a caller's field of the same name is left out rather than replacing them. */
const RESERVED = new Set(['level', 'kind', 'at']);

const hashes = new BoundedMap<string, string>(10_000);

/**
 * An account id as logs name it: the first 12 hex digits of its SHA-256, the same for the same id
 * (`printf %s acct_… | sha256sum | cut -c1-12` finds one account's lines). Cached: once per account.
 */
export function hashAccountId(accountId: string): string {
  let hash = hashes.get(accountId);
  if (hash === undefined) {
    hash = sha256HexSync(accountId).slice(0, 12);
    hashes.set(accountId, hash);
  }
  return hash;
}

/** Free text with anything secret-looking masked and account ids hashed, cut to MAX_TEXT. */
export function redactText(text: string): string {
  // Masked before it is cut: a cut could leave a secret too short to be recognised.
  let out = text;
  if (MAYBE_SECRET.test(text)) {
    for (const [pattern, mask] of SECRET_TEXT) out = out.replace(pattern, mask);
    out = out.replace(ACCOUNT_ID, (id) => `acct#${hashAccountId(id)}`);
  }
  return out.length > MAX_TEXT ? `${out.slice(0, MAX_TEXT)}…` : out;
}

/** The fields as they may be written: secret-named ones masked, strings scrubbed, undefined left out. */
export function redactFields(fields: LogFields): Record<string, Exclude<LogValue, undefined>> {
  const out: Record<string, Exclude<LogValue, undefined>> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || RESERVED.has(name)) continue;
    if (SECRET_NAME.test(name)) out[name] = REDACTED;
    else if (typeof value === 'number' || typeof value === 'boolean' || value === null) out[name] = value;
    else if (Array.isArray(value)) out[name] = value.map((item) => redactText(String(item)));
    // Strings, and whatever else a caller's types let through at run time (an object, a bigint): text, scrubbed.
    else out[name] = redactText(String(value));
  }
  return out;
}

/** Writes one line: console.log for info, console.warn / console.error for the others. */
export function logEvent(kind: string, fields: LogFields = {}, level: LogLevel = 'info'): void {
  const line = JSON.stringify({ level, kind, at: new Date().toISOString(), ...redactFields(fields) });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

export const logWarn = (kind: string, fields: LogFields = {}): void => logEvent(kind, fields, 'warn');
export const logError = (kind: string, fields: LogFields = {}): void => logEvent(kind, fields, 'error');
