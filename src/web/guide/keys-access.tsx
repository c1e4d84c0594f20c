/** /docs's keys and access: the rules a key carries, and how a key made with a key inherits them. */
import { MAX_KEY_MODELS } from '../../schemas/key-requests';

const RULES: ReadonlyArray<[string, string]> = [
  ['scopes', '"inference" (chat, models, balance, billing logs, the recharges list) and/or "manage" (keys, provider keys, recharges). Default both. Missing: 403 insufficient_scope.'],
  ['limit', '{"amount": 5, "period": "day" | "month" | "total"}: dollars the key may spend (standard charges and BYOK fees) per UTC day or month, or in total. A request holds its worst case against it, so concurrent requests cannot overshoot it. Past it: 403 key_limit_exceeded.'],
  ['models', `Up to ${MAX_KEY_MODELS} model ids the key may use. Another model: 403 model_not_allowed; routing never fails over to a model outside the list.`],
  ['expires_at', 'Unix seconds or ISO 8601 (shown back in ms, like every timestamp); after it, 401 key_expired.'],
];

export function KeysAccess(props: { baseUrl: string }) {
  return (
    <section id="keys" aria-labelledby="keys-title">
      <h2 id="keys-title">Keys and access</h2>
      <p>
        A key is <code>sk-ft_</code> and 64 hex characters, shown once; we keep only its hash. Every key carries rules, fixed when it is made and enforced on every
        request, so a revocation, an expiry or a limit holds from the next call:
      </p>
      <div class="table-wrap">
        <table>
          <tbody>
            {RULES.map(([rule, what]) => (
              <tr>
                <td>
                  <code>{rule}</code>
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        <strong>Parents.</strong> A key made with a key (<code>POST /v1/user/keys</code>) is that key’s child: a rule it leaves out is its parent’s, and none may be wider
        (scopes and models a subset, an expiry no later, a limit no larger over a period no shorter), or it is 400 <code>invalid_value</code> naming the field. A
        child’s spend counts against every limit above it, and revoking a key revokes its children and theirs. Keys made on the dashboard have no parent.
      </p>
      <pre>{`curl ${props.baseUrl}/user/keys \\\n  -H "Authorization: Bearer $FINDTOKEN_API_KEY" \\\n  -d '{"name":"ci","scopes":["inference"],"limit":{"amount":5,"period":"month"},"models":["deepseek-chat"],"expires_at":"2027-01-31T00:00:00Z"}'`}</pre>
    </section>
  );
}
