/**
 * What the fuzzer does to a route's valid request: junk values, mutated
 * objects, broken JSON and forms, mutated queries and path segments, odd
 * headers and other methods. Each arbitrary starts from the valid example, so
 * most cases differ from it in one or two places and still reach the parsers.
 */
import fc from 'fast-check';

/** Values that break types and bounds: huge, negative, fractional, non-finite-ish, long, unicode, control characters, nesting. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, -1, 0.001, 1e-9, 1e21, 1e308, -1e308, 2 ** 53 + 1, Number.MIN_VALUE, 123.456789012345),
  fc.constantFrom('', ' ', 'NaN', 'Infinity', '-Infinity', '1e999', '0x10', '1,5', '   7   ', 'null', 'undefined', '[object Object]', '__proto__', 'constructor'),
  fc.constantFrom('\u0000', '\r\n', '\t', '\u202e', '\ud800', '😀'.repeat(40), 'é'.normalize('NFD'), '<script>alert(1)</script>', '../../etc/passwd', "' OR 1=1 --", '%00', '%ZZ'),
  fc.constantFrom('x'.repeat(70_000), 'a'.repeat(5_000), '9'.repeat(400)),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom([], {}, [[[[[[[[[[[]]]]]]]]]]], { a: { b: { c: { d: {} } } } }, [null], [1, 'a', {}], { __proto__: { polluted: true } }),
  fc.jsonValue({ maxDepth: 3 }),
);

type Mutation = (value: Record<string, unknown>) => fc.Arbitrary<unknown>;

const fieldOf = (value: Record<string, unknown>) => fc.constantFrom(...(Object.keys(value).length > 0 ? Object.keys(value) : ['missing']));

const MUTATIONS: Mutation[] = [
  // Drop a field.
  (value) => fieldOf(value).map((key) => Object.fromEntries(Object.entries(value).filter(([k]) => k !== key))),
  // A field of the wrong type or out of bounds.
  (value) => fc.tuple(fieldOf(value), junkValue).map(([key, junk]) => ({ ...value, [key]: junk })),
  // An unknown field.
  (value) => fc.tuple(fc.constantFrom('extra', 'Model', 'stream ', '', '__proto__', 'x'.repeat(300)), junkValue).map(([key, junk]) => ({ ...value, [key]: junk })),
  // The field nested one level down, or wrapped in an array.
  (value) => fieldOf(value).map((key) => ({ ...value, [key]: [value[key]] })),
  (value) => fieldOf(value).map((key) => ({ ...value, [key]: { value: value[key] } })),
  // Not an object at all.
  () => junkValue,
  () => fc.constant([]),
];

/** The example object, mutated zero to three times (zero leaves it valid: the deep paths get exercised too). */
export function mutatedObject(base: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  return base.chain((value) =>
    fc.oneof(
      { weight: 1, arbitrary: fc.constant<unknown>(value) },
      { weight: 4, arbitrary: fc.constantFrom(...MUTATIONS).chain((mutate) => mutate(value)) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom(...MUTATIONS), fc.constantFrom(...MUTATIONS))
          .chain(([first, second]) => first(value).chain((once) => (once !== null && typeof once === 'object' && !Array.isArray(once) ? second(once as Record<string, unknown>) : fc.constant(once)))),
      },
    ),
  );
}

/** How the body goes on the wire: bytes (or none) and the Content-Type it claims. */
export interface WireBody {
  body: string | Uint8Array | undefined;
  contentType: string | undefined;
}

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=XYZ', 'application/octet-stream', '*/*', ';;;', 'application/json; charset=latin1'];

/** The JSON text, or text that is almost JSON. */
function brokenJson(text: string): fc.Arbitrary<string | Uint8Array | undefined> {
  return fc.oneof(
    fc.nat({ max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut)),
    fc.constantFrom('', ' ', 'null', '"text"', '42', '[]', '{', '}', '{"a":', 'NaN', '{"model":NaN}', '\ufeff' + text, text + 'garbage', text.replace(/"/g, "'")),
    // The same key twice: the last one wins in JSON.parse, which must still be checked.
    fc.constant(text.startsWith('{') && text.length > 2 ? `{"${firstKey(text)}":{"nested":true},${text.slice(1)}` : `{"a":1,"a":2}`),
    // Bytes that are not UTF-8.
    fc.constant(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])),
    fc.constant(undefined),
  );
}

const firstKey = (text: string) => /^\{"([^"]*)"/.exec(text)?.[1] ?? 'a';

/** A JSON body: mostly the (mutated) object as JSON, sometimes broken text or the wrong Content-Type. */
export function jsonWire(value: fc.Arbitrary<unknown>): fc.Arbitrary<WireBody> {
  return value.chain((object) => {
    const text = JSON.stringify(object) ?? '';
    return fc.oneof(
      { weight: 6, arbitrary: fc.constant<WireBody>({ body: text, contentType: 'application/json' }) },
      { weight: 2, arbitrary: brokenJson(text).map((body): WireBody => ({ body, contentType: 'application/json' })) },
      { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES, undefined).map((contentType): WireBody => ({ body: text, contentType })) },
    );
  });
}

