/**
 * Which of the worker's queues a batch came from. Deployed queues carry their environment's suffix
 * (`find-token-charges-production`, wrangler.toml), so a batch is known by its name less that suffix.
 */
export type QueueRole = 'charges' | 'charges_dead' | 'billing_logs' | 'billing_logs_dead' | 'exports';

const ROLES: Record<string, QueueRole> = {
  'find-token-charges': 'charges',
  'find-token-charges-dead': 'charges_dead',
  'find-token-billing-logs': 'billing_logs',
  'find-token-billing-logs-dead': 'billing_logs_dead',
  'find-token-exports': 'exports',
};

const ENVIRONMENT_SUFFIX = /-(staging|production)$/;

/** The role of the queue named `name`, or undefined for a queue this worker does not consume. */
export function queueRole(name: string): QueueRole | undefined {
  return ROLES[name.replace(ENVIRONMENT_SUFFIX, '')];
}
