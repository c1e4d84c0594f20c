/** The dashboard's usage chart: the last 30 days, stacked by model, drawn as SVG on the server. */
import { total } from './money-view';
import { DAY_MS, utcDay } from '../base/utc-day';

export const CHART_DAYS = 30;
const PALETTE = ['#0b57d0', '#0a6e31', '#b3261e', '#8e24aa', '#e37400', '#00796b', '#5f6368', '#c2185b', '#3949ab', '#6d4c41'];

export interface UsageRow {
  day: string;
  model: string;
  requests: number;
  cost: number;
}

/**
 * The last 30 days from the daily rollups (at most 30 × models rows, one primary-key range), never from
 * the raw billing logs, whose count grows with use.
 */
export async function readUsage(db: D1Database, accountId: string, now: number): Promise<UsageRow[]> {
  const since = utcDay(now - (CHART_DAYS - 1) * DAY_MS);
  const { results } = await db
    .prepare('SELECT day, model, requests, cost FROM billing_rollups WHERE account_id = ? AND day >= ? ORDER BY day, model')
    .bind(accountId, since)
    .all<UsageRow>();
  return results;
}

/**
 * The bars are SVG stretched to the figure's width (any width, a fixed height); the scale, the dates and the
 * legend are HTML around it, so their text stays the page's size on a phone instead of shrinking with the SVG.
 */
export function UsageChart(props: { rows: UsageRow[]; now: number; metric: 'cost' | 'requests'; title: string }) {
  const days = Array.from({ length: CHART_DAYS }, (_, i) => utcDay(props.now - (CHART_DAYS - 1 - i) * DAY_MS));
  const models = [...new Set(props.rows.map((row) => row.model))].sort();
  const value = (row: UsageRow) => (props.metric === 'cost' ? row.cost : row.requests);
  const totals = days.map((day) => props.rows.filter((row) => row.day === day).reduce((sum, row) => sum + value(row), 0));
  const peak = Math.max(0, ...totals);
  const width = 600;
  const height = 160;
  const barWidth = width / CHART_DAYS;
  const label = (amount: number) => (props.metric === 'cost' ? total(amount) : `${amount} request${amount === 1 ? '' : 's'}`);
  return (
    <figure class="chart">
      <div class="chart-scale">{`Highest day: ${label(peak)}`}</div>
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" class="chart-bars" role="img" aria-labelledby={`${props.metric}-chart-title`}>
        <title id={`${props.metric}-chart-title`}>{`${props.title}: ${label(totals.reduce((a, b) => a + b, 0))} in the last ${CHART_DAYS} days`}</title>
        {days.map((day, i) => {
          let top = height;
          return props.rows
            .filter((row) => row.day === day)
            .map((row) => {
              const h = (value(row) / Math.max(1, peak)) * (height - 4);
              top -= h;
              return (
                <rect x={i * barWidth + 2} y={top} width={barWidth - 4} height={h} fill={PALETTE[models.indexOf(row.model) % PALETTE.length]} data-day={day} data-model={row.model}>
                  <title>{`${day} ${row.model}: ${label(value(row))}`}</title>
                </rect>
              );
            });
        })}
        <line x1="0" y1={height} x2={width} y2={height} stroke="#888" stroke-width="2" vector-effect="non-scaling-stroke" />
      </svg>
      <div class="chart-axis">
        <span>{days[0]}</span>
        <span>{days.at(-1)}</span>
      </div>
      <figcaption>
        {props.title}
        {models.length > 0 ? ' — ' : ''}
        {models.map((model, i) => (
          <span class="legend" data-color={PALETTE[i % PALETTE.length]}>
            {i > 0 ? ', ' : ''}
            <svg width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" fill={PALETTE[i % PALETTE.length]} />
            </svg>{' '}
            {model}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
