/** /docs's "bring your own key": how a provider key is used, what each provider's looks like, and falling back to credits. */
import type { Config } from '../../env';
import { PROVIDER_IDS } from '../../base/provider-id';
import { KEY_FORMATS } from '../../byok/provider-keys';
import { percent } from '../home';

export function ByokSection(props: { config: Config; baseUrl: string }) {
  const { config } = props;
  return (
    <section id="byok" aria-labelledby="byok-title">
      <h2 id="byok-title">Bring your own key (BYOK)</h2>
      <p>
        Register your own provider key and requests for that provider’s models are sent with it: the provider bills you; we charge nothing for the first{' '}
        {config.byokFreeRequestsPerMonth.toLocaleString('en-US')} requests each month, then a routing fee of {percent(config.byokFeeRate)} of the provider’s cost.
        Keys are stored encrypted and never shown again (only a hint such as <code>sk-…a1b2</code>). Send <code>"verify": true</code> to have the provider check the
        key first. A single request may also carry a key inline: <code>"provider_key": {'{"provider": "deepseek", "api_key": "sk-…"}'}</code> (used once, never
        stored).
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>provider</th>
              <th>key format we check</th>
            </tr>
          </thead>
          <tbody>
            {PROVIDER_IDS.map((provider) => (
              <tr>
                <td>
                  <code>{provider}</code>
                </td>
                <td>{KEY_FORMATS[provider] ? <code>{KEY_FORMATS[provider].shape}</code> : 'any (the provider judges it)'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>Every key must be 8 to 512 printable ASCII characters without spaces; the provider is the judge of the rest.</p>
      <p>
        A registered provider key may carry <code>fallback_to_credits: true</code> (or tick the box on the dashboard): when its provider refuses it (rejected, or out
        of balance or quota), the request is served in standard mode from your credits instead of answering 400 <code>invalid_provider_key</code>. The response says{' '}
        <code>X-FindToken-Mode: standard</code>, it is charged the standard price, does not count as a BYOK request, and its billing log has{' '}
        <code>mode: "standard"</code> and a <code>fallback_reason</code> such as <code>deepseek key refused: out of balance (HTTP 402)</code>. When your credits do not
        cover it as standard, it is a 402 naming the key. An inline <code>provider_key</code> never falls back, nor does a request with{' '}
        <code>billing_mode: "byok"</code>.
      </p>
      <pre>{`curl ${props.baseUrl}/user/byok/register \\\n  -H "Authorization: Bearer $FINDTOKEN_API_KEY" \\\n  -d '{"provider":"deepseek","api_key":"sk-…","fallback_to_credits":true}'`}</pre>
    </section>
  );
}
