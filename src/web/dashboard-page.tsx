/** The dashboard: balance and recharge, API keys, provider keys, usage, exports, billing logs and recharges. */
import type { AccountSummary } from '../account/account-summary';
import type { StoredByokKey } from '../account/byok-key-store';
import type { ListedKey } from '../accounts/create-key';
import type { BillingLogRow } from '../db/schema';
import { PROVIDER_IDS } from '../base/provider-id';
import type { Recharge } from '../payments/recharges';
import { CATALOG } from '../base/catalog';
import { Layout, Notice } from './layout';
import { ConfirmedAction, Csrf } from './form-parts';
import { KeysSection } from './keys-section';
import { balance, requestCost, total } from './money-view';
import { UsageChart, type UsageRow } from './usage-chart';
import { ExportForm } from './export-page';

export interface DashboardData {
  email: string;
  csrf: string;
  summary: AccountSummary;
  minRecharge: number;
  keys: ListedKey[];
  providerKeys: StoredByokKey[];
  usage: UsageRow[];
  logs: BillingLogRow[];
  logsNextCursor: string | null;
  logModel: string | undefined;
  recharges: Recharge[];
  now: number;
  message?: { kind: 'ok' | 'bad'; text: string };
  /** A key just created: shown this once. */
  newKey?: { name: string; key: string };
}

const date = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

export function DashboardPage(props: DashboardData) {
  const { summary, csrf } = props;
  return (
    <Layout title="Dashboard" signedIn csrf={csrf}>
      <h1>Dashboard</h1>
      <p class="muted">Signed in as {props.email}</p>
      {props.message ? <Notice kind={props.message.kind}>{props.message.text}</Notice> : null}

      <section aria-labelledby="balance-title">
        <h2 id="balance-title">Balance</h2>
        <p class="balance" id="balance">
          {balance(summary.balance)}
        </p>
        <p class="muted">
          {total(summary.reserved)} held for requests in flight · BYOK requests this month: {summary.byok.requests.toLocaleString('en-US')}
        </p>
        <form method="post" action="/dashboard/recharge" class="inline">
          <Csrf token={csrf} />
          <label>
            Recharge amount (USD)
            <input type="number" name="amount" min={String(props.minRecharge)} step="0.01" required value={String(props.minRecharge)} />
          </label>
          <button type="submit">Recharge</button>
        </form>
      </section>

      <KeysSection keys={props.keys} csrf={csrf} now={props.now} {...(props.newKey ? { newKey: props.newKey } : {})} />

      <section aria-labelledby="byok-title">
        <h2 id="byok-title">Your provider keys (BYOK)</h2>
        <form method="post" action="/dashboard/byok" class="inline">
          <Csrf token={csrf} />
          <label>
            Provider
            <select name="provider">
              {PROVIDER_IDS.map((provider) => (
                <option value={provider}>{provider}</option>
              ))}
            </select>
          </label>
          <label>
            API key
            <input type="password" name="api_key" required autocomplete="off" />
          </label>
          <label>
            Name
            <input type="text" name="name" maxlength={64} />
          </label>
          <label>
            <input type="checkbox" name="fallback_to_credits" value="on" /> Fall back to credits when the provider refuses it
          </label>
          <button type="submit">Add key</button>
        </form>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>provider</th>
                <th>name</th>
                <th>key</th>
                <th>added</th>
                <th>last used</th>
                <th>last error</th>
                <th>falls back to credits</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {props.providerKeys.map((key) => (
                <tr>
                  <td>{key.provider}</td>
                  <td>{key.name}</td>
                  <td>
                    <code>{key.hint}</code>
                  </td>
                  <td>{date(key.createdAt)}</td>
                  <td>{date(key.lastUsedAt)}</td>
                  <td>{key.lastError ?? '—'}</td>
                  <td>{key.fallbackToCredits ? 'yes' : 'no'}</td>
                  <td>
                    <ConfirmedAction action={`/dashboard/byok/${key.id}/delete`} confirm={`Remove your ${key.provider} key “${key.name}”?`} csrf={csrf} label="Remove" name={key.name} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="usage-title">
        <h2 id="usage-title">Usage, last 30 days</h2>
        <UsageChart rows={props.usage} now={props.now} metric="cost" title="Daily cost" />
        <UsageChart rows={props.usage} now={props.now} metric="requests" title="Daily requests" />
      </section>

      <ExportForm csrf={csrf} now={props.now} />

      <section aria-labelledby="logs-title">
        <h2 id="logs-title">Billing logs</h2>
        <form method="get" action="/dashboard#logs-title" class="inline">
          <label>
            Model
            <select name="model">
              <option value="">all models</option>
              {CATALOG.map((model) => (
                <option value={model.id} selected={model.id === props.logModel}>
                  {model.id}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="secondary">
            Filter
          </button>
        </form>
        <div class="table-wrap">
          <table id="billing-logs">
            <thead>
              <tr>
                <th>time (UTC)</th>
                <th>request</th>
                <th>model</th>
                <th>mode</th>
                <th class="num">tokens in / out</th>
                <th class="num">cost</th>
                <th>status</th>
              </tr>
            </thead>
            <tbody>
              {props.logs.map((log) => (
                <tr>
                  <td>{date(log.createdAt)}</td>
                  <td>
                    <code>{log.requestId}</code>
                  </td>
                  <td>{log.model}</td>
                  <td>{log.fallbackReason ? `${log.mode} (fallback: ${log.fallbackReason})` : log.mode}</td>
                  <td class="num">
                    {log.promptTokens} / {log.completionTokens}
                  </td>
                  <td class="num">{requestCost(log.cost)}</td>
                  <td>{log.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {props.logsNextCursor ? (
          <p>
            <a href={`/dashboard?${new URLSearchParams({ ...(props.logModel ? { model: props.logModel } : {}), cursor: props.logsNextCursor }).toString()}#logs-title`}>Older</a>
          </p>
        ) : null}
      </section>

      <section aria-labelledby="recharges-title">
        <h2 id="recharges-title">Recharges</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>created (UTC)</th>
                <th class="num">amount</th>
                <th>status</th>
                <th>paid</th>
                <th class="num">refunded</th>
              </tr>
            </thead>
            <tbody>
              {props.recharges.map((recharge) => (
                <tr>
                  <td>{date(recharge.created_at)}</td>
                  <td class="num">{balance(recharge.amount)}</td>
                  <td>{recharge.status}</td>
                  <td>{date(recharge.paid_at)}</td>
                  <td class="num">{balance(recharge.refunded_amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </Layout>
  );
}
