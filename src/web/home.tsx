/** The home page: what find-token is, sign-up, every model's price, a cost calculator, and a quick start. */
import type { Config } from '../env';
import { computeCost, ONE, onePlus, type Rate } from '../base/cost';
import { CATALOG, findModel, type CatalogModel } from '../base/catalog';
import { pricePerMillion, total } from './money-view';
import { RoutingControls } from './routing-controls';
import { Layout, Notice } from './layout';

export const percent = (rate: Rate) => `${(Number(rate.numerator) * 100) / Number(rate.denominator)}%`;
const perMillion = (units: number | undefined) => (units === undefined ? '—' : pricePerMillion(units));
const withFee = (units: number, config: Config) => computeCost({ promptTokens: 1_000_000, cachedTokens: 0, completionTokens: 0 }, { input: units, output: 0 }, onePlus(config.standardFeeRate));

export interface Calculation {
  model: CatalogModel;
  tokensIn: number;
  tokensOut: number;
  requestsPerDay: number;
  /** What was out of the calculator's bounds (the default is shown instead). */
  problem?: string;
}

/** The calculator's bounds, also the form's own (max attributes). */
export const CALC_BOUNDS = { in: 1_000_000, out: 1_000_000, rpd: 10_000_000 } as const;

/** Reads the calculator's query: defaults when absent; out of range or unknown, the default and a message saying which. */
export function readCalculation(query: Record<string, string | undefined>): Calculation {
  const problems: string[] = [];
  const bounded = (name: keyof typeof CALC_BOUNDS, label: string, fallback: number) => {
    const value = query[name];
    if (value === undefined || value === '') return fallback;
    const number = Number(value);
    if (/^\d+$/.test(value.trim()) && number <= CALC_BOUNDS[name]) return number;
    problems.push(`${label} must be a whole number from 0 to ${CALC_BOUNDS[name].toLocaleString('en-US')}.`);
    return fallback;
  };
  const modelId = query['model'];
  const model = modelId ? findModel(modelId) : undefined;
  if (modelId && !model) problems.push(`There is no model ${modelId}; pick one from the list.`);
  const calc: Calculation = {
    model: model ?? CATALOG[0]!,
    tokensIn: bounded('in', 'Tokens in per request', 1_000),
    tokensOut: bounded('out', 'Tokens out per request', 500),
    requestsPerDay: bounded('rpd', 'Requests per day', 1_000),
  };
  return problems.length > 0 ? { ...calc, problem: problems.join(' ') } : calc;
}

const roundHalfUp = (numerator: bigint, denominator: bigint) => (2n * numerator + denominator) / (2n * denominator);

/**
 * Daily and monthly (30-day) cost in units: standard (provider cost × 1.055) and BYOK (free tier, then the fee).
 * In bigint: at the bounds (1M tokens each way, 10M requests a day) a month is past Number's safe integers.
 */
export function estimate(calc: Calculation, config: Config) {
  const usage = { promptTokens: calc.tokensIn, cachedTokens: 0, completionTokens: calc.tokensOut };
  const providerPerRequest = BigInt(computeCost(usage, calc.model.price, ONE));
  const standardPerRequest = BigInt(computeCost(usage, calc.model.price, onePlus(config.standardFeeRate)));
  const monthlyRequests = BigInt(calc.requestsPerDay * 30);
  const paidRequests = BigInt(Math.max(0, calc.requestsPerDay * 30 - config.byokFreeRequestsPerMonth));
  // Prices are per 1M tokens: the same exact formula as computeCost, on the month's tokens.
  const tokenCost = BigInt(calc.tokensIn) * BigInt(calc.model.price.input) + BigInt(calc.tokensOut) * BigInt(calc.model.price.output);
  const fee = config.byokFeeRate;
  return {
    standardDaily: standardPerRequest * BigInt(calc.requestsPerDay),
    standardMonthly: standardPerRequest * monthlyRequests,
    byokMonthly: roundHalfUp(tokenCost * paidRequests * fee.numerator, 1_000_000n * fee.denominator),
    providerMonthly: providerPerRequest * monthlyRequests,
  };
}

export function quickStart(baseUrl: string) {
  return {
    curl: `curl ${baseUrl}/chat/completions \\\n  -H "Authorization: Bearer $FINDTOKEN_API_KEY" \\\n  -d '{"model":"deepseek-chat","messages":[{"role":"user","content":"Hello!"}]}'`,
    python: `from openai import OpenAI\nclient = OpenAI(api_key="sk-ft_…", base_url="${baseUrl}")\nprint(client.chat.completions.create(model="deepseek-chat", messages=[{"role": "user", "content": "Hello!"}]).choices[0].message.content)`,
    node: `import OpenAI from 'openai';\nconst client = new OpenAI({ apiKey: process.env.FINDTOKEN_API_KEY, baseURL: '${baseUrl}' });\nconst answer = await client.chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hello!' }] });`,
  };
}

