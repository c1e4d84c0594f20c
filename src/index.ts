import { createApp } from './app';
import type { Env } from './env';
import { runScheduled } from './jobs/scheduled';
import { consumeCharges } from './account/charge-queue';
import { consumeBillingLogs } from './billing/log-consumer';
import { runLogged } from './jobs/job-log';
import { queueRole } from './base/queue-names';
import { logError } from './base/log';
import { consumeExports } from './billing/export-job';
import type { ExportMessage } from './billing/export-store';

export { AccountDurableObject } from './account/account-object';

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runScheduled(controller.cron, env, new Date(controller.scheduledTime)));
  },
  queue: async (batch, env) => {
    const role = queueRole(batch.queue);
    switch (role) {
      // Charges the worker could not record in time (account/charge-delivery.ts), and those that kept failing.
      case 'charges':
      case 'charges_dead':
        await runLogged('charges', { queue: batch.queue, messages: batch.messages.length }, () => consumeCharges(batch, env));
        return;
      // Billing-log exports too large for one response (billing/export-job.ts): a step of one export per message.
      case 'exports':
        await runLogged('exports', { queue: batch.queue, messages: batch.messages.length }, () => consumeExports(batch as MessageBatch<ExportMessage>, env));
        return;
      // Billing logs handed over by the account objects (billing/log-consumer.ts); its own line per batch.
      case 'billing_logs':
      case 'billing_logs_dead':
        await consumeBillingLogs(batch, env);
        return;
      default:
        // Not acknowledged: the queue retries it, and the line says which queue has no consumer here.
        logError('queue.unknown', { queue: batch.queue, role, message: 'no consumer for this queue' });
        batch.retryAll();
    }
  },
} satisfies ExportedHandler<Env>;
