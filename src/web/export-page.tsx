/** The dashboard's export: the form (a range and a format) and the page of an export a job builds. */
import type { BillingLogExportRow } from '../db/schema';
import { Csrf } from './form-parts';
import { Layout } from './layout';
import { DAY_MS, utcDay } from '../base/utc-day';

const time = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

/** From the first day's start to the last day's end (UTC); a large range becomes a job with its own page. */
export function ExportForm(props: { csrf: string; now: number }) {
  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">Export billing logs</h2>
      <form method="post" action="/dashboard/export" class="inline">
        <Csrf token={props.csrf} />
        <label>
          From (UTC)
          <input type="date" name="from" required value={utcDay(props.now - 29 * DAY_MS)} />
        </label>
        <label>
          To (UTC, inclusive)
          <input type="date" name="to" required value={utcDay(props.now)} />
        </label>
        <label>
          Format
          <select name="format">
            <option value="csv">CSV</option>
            <option value="ndjson">NDJSON</option>
          </select>
        </label>
        <button type="submit">Export</button>
      </form>
      <p class="muted">A large range is prepared in the background: you get a page to come back to, with the download once it is ready (kept 7 days).</p>
    </section>
  );
}

const STATUS_TEXT: Record<BillingLogExportRow['status'], string> = {
  pending: 'Waiting to start. Reload this page to see its progress.',
  building: 'Being prepared. Reload this page to see its progress.',
  ready: 'Ready.',
  failed: 'It could not be prepared. Start the export again from the dashboard.',
};

export function ExportPage(props: { row: BillingLogExportRow; csrf: string }) {
  const { row } = props;
  return (
    <Layout title="Export" signedIn csrf={props.csrf}>
      <h1>Billing-log export</h1>
      <section aria-labelledby="export-status-title">
        <h2 id="export-status-title">
          {time(row.fromMs)} to {time(row.toMs)} (UTC), {row.format.toUpperCase()}
        </h2>
        <p id="export-status" data-status={row.status}>
          {STATUS_TEXT[row.status]}
        </p>
        {row.status === 'ready' ? (
          <p>
            <a href={`/dashboard/exports/${row.id}/download`} download>
              Download ({(row.rows ?? 0).toLocaleString('en-US')} rows)
            </a>
          </p>
        ) : null}
        <p class="muted">Available until {time(row.expiresAt)} UTC.</p>
        <p>
          <a href="/dashboard">Back to the dashboard</a>
        </p>
      </section>
    </Layout>
  );
}
