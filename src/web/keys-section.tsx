/** The dashboard's API keys: make one (with its scopes, limit, models and expiry), see each key's rules and spend, revoke. */
import type { ListedKey } from '../accounts/create-key';
import { KEY_SCOPES, LIMIT_PERIODS } from '../base/key-rules';
import { parseSignedUsd } from '../base/money';
import { ConfirmedAction, Csrf } from './form-parts';
import { Notice } from './layout';
import { total } from './money-view';

const date = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));
const PER: Record<string, string> = { day: 'per day', month: 'per month', total: 'in total' };

/** A listed key carries dollars as the API shows them (6 decimals at most): back to units for the page's formatter. */
const units = (dollars: number) => parseSignedUsd(dollars.toFixed(6)) ?? 0;

function limitText(key: ListedKey): string {
  if (!key.limit) return 'none';
  return `${total(units(key.spent ?? 0))} of ${total(units(key.limit.amount))} ${PER[key.limit.period]}`;
}

export function KeysSection(props: { keys: ListedKey[]; csrf: string; now: number; newKey?: { name: string; key: string } }) {
  const { csrf } = props;
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      {props.newKey ? (
        <Notice kind="ok">
          <p>Your new key “{props.newKey.name}”. Copy it now: it is not shown again.</p>
          <p class="secret" id="new-key">
            {props.newKey.key}
          </p>
          <button type="button" class="secondary" data-copy="new-key">
            Copy
          </button>
        </Notice>
      ) : null}
      <form method="post" action="/dashboard/keys" class="inline">
        <Csrf token={csrf} />
        <label>
          Key name
          <input type="text" name="name" maxlength={64} placeholder="laptop" />
        </label>
        <fieldset>
          <legend>Scopes</legend>
          {KEY_SCOPES.map((scope) => (
            <label>
              <input type="checkbox" name={`scope_${scope}`} checked /> {scope}
            </label>
          ))}
        </fieldset>
        <label>
          Spend limit ($, optional)
          <input type="number" name="limit_amount" min="0.01" step="0.01" placeholder="none" />
        </label>
        <label>
          per
          <select name="limit_period">
            {LIMIT_PERIODS.map((period) => (
              <option value={period}>{period === 'total' ? 'in total' : period}</option>
            ))}
          </select>
        </label>
        <label>
          Models (optional, comma-separated)
          <input type="text" name="models" maxlength={2000} placeholder="every model" />
        </label>
        <label>
          Expires (optional, UTC)
          <input type="date" name="expires_at" min={new Date(props.now + 86_400_000).toISOString().slice(0, 10)} />
        </label>
        <button type="submit">Create key</button>
      </form>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>name</th>
              <th>key</th>
              <th>scopes</th>
              <th>limit</th>
              <th>models</th>
              <th>expires</th>
              <th>created</th>
              <th>last used</th>
              <th>status</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.keys.map((key) => (
              <tr>
                <td>
                  {key.name}
                  {key.parent ? <small> (made by key {props.keys.find((other) => other.id === key.parent)?.name ?? key.parent})</small> : null}
                </td>
                <td>
                  <code>{key.masked_key}</code>
                </td>
                <td>{key.scopes.join(', ')}</td>
                <td>{limitText(key)}</td>
                <td>{key.models ? key.models.join(', ') : 'all'}</td>
                <td>{key.expires_at !== null && key.expires_at <= props.now ? `expired ${date(key.expires_at)}` : date(key.expires_at)}</td>
                <td>{date(key.created_at)}</td>
                <td>{date(key.last_used_at)}</td>
                <td>{key.status}</td>
                <td>
                  {key.revoked_at ? null : (
                    <ConfirmedAction action={`/dashboard/keys/${key.id}/revoke`} confirm={`Revoke “${key.name}” and the keys it made? Requests with them will fail at once.`} csrf={csrf} label="Revoke" name={key.name} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
