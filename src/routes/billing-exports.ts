/** Exports of an account's billing logs: streamed when small, built by a job when large, downloaded when ready. */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { exportDownload, exportRange, startExport, toPublicExport } from '../billing/export-start';
import { findExport } from '../billing/export-store';
import { ExportQuerySchema } from '../schemas/billing-requests';
import { zodToApiError } from '../schemas/zod-error';

const missing = (id: string) => notFound('export', `No export '${id}' in this account (exports expire 7 days after they are asked for).`);

export const billingLogExports = new Hono<AppEnv>()
  .get('/export', async (c) => {
    const parsed = ExportQuerySchema.safeParse(c.req.query(), { reportInput: true });
    if (!parsed.success) throw zodToApiError(parsed.error);
    const now = Date.now();
    const range = exportRange(c.get('auth').accountId, parsed.data, now);
    const started = await startExport(c.env, c.get('config'), range, parsed.data.format, now);
    if (started.kind === 'job') return c.json(toPublicExport(started.row, c.get('config')), 202);
    return new Response(started.body, { status: 200, headers: started.headers });
  })
  .get('/exports/:id', async (c) => {
    const row = await findExport(c.env.DB, c.get('auth').accountId, c.req.param('id'), Date.now());
    if (!row) throw missing(c.req.param('id'));
    return c.json(toPublicExport(row, c.get('config')));
  })
  .get('/exports/:id/download', async (c) => {
    const row = await findExport(c.env.DB, c.get('auth').accountId, c.req.param('id'), Date.now());
    if (!row) throw missing(c.req.param('id'));
    const download = await exportDownload(c.env.ARCHIVE, row);
    if (!download) throw notFound('export', `Export '${row.id}' is ${row.status === 'ready' ? 'gone' : `not ready (${row.status})`}: GET /v1/user/billing-logs/exports/${row.id} for its status.`);
    return download;
  });
