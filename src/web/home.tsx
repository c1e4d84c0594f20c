/** The home page: what find-token is, sign-up, every model's price, a cost calculator, and a quick start. */
import type { Config } from '../env';
import { computeCost, ONE, onePlus, type Rate } from '../base/cost';
import { formatUsd } from '../base/money';
import { CATALOG, findModel, type CatalogModel } from '../base/catalog';
import { Layout, Notice } from './layout';

export const percent = (rate: Rate) => `${(Number(rate.numerator) * 100) / Number(rate.denominator)}%`;
const perMillion = (units: number | undefined) => (units === undefined ? '—' : `$${formatUsd(units)}`);
const withFee = (units: number, config: Config) => computeCost({ promptTokens: 1_000_000, cachedTokens: 0, completionTokens: 0 }, { input: units, output: 0 }, onePlus(config.standardFeeRate));

export interface Calculation {
  model: CatalogModel;
  tokensIn: number;
  tokensOut: number;
  requestsPerDay: number;
}

/** Reads the calculator's query (defaults when absent or out of range). */
export function readCalculation(query: Record<string, string | undefined>): Calculation {
  const bounded = (value: string | undefined, fallback: number, max: number) => {
    const number = Number(value);
    return Number.isInteger(number) && number >= 0 && number <= max ? number : fallback;
  };
  return {
    model: findModel(query['model'] ?? '') ?? CATALOG[0]!,
    tokensIn: bounded(query['in'], 1_000, 1_000_000),
    tokensOut: bounded(query['out'], 500, 1_000_000),
    requestsPerDay: bounded(query['rpd'], 1_000, 10_000_000),
  };
}

/** Daily and monthly (30-day) cost in units: standard (provider cost × 1.055) and BYOK (free tier, then the fee). */
export function estimate(calc: Calculation, config: Config) {
  const usage = { promptTokens: calc.tokensIn, cachedTokens: 0, completionTokens: calc.tokensOut };
  const providerPerRequest = computeCost(usage, calc.model.price, ONE);
  const standardPerRequest = computeCost(usage, calc.model.price, onePlus(config.standardFeeRate));
  const monthlyRequests = calc.requestsPerDay * 30;
  const paidRequests = Math.max(0, monthlyRequests - config.byokFreeRequestsPerMonth);
  const byokMonthly = computeCost({ promptTokens: calc.tokensIn * paidRequests, cachedTokens: 0, completionTokens: calc.tokensOut * paidRequests }, calc.model.price, config.byokFeeRate);
  return {
    standardDaily: standardPerRequest * calc.requestsPerDay,
    standardMonthly: standardPerRequest * monthlyRequests,
    byokMonthly,
    providerMonthly: providerPerRequest * monthlyRequests,
  };
}

export function quickStart(baseUrl: string) {
  return {
    curl: `curl ${baseUrl}/chat/completions \\\n  -H "Authorization: Bearer $FT_KEY" \\\n  -d '{"model":"deepseek-chat","messages":[{"role":"user","content":"Hello!"}]}'`,
    python: `from openai import OpenAI\nclient = OpenAI(api_key="sk-ft_…", base_url="${baseUrl}")\nprint(client.chat.completions.create(model="deepseek-chat", messages=[{"role": "user", "content": "Hello!"}]).choices[0].message.content)`,
    node: `import OpenAI from 'openai';\nconst client = new OpenAI({ apiKey: process.env.FT_KEY, baseURL: '${baseUrl}' });\nconst answer = await client.chat.completions.create({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hello!' }] });`,
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
                ${formatUsd(withFee(model.price.input, props.config))} / ${formatUsd(withFee(model.price.output, props.config))}
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
      <section aria-labelledby="pricing-title">
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
            <input type="number" name="in" min="0" value={String(calc.tokensIn)} />
          </label>
          <label>
            Tokens out per request
            <input type="number" name="out" min="0" value={String(calc.tokensOut)} />
          </label>
          <label>
            Requests per day
            <input type="number" name="rpd" min="0" value={String(calc.requestsPerDay)} />
          </label>
          <button type="submit">Calculate</button>
        </form>
        <div class="grid" aria-live="polite">
          <p>
            Standard: <strong id="standard-daily">${formatUsd(cost.standardDaily)}</strong> a day, <strong id="standard-monthly">${formatUsd(cost.standardMonthly)}</strong> a month
          </p>
          <p>
            BYOK: <strong id="byok-monthly">${formatUsd(cost.byokMonthly)}</strong> a month to us (plus ${formatUsd(cost.providerMonthly)} to {calc.model.provider} on your key)
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
    </Layout>
  );
}
