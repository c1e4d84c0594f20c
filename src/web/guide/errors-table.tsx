/** /docs's errors: every code the API answers, with its status and when, from the catalogue errors.ts's factories fill. */
import { ERROR_CODES } from '../../openapi/error-catalog';

/** Text whose `backquoted` words are code. */
function WithCode(props: { text: string }) {
  return <>{props.text.split('`').map((part, i) => (i % 2 === 1 ? <code>{part}</code> : part))}</>;
}

export function ErrorsTable() {
  const codes = [...ERROR_CODES].sort((a, b) => a.status - b.status);
  return (
    <section id="errors" aria-labelledby="errors-title">
      <h2 id="errors-title">Errors</h2>
      <p>
        Every error is OpenAI’s JSON: <code>{'{"error": {"message", "type", "param", "code"}}'}</code>; <code>param</code> names the field at fault. Retry a 429 or a
        5xx (after <code>Retry-After</code> when it is given); the others will not succeed unchanged.
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>status</th>
              <th>code</th>
              <th>when</th>
            </tr>
          </thead>
          <tbody>
            {codes.map((entry) => (
              <tr>
                <td>{entry.status}</td>
                <td>
                  <code>{entry.code}</code>
                </td>
                <td>
                  <WithCode text={entry.when} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
