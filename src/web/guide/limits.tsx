/** /docs's limits: rates, body sizes, Checkout Sessions, counts; from the config the code enforces. */
import type { Config } from '../../env';
import { MAX_ACTIVE_KEYS_PER_ACCOUNT } from '../../accounts/account-store';
import { MAX_KEYS_PER_ACCOUNT as MAX_PROVIDER_KEYS } from '../../byok/provider-keys';
import { FORM_BODY_BYTES, JSON_BODY_BYTES } from '../../middleware/body-limit';
import { LOGIN_TOKEN_TTL_MS, SIGNUPS_PER_EMAIL_PER_HOUR, SIGNUPS_PER_IP_PER_HOUR } from '../session';

const kib = (bytes: number) => `${bytes / 1024} KiB`;

export function Limits(props: { config: Config }) {
  const { config } = props;
  const rows: Array<[string, string]> = [
    ['Requests', `${config.rateLimitPerMinute} a minute per account (every authenticated /v1 request of any of its keys, chat included); over it, 429 rate_limit_exceeded with Retry-After.`],
    ['Chat request body', `${kib(config.maxBodyBytes)}; over it, 413 request_too_large before the body is read.`],
    ['Other request bodies', `${kib(JSON_BODY_BYTES)} (JSON) and ${kib(FORM_BODY_BYTES)} (web forms).`],
    ['Recharges', `$${config.minRechargeUsd} to $${config.maxRechargeUsd} each; at most ${config.checkoutSessionsPerHour} Checkout Sessions an hour per account (429 past it).`],
    ['Keys', `${MAX_ACTIVE_KEYS_PER_ACCOUNT} active API keys and ${MAX_PROVIDER_KEYS} provider keys per account.`],
    ['Sign-in links', `${SIGNUPS_PER_EMAIL_PER_HOUR} an hour per address, ${SIGNUPS_PER_IP_PER_HOUR} an hour per IP; each works once, for ${LOGIN_TOKEN_TTL_MS / 60_000} minutes.`],
  ];
  return (
    <section id="limits" aria-labelledby="limits-title">
      <h2 id="limits-title">Limits</h2>
      <div class="table-wrap">
        <table>
          <tbody>
            {rows.map(([what, limit]) => (
              <tr>
                <td>{what}</td>
                <td>{limit}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
