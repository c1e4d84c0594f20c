/**
 * The secrets a deployed gateway must have: the worker's health check names the missing ones, and
 * `npm run deploy` refuses without them. No imports, so the Node-side scripts read this same list.
 */
export const REQUIRED_SECRETS = ['ADMIN_TOKEN', 'BYOK_ENCRYPTION_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'RESEND_API_KEY'] as const;
