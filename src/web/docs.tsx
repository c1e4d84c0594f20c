/** /docs: the quick start, endpoints, errors, routing and billing, from the same catalog and config as the code. */
import type { Config } from '../env';
import { CATALOG } from '../base/catalog';
import { percent, quickStart, PricingTable } from './home';
import { Layout } from './layout';
import { RoutingControls } from './routing-controls';


const ENDPOINTS: Array<[string, string]> = [
  [
    'POST /v1/chat/completions',
    'OpenAI chat completions (JSON or SSE stream), plus routing (auto, cheapest, fallback, none), models, max_price, billing_mode and provider_key (your own key, this request only).',
  ],
  ['GET /v1/models', 'Every model with provider, context length, output cap, prices and equivalence group.'],
  ['GET /v1/user/balance', 'Balance, credits held for requests in flight, and this month’s BYOK requests.'],
  ['GET /v1/user/billing-logs', 'Every call, newest first, with tokens, cost and status.'],
  [
    'POST /v1/user/keys · GET · DELETE /{id}',
    'Your API keys: create (shown once) with optional scopes (inference, manage), a spend limit ({amount, period: day|month|total}), a model allowlist and expires_at; list masked with what each spent; revoke (a key made with a key is its child, no wider than it, and revoked with it).',
  ],
  ['POST /v1/user/byok/register · GET /v1/user/byok/keys · DELETE', 'Your provider keys, stored encrypted and shown masked; fallback_to_credits: true serves a request from credits when the provider refuses the key.'],
  ['POST /v1/user/credits · GET /v1/user/recharges', 'Recharge through Stripe Checkout; your recharges.'],
  ['GET /v1/status', 'Which providers are up (no key needed).'],
];

const ERRORS: Array<[string, string]> = [
  ['400', 'A bad request (the message names the field); invalid_provider_key when your own provider key was refused; content_filtered.'],
  ['401', 'A missing, malformed, unknown or revoked key; key_expired past its expires_at; account_deactivated after a year without activity.'],
  ['402', 'insufficient_credits: the request’s worst-case cost does not fit in your available balance; the message names the largest max_tokens that does (or, for a fallback to credits, the provider key that was refused).'],
  ['403', 'account_suspended: the account is suspended (a payment disputed with your bank, or by support); every key is refused until it is lifted. insufficient_scope, model_not_allowed, key_limit_exceeded: what the key itself may not do.'],
  ['429', 'rate_limit_exceeded, with Retry-After.'],
  ['503', 'all_providers_unavailable: every equivalent model failed, with Retry-After.'],
];

