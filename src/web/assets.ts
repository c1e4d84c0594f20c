/** The pages' one stylesheet and one small script, served from the worker (CSP allows only 'self'). */

export const APP_CSS = `
:root { --fg: #111; --muted: #555; --bg: #fff; --line: #ddd; --accent: #0b57d0; --ok: #0a6e31; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); overflow-wrap: break-word; }
header, main, footer { max-width: 64rem; margin: 0 auto; padding: 1rem; }
header { display: flex; gap: 1rem; align-items: center; justify-content: space-between; border-bottom: 1px solid var(--line); }
header nav { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
/* Nothing may be wider than a phone: long code, keys and URLs break anywhere; media shrink to fit. */
code, .secret { overflow-wrap: anywhere; }
img, svg, input, select { max-width: 100%; }
a { color: var(--accent); }
a:focus, button:focus, input:focus, select:focus { outline: 3px solid #f4b400; outline-offset: 2px; }
h1 { font-size: 1.8rem; margin: .5rem 0; } h2 { font-size: 1.3rem; margin-top: 2rem; }
.muted { color: var(--muted); }
form.inline { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
label { display: flex; flex-direction: column; font-weight: 600; font-size: .9rem; gap: .25rem; }
input, select, button { font: inherit; padding: .5rem .6rem; border: 1px solid #888; border-radius: .4rem; min-height: 2.5rem; }
/* A checkbox is a box, not a text field: without this it takes a field's padding and height. */
input[type="checkbox"] { min-height: 0; padding: 0; width: 1.1rem; height: 1.1rem; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
/* A table scrolls inside its own box, never the page. */
.table-wrap { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
/* Sentences in a table wrap (a header-less table is all prose): a line of them would be a screen wide. */
td.prose, table:not(:has(thead)) td { white-space: normal; min-width: 12rem; }
.notice { padding: .75rem 1rem; border-radius: .4rem; margin: 1rem 0; border: 1px solid; }
.notice.ok { color: var(--ok); border-color: var(--ok); background: #eefaf1; }
.notice.bad { color: var(--bad); border-color: var(--bad); background: #fdf0ef; }
.secret { font-family: ui-monospace, monospace; word-break: break-all; background: #f4f4f4; padding: .5rem; border-radius: .3rem; }
pre { background: #f4f4f4; padding: .75rem; border-radius: .4rem; overflow-x: auto; font-size: .9rem; }
.balance { font-size: 2rem; font-weight: 700; }
.grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); }
figure { margin: 1rem 0; }
.chart-bars { display: block; width: 100%; height: 10rem; }
.chart-scale, .chart-axis { font-size: .8rem; color: var(--muted); }
.chart-axis { display: flex; flex-wrap: wrap; justify-content: space-between; gap: .5rem; }
@media (max-width: 40rem) { header { flex-direction: column; align-items: flex-start; } h1 { font-size: 1.5rem; } }
`;

export const APP_JS = `
document.addEventListener('click', async (event) => {
  const copy = event.target.closest('[data-copy]');
  if (copy) {
    const text = document.getElementById(copy.dataset.copy)?.textContent ?? '';
    await navigator.clipboard?.writeText(text).catch(() => {});
    copy.textContent = 'Copied';
  }
});
document.addEventListener('submit', (event) => {
  const message = event.target.dataset?.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
`;
