/** /docs's endpoints: one row per operation of the OpenAPI document, so the two cannot disagree. */
type Operation = { summary: string; security?: unknown[]; description?: string };

/** Who may call it: nobody needs a key, or a key with the scope the operation names. */
function authOf(operation: Operation): string {
  if (operation.security?.length === 0) return 'none';
  const scope = /`(inference|manage)` scope/.exec(operation.description ?? '')?.[1];
  return scope ? `key (${scope})` : 'key';
}

export function EndpointsTable(props: { document: { paths: Record<string, Record<string, Operation>> } }) {
  const rows = Object.entries(props.document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({ endpoint: `${method.toUpperCase()} ${path}`, operation })),
  );
  return (
    <section id="endpoints" aria-labelledby="endpoints-title">
      <h2 id="endpoints-title">Endpoints</h2>
      <p>
        The whole API, with every field, header and error, is <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1: load it into any OpenAPI tool or client
        generator). Every <code>/v1</code> endpoint answers browsers on any origin (CORS, without cookies).
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>endpoint</th>
              <th>auth</th>
              <th>what</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ endpoint, operation }) => (
              <tr>
                <td>
                  <code>{endpoint}</code>
                </td>
                <td>{authOf(operation)}</td>
                <td>{operation.summary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
