/** /docs's exports: every call of a range as a file, streamed or built in the background. */
import type { Config } from '../../env';

export function ExportsSection(props: { config: Config }) {
  return (
    <section id="exports" aria-labelledby="exports-title">
      <h2 id="exports-title">Exporting billing logs</h2>
      <p>
        <code>GET /v1/user/billing-logs/export?from=…&amp;to=…&amp;format=csv</code> (or <code>ndjson</code>) returns every call of the range, oldest first (by{' '}
        <code>created_at</code>, then <code>request_id</code>), however old: <code>from</code> and <code>to</code> are inclusive, Unix ms or ISO 8601; <code>to</code>{' '}
        defaults to now and <code>from</code> to 30 days before it. An NDJSON line is the object <code>GET /v1/user/billing-logs/&#123;request_id&#125;</code>{' '}
        returns; CSV has a header row of the same fields (the key as <code>key_id</code>, <code>key_name</code>, <code>key_prefix</code>), and a text cell starting
        with <code>=</code>, <code>+</code>, <code>-</code> or <code>@</code> gets a leading <code>'</code> so no spreadsheet runs it as a formula.
      </p>
      <p>
        Up to {props.config.exportInlineMaxRows.toLocaleString('en-US')} calls stream at once. A file that fails after it began still has status 200: its last line is
        then an error (NDJSON: <code>&#123;"error":&#123;…&#125;&#125;</code>; CSV: <code>#error,…</code>), and the file is incomplete — ask again. A larger range
        answers 202 with an export (<code>exp_…</code>) built in the background: poll its <code>url</code> until <code>status</code> is <code>ready</code>, then fetch
        its <code>download_url</code>. Exports are kept 7 days; at most 3 are built at once per account (429 <code>too_many_exports</code>). The dashboard has the same
        export as a form.
      </p>
    </section>
  );
}
