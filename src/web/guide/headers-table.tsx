/** /docs's headers: what a request may send, and every header find-token answers with (from the OpenAPI document's). */
import { HEADERS } from '../../openapi/components';

const REQUEST_HEADERS: ReadonlyArray<[string, string]> = [
  ['Authorization', 'Bearer sk-ft_…: your key, on every /v1 request but GET /v1/status. The Messages API also takes it as x-api-key.'],
  ['X-FindToken-Mode', 'standard or byok: the billing mode of a chat request, as its billing_mode field (send either, or both the same).'],
  ['Idempotency-Key', '1 to 255 visible ASCII characters, such as a UUID: an operator credit adjustment applies once per key. The /v1 API accepts the header (the SDKs may send it) and ignores it.'],
];

function Rows(props: { rows: ReadonlyArray<[string, string]> }) {
  return (
    <div class="table-wrap">
      <table>
        <tbody>
          {props.rows.map(([name, what]) => (
            <tr>
              <td>
                <code>{name}</code>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function HeadersTable() {
  const responseHeaders = Object.entries(HEADERS).map(([name, header]): [string, string] => [name, header.description]);
  return (
    <section id="headers" aria-labelledby="headers-title">
      <h2 id="headers-title">Headers</h2>
      <h3>Request</h3>
      <Rows rows={REQUEST_HEADERS} />
      <h3>Response</h3>
      <p>Every response has X-Request-Id; a chat answer has the X-FindToken-* headers; a 429 or a 503 may have Retry-After.</p>
      <Rows rows={responseHeaders} />
    </section>
  );
}
