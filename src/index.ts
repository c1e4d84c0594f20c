import { createApp } from './app';
import type { Env } from './env';
import { runScheduled } from './jobs/scheduled';

export { AccountDurableObject } from './account/account-object';

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runScheduled(controller.cron, env, new Date(controller.scheduledTime)));
  },
} satisfies ExportedHandler<Env>;