export function PricingTable(props: { config: Config }) {
  return (
    <div class="table-wrap">
      <table>
        <caption class="muted">USD per 1M tokens. Standard price = provider price + {percent(props.config.standardFeeRate)}.</caption>
        <thead>
          <tr>
            <th>model</th>
            <th>provider</th>
            <th class="num">input</th>
            <th class="num">output</th>
            <th class="num">cached input</th>
            <th class="num">context</th>
            <th class="num">standard input / output</th>
          </tr>
        </thead>
        <tbody>
          {CATALOG.map((model) => (
            <tr>
              <td>{model.id}</td>
              <td>{model.provider}</td>
              <td class="num">{perMillion(model.price.input)}</td>
              <td class="num">{perMillion(model.price.output)}</td>
              <td class="num">{perMillion(model.price.cachedInput)}</td>
              <td class="num">{model.contextLength.toLocaleString('en-US')}</td>
              <td class="num">
                {pricePerMillion(withFee(model.price.input, props.config))} / {pricePerMillion(withFee(model.price.output, props.config))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function HomePage(props: { config: Config; csrf: string; baseUrl: string; calc: Calculation; message?: { kind: 'ok' | 'bad'; text: string }; signedIn: boolean; sessionCsrf?: string }) {
  const { config, calc } = props;
  const cost = estimate(calc, config);
  const snippets = quickStart(props.baseUrl);
  return (
    <Layout title="One API for China's best models" signedIn={props.signedIn} csrf={props.sessionCsrf}>
      <h1>One OpenAI-compatible API for DeepSeek, GLM, MiniMax, Qwen, Kimi and StepFun</h1>
      <p>
        Point any OpenAI SDK at find-token. We route to the provider, fail over to an equivalent model when one is down, stream every token as it
        arrives, and bill each call to the 1e-8 dollar — prepaid, or with your own provider keys ({config.byokFreeRequestsPerMonth.toLocaleString('en-US')} requests a month free).
      </p>
      <section id="signup" aria-labelledby="signup-title">
        <h2 id="signup-title">Get started</h2>
        {props.message ? <Notice kind={props.message.kind}>{props.message.text}</Notice> : null}
        <form method="post" action="/auth/signup" class="inline">
          <input type="hidden" name="csrf" value={props.csrf} />
          <label>
            Email
            <input type="email" name="email" required autocomplete="email" placeholder="you@example.com" />
          </label>
          <button type="submit">Get Free Access</button>
        </form>
        <p class="muted">We email you a sign-in link. New accounts start at $0; recharge from $10, or bring your own provider key.</p>
      </section>
      <section id="pricing" aria-labelledby="pricing-title">
        <h2 id="pricing-title">Pricing</h2>
        <PricingTable config={config} />
      </section>
      <section id="calculator" aria-labelledby="calculator-title">
        <h2 id="calculator-title">Cost calculator</h2>
        <form method="get" action="/#calculator" class="inline">
          <label>
            Model
            <select name="model">
              {CATALOG.map((model) => (
                <option value={model.id} selected={model.id === calc.model.id}>
                  {model.id}
                </option>
              ))}
            </select>
          </label>
          <label>
            Tokens in per request
            <input type="number" name="in" min="0" max={String(CALC_BOUNDS.in)} value={String(calc.tokensIn)} />
          </label>
          <label>
            Tokens out per request
            <input type="number" name="out" min="0" max={String(CALC_BOUNDS.out)} value={String(calc.tokensOut)} />
          </label>
          <label>
            Requests per day
            <input type="number" name="rpd" min="0" max={String(CALC_BOUNDS.rpd)} value={String(calc.requestsPerDay)} />
          </label>
          <button type="submit">Calculate</button>
        </form>
        {calc.problem ? <Notice kind="bad">{calc.problem}</Notice> : null}
        <div class="grid" aria-live="polite">
          <p>
            Standard: <strong id="standard-daily">{total(cost.standardDaily)}</strong> a day, <strong id="standard-monthly">{total(cost.standardMonthly)}</strong> a month
          </p>
          <p>
            BYOK: <strong id="byok-monthly">{total(cost.byokMonthly)}</strong> a month to us (plus {total(cost.providerMonthly)} to {calc.model.provider} on your key)
          </p>
        </div>
      </section>
      <section aria-labelledby="quickstart-title">
        <h2 id="quickstart-title">Quick start</h2>
        <p>
          Base URL: <code>{props.baseUrl}</code> · <a href="/docs">Read the docs</a>
        </p>
        <h3>curl</h3>
        <pre>{snippets.curl}</pre>
        <h3>Python</h3>
        <pre>{snippets.python}</pre>
        <h3>Node</h3>
        <pre>{snippets.node}</pre>
      </section>
      <section aria-labelledby="controls-title">
        <h2 id="controls-title">Control the routing and the bill</h2>
        <p>Add these fields to any chat request (the OpenAI SDKs pass them through as extra body fields):</p>
        <RoutingControls />
      </section>
    </Layout>
  );
}
