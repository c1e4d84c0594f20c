import { createApp } from './app';
import type { Env } from './env';
import { runScheduled } from './jobs/scheduled';
import { consumeCharges } from './account/charge-queue';
import { runLogged } from './jobs/job-log';

export { AccountDurableObject } from './account/account-object';

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runScheduled(controller.cron, env, new Date(controller.scheduledTime)));
  },
  // Charges the worker could not record in time (account/charge-delivery.ts), and those that kept failing.
  queue: async (batch, env) => {
    await runLogged('charges', { queue: batch.queue, messages: batch.messages.length }, () => consumeCharges(batch, env));
  },
} satisfies ExportedHandler<Env>;