/** A form body: urlencoded (the valid way), multipart, JSON, raw junk, or none. */
export function formWire(value: fc.Arbitrary<unknown>): fc.Arbitrary<WireBody> {
  return value.chain((object) => {
    const fields = object !== null && typeof object === 'object' && !Array.isArray(object) ? (object as Record<string, unknown>) : { junk: object };
    const pairs = Object.entries(fields).map(([key, field]) => [key, typeof field === 'string' ? field : JSON.stringify(field) ?? ''] as [string, string]);
    const encoded = new URLSearchParams(pairs).toString();
    const multipart = pairs.map(([key, field]) => `--XYZ\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${field}\r\n`).join('') + '--XYZ--\r\n';
    return fc.oneof(
      { weight: 6, arbitrary: fc.constant<WireBody>({ body: encoded, contentType: 'application/x-www-form-urlencoded' }) },
      { weight: 1, arbitrary: fc.constant<WireBody>({ body: multipart, contentType: 'multipart/form-data; boundary=XYZ' }) },
      { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES, undefined).map((contentType): WireBody => ({ body: encoded, contentType })) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<WireBody>(
          { body: `${encoded}&${encoded}`, contentType: 'application/x-www-form-urlencoded' },
          { body: 'csrf=%FF%FE&a=%E0%A4%A', contentType: 'application/x-www-form-urlencoded' },
          { body: '--XYZ\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nabc', contentType: 'multipart/form-data; boundary=XYZ' },
          { body: JSON.stringify(fields), contentType: 'application/json' },
          { body: undefined, contentType: 'application/x-www-form-urlencoded' },
        ),
      },
    );
  });
}

/** The example's query, mutated: a parameter dropped, set to junk, repeated, or an unknown one added. */
export function mutatedQuery(example: Record<string, string>): fc.Arbitrary<string> {
  const junk = junkValue.map((value) => (typeof value === 'string' ? value.slice(0, 2_000) : String(JSON.stringify(value) ?? '')));
  const keys = Object.keys(example);
  const names = fc.constantFrom(...keys, 'extra', 'limit', 'cursor', '', '%', 'a[b]');
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.constant(Object.entries(example)) },
      { weight: 5, arbitrary: fc.tuple(names, junk).map(([key, value]) => [...Object.entries(example).filter(([k]) => k !== key), [key, value]]) },
      { weight: 1, arbitrary: names.map((key) => Object.entries(example).filter(([k]) => k !== key)) },
      { weight: 1, arbitrary: fc.tuple(names, junk).map(([key, value]) => [...Object.entries(example), [key, value], [key, value]]) },
    )
    .chain((pairs) =>
      fc.oneof(
        { weight: 9, arbitrary: fc.constant(new URLSearchParams(pairs as string[][]).toString()) },
        // Raw text a URLSearchParams would have escaped.
        { weight: 1, arbitrary: fc.constantFrom('%', '%E0%A4%A', '&&&=&', '=x', 'a=%00', 'limit=1&limit=2&limit', '%ZZ=%ZZ') },
      ),
    );
}

/** A path parameter: the real one mostly, else a wrong, odd or encoded one. */
export function mutatedSegment(real: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(real) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(`${real}x`, real.slice(0, -1), real.toUpperCase(), 'x', '0', '-1', '%00', '%E0%A4%A', '%2F', '..', 'null', '%20', encodeURIComponent('😀'), 'a'.repeat(2_000), `${real}%0A`),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 20 }).map((text) => encodeURIComponent(text) || 'empty') },
  );
}

/** The request's method: the route's own mostly; else OPTIONS, another known one, or an unknown one. */
export function mutatedMethod(method: string): fc.Arbitrary<string> {
  return fc.oneof({ weight: 9, arbitrary: fc.constant(method) }, { weight: 1, arbitrary: fc.constantFrom('OPTIONS', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND', 'PURGE', 'MKCOL', 'LOCK') });
}

/** Headers no client should send, but some will. */
export const oddHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  {
    weight: 4,
    arbitrary: fc.dictionary(
      fc.constantFrom('X-FindToken-Provider', 'X-FindToken-Routing', 'X-FindToken-Debug', 'X-Request-Id', 'Accept', 'Accept-Encoding', 'Origin', 'Referer', 'Idempotency-Key', 'Stripe-Signature', 'CF-Connecting-IP', 'X-Forwarded-For', 'Range', 'If-None-Match', 'Transfer-Encoding-Junk', 'User-Agent', 'Content-Encoding'),
      fc.oneof(
        fc.constantFrom('', ' ', 'gzip', 'br', '*/*', 'text/event-stream', 'null', 'bytes=0-1', '::1', 'deepseek', 'cheapest', 'x'.repeat(8_000), 'a, b, c'),
        fc.string({ maxLength: 40 }).map((text) => text.replace(/[^\x20-\x7e]/g, '')),
      ),
      { maxKeys: 3 },
    ),
  },
);

/** A broken credential: the forms a wrong Authorization header (or cookie, or signature) takes. */
export const brokenAuthorization = fc.constantFrom(
  undefined,
  '',
  'Bearer',
  'Bearer ',
  'Basic dXNlcjpwYXNz',
  'bearer sk-ft_' + '0'.repeat(64),
  'Bearer sk-ft_' + 'g'.repeat(64),
  'Bearer sk-ft_short',
  'Bearer  ' + 'x'.repeat(5_000),
  'Bearer a b',
  'Token abc',
  'Bearer sk-ft_' + 'A'.repeat(64),
);
