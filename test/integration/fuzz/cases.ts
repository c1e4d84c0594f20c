/**
 * One fuzz case: a route's valid request with some of its parts mutated, and
 * the credential the route asks for (valid in most cases, so they reach the
 * parsers; broken in the rest). `send` puts it on the wire.
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import fc from 'fast-check';
import { createApp } from '../../../src/app';
import { signWebhook } from '../../../src/payments/stripe';
import { BASE } from '../helpers';
import { newLoginToken, newSession, type Fixture } from './fixture';
import { brokenAuthorization, formWire, jsonWire, mutatedMethod, mutatedObject, mutatedQuery, mutatedSegment, oddHeaders, type WireBody } from './mutations';
import { TOKEN, type FuzzRoute } from './routes';
import { variedExample } from './zod-arbitrary';

export interface FuzzCase {
  method: string;
  path: string;
  query: string;
  wire: WireBody;
  headers: Record<string, string>;
  /** undefined: the valid credential; else which broken form it takes. */
  broken: { variant: number; authorization: string | undefined } | undefined;
}

/** One case in ten carries a broken credential; the rest get past authentication. */
const credential = fc.oneof(
  { weight: 9, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.record({ variant: fc.nat({ max: 3 }), authorization: brokenAuthorization }) },
);

function pathOf(route: FuzzRoute, fx: Fixture): fc.Arbitrary<string> {
  const params = route.params?.(fx) ?? {};
  const names = Object.keys(params);
  if (names.length === 0) return fc.constant(route.pattern);
  return fc.tuple(...names.map((name) => mutatedSegment(params[name]!))).map((values) =>
    names.reduce((path, name, i) => path.replace(`:${name}`, values[i]!), route.pattern),
  );
}

function wireOf(route: FuzzRoute, fx: Fixture): fc.Arbitrary<WireBody> {
  if (!route.body) return fc.oneof({ weight: 4, arbitrary: fc.constant<WireBody>({ body: undefined, contentType: undefined }) }, { weight: 1, arbitrary: jsonWire(fc.jsonValue({ maxDepth: 2 })) });
  const value = mutatedObject(variedExample(route.body.example(fx), route.body.schema));
  return route.body.kind === 'json' ? jsonWire(value) : formWire(value);
}

export function caseOf(route: FuzzRoute, fx: Fixture): fc.Arbitrary<FuzzCase> {
  return fc.record({
    method: mutatedMethod(route.method),
    path: pathOf(route, fx),
    query: route.query ? mutatedQuery(route.query(fx)) : fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: mutatedQuery({ limit: '1' }) }),
    wire: wireOf(route, fx),
    headers: oddHeaders,
    broken: credential,
  });
}

const urlEncodedForm = (contentType: string | undefined) => contentType === 'application/x-www-form-urlencoded';

/** Adds a form field to the body when it is an urlencoded form (the CSRF token rides there). */
function withField(wire: WireBody, name: string, value: string): WireBody {
  if (!urlEncodedForm(wire.contentType) || typeof wire.body !== 'string') return wire;
  const fields = new URLSearchParams(wire.body);
  fields.set(name, value);
  return { ...wire, body: fields.toString() };
}

let cases = 0;

/** The request this case makes: its credential (valid or broken) applied last. */
async function requestOf(route: FuzzRoute, fx: Fixture, test: FuzzCase): Promise<Request> {
  cases += 1;
  const headers = new Headers(test.headers);
  // Each case from its own address: the sign-in limits per IP must not spill into other test files.
  headers.set('CF-Connecting-IP', `198.51.100.${cases % 250}`);
  let wire = test.wire;
  let path = test.path;
  let query = test.query;
  if (route.credential === 'link') {
    const token = await newLoginToken();
    query = query.replaceAll(encodeURIComponent(TOKEN), token);
    if (typeof wire.body === 'string') wire = { ...wire, body: wire.body.replaceAll(encodeURIComponent(TOKEN), token).replaceAll(TOKEN, token) };
  }
  const { broken } = test;
  const cookies: string[] = [];
  switch (route.credential) {
    case 'key':
    case 'admin': {
      const token = route.credential === 'key' ? fx.key : env.ADMIN_TOKEN!;
      if (!broken) headers.set('Authorization', `Bearer ${token}`);
      else if (broken.authorization !== undefined) headers.set('Authorization', broken.variant === 0 ? `Bearer ${token}x` : broken.authorization);
      break;
    }
    case 'session':
    case 'fresh-session': {
      const session = route.credential === 'session' ? fx.session : await newSession(fx.accountId);
      if (!broken || broken.variant === 0) cookies.push(session.cookie);
      else if (broken.variant === 1) cookies.push(`ft_session=${'0'.repeat(64)}`);
      wire = withField(wire, 'csrf', !broken || broken.variant === 2 ? session.csrf : `${session.csrf.slice(1)}x`);
      break;
    }
    case 'anonymous':
    case 'link':
      if (!broken || broken.variant !== 1) cookies.push(`ft_csrf=${fx.anonymousCsrf}`);
      wire = withField(wire, 'csrf', broken?.variant === 0 ? 'f'.repeat(32) : fx.anonymousCsrf);
      break;
    case 'stripe': {
      const payload = typeof wire.body === 'string' ? wire.body : '';
      if (!broken) headers.set('Stripe-Signature', await signWebhook(payload, env.STRIPE_WEBHOOK_SECRET!));
      else if (broken.variant === 0) headers.set('Stripe-Signature', await signWebhook(payload, 'whsec_wrong'));
      else if (broken.authorization !== undefined) headers.set('Stripe-Signature', broken.authorization);
      break;
    }
    case 'none':
      if (broken) {
        if (broken.authorization !== undefined) headers.set('Authorization', broken.authorization);
        cookies.push('ft_session=zz; ft_csrf=%%%');
      }
      break;
  }
  if (cookies.length > 0) headers.set('Cookie', cookies.join('; '));
  if (wire.contentType !== undefined) headers.set('Content-Type', wire.contentType);
  // GET and HEAD cannot carry a body; every other method may.
  const body = test.method === 'GET' || test.method === 'HEAD' ? undefined : wire.body;
  if (query) path = `${path}?${query}`;
  return new Request(`${BASE}${path}`, { method: test.method, headers, body, redirect: 'manual' });
}

/** Whether this case carries the credential its route asks for (public routes ask for none). */
export const carriesCredential = (test: FuzzCase): boolean => test.broken === undefined;

export async function send(route: FuzzRoute, fx: Fixture, test: FuzzCase): Promise<{ response: Response; text: string }> {
  const request = await requestOf(route, fx, test);
  if (!route.env) {
    const response = await SELF.fetch(request);
    return { response, text: await response.text() };
  }
  const ctx = createExecutionContext();
  const response = await createApp().fetch(request, { ...env, ...route.env }, ctx);
  const text = await response.text();
  await waitOnExecutionContext(ctx);
  return { response, text };
}