export function DocsPage(props: { config: Config; baseUrl: string; signedIn: boolean; csrf?: string }) {
  const { config } = props;
  const snippets = quickStart(props.baseUrl);
  const groups = [...new Set(CATALOG.map((model) => model.group))];
  return (
    <Layout title="Docs" signedIn={props.signedIn} csrf={props.csrf}>
      <h1>Docs</h1>
      <h2>Quick start</h2>
      <p>
        Sign up, create a key on the dashboard, and use any OpenAI SDK with base URL <code>{props.baseUrl}</code>.
      </p>
      <pre>{snippets.python}</pre>
      <pre>{snippets.curl}</pre>
      <h2>Endpoints</h2>
      <div class="table-wrap">
        <table>
          <tbody>
            {ENDPOINTS.map(([path, what]) => (
              <tr>
                <td>
                  <code>{path}</code>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Errors</h2>
      <p>Every error is OpenAI’s JSON: {'{"error": {"message", "type", "param", "code"}}'}.</p>
      <ul>
        {ERRORS.map(([status, what]) => (
          <li>
            <strong>{status}</strong> {what}
          </li>
        ))}
      </ul>
      <h2>Routing</h2>
      <p>
        Models in one group are equivalent:{' '}
        {groups.map((group, i) => (
          <>
            {i > 0 ? '; ' : ''}
            {CATALOG.filter((model) => model.group === group)
              .map((model) => model.id)
              .join(', ')}
          </>
        ))}
        . <code>auto</code> (default) tries your model first, then the healthiest equivalents; <code>cheapest</code> the lowest price for your request;{' '}
        <code>fallback</code> the catalog’s order. A failing provider is retried {config.retryBaseMs / 1000} s, {(2 * config.retryBaseMs) / 1000} s and{' '}
        {(4 * config.retryBaseMs) / 1000} s apart before the next model is tried; nothing is retried once a stream has started. The response names the model that served
        (<code>X-FindToken-Model</code>) and you pay that model’s price.
      </p>
      <p>
        A whole (non-streaming) answer may take {config.upstreamTimeoutMs / 1000} s per attempt, four times that on a reasoning model (its <code>timeout_ms</code> in{' '}
        <code>/v1/models</code>). A timeout is retried once, not three times: it already cost a whole limit and the provider may still bill the call, and every retry and
        failover ends within {config.routingBudgetMs / 1000} s.
      </p>
      <h3>Steering a request</h3>
      <RoutingControls />
      <h2>Billing</h2>
      <p>
        Standard: each call costs the provider’s price plus {percent(config.standardFeeRate)}, computed to 8 decimals and taken from your prepaid balance. Before a call,
        its worst case is held; the real cost replaces it when the call ends. A call that fails before its first token costs nothing. Without max_tokens, the hold is
        for the model’s output cap or, when your balance cannot cover that, the most output it affords (at least 16 tokens): that number is sent to the provider as
        max_tokens and returned in <code>X-FindToken-Max-Tokens</code>, so no call can cost more than it held.
      </p>
      <p>
        Every delivered answer is charged exactly once, before it is released: a whole answer before its response (<code>X-FindToken-Cost</code> and{' '}
        <code>X-FindToken-Balance</code> are that charge and the balance right after it), a stream before its usage chunk and <code>[DONE]</code>. If the charge cannot
        be recorded in time, you still get the answer, with <code>X-FindToken-Charge: pending</code> (a stream’s usage chunk says <code>charge_pending: true</code>);
        it is recorded once, shortly after, and the billing log shows it then. When a call costs more than was held (a prompt larger than estimated) and your balance
        cannot cover the rest, the billing log records it as <code>uncollected</code>. A card dispute takes the disputed credits back and suspends the account (403{' '}
        <code>account_suspended</code>) until the dispute closes; a dispute you win gives them back.
      </p>
      <p>
        Bring your own key: the first {config.byokFreeRequestsPerMonth.toLocaleString('en-US')} requests each month are free; after that the routing fee is{' '}
        {percent(config.byokFeeRate)} of the provider’s cost. Recharges start at ${config.minRechargeUsd}; unused credits are refundable within 14 days of purchase, and
        credits expire 365 days after your last activity (we email you 30 and 7 days before).
      </p>
      <p>
        A registered provider key may carry <code>fallback_to_credits: true</code> (or tick the box on the dashboard): when its provider refuses it (rejected, or out
        of balance or quota), the request is served in standard mode from your credits instead of answering 400 <code>invalid_provider_key</code>. The response says{' '}
        <code>X-FindToken-Mode: standard</code>, it is charged the standard price, does not count as a BYOK request, and its billing log has{' '}
        <code>mode: "standard"</code> and a <code>fallback_reason</code> such as <code>deepseek key refused: out of balance (HTTP 402)</code>. When your credits do not
        cover it as standard, it is a 402 naming the key. An inline <code>provider_key</code> never falls back, nor does a request with{' '}
        <code>billing_mode: "byok"</code>.
      </p>
      <pre>{`curl ${props.baseUrl}/user/byok/register \\\n  -H "Authorization: Bearer $FT_KEY" \\\n  -d '{"provider":"deepseek","api_key":"sk-…","fallback_to_credits":true}'`}</pre>
      <h2>Models and prices</h2>
      <PricingTable config={config} />
    </Layout>
  );
}
