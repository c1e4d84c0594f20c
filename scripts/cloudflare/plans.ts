/**
 * The wrangler commands each script runs, as data: the scripts run them, `--print` shows them, and
 * the tests read them without an account.
 */
import { PROVIDER_KEY_SECRETS, REQUIRED_SECRETS, resourceNames, type Environment } from './environments.ts';
import { D1_ID_PLACEHOLDER } from './d1-id.ts';
import { shellLine } from './wrangler.ts';

/** npm run deploy: secrets checked, remote migrations applied, then the deploy itself. */
export function deployPlan(env: Environment) {
  return {
    secretList: ['secret', 'list', '--env', env, '--format', 'json'],
    migrations: ['d1', 'migrations', 'apply', 'DB', '--remote', '--env', env],
    deploy: ['deploy', '--env', env],
  };
}

/** npm run deploy -- --dry-run: the environment's bundle, built with its config; no account call. */
export function dryRunDeployCommand(env: Environment, outdir: string): string[] {
  return ['deploy', '--dry-run', '--env', env, '--outdir', outdir];
}

/** npm run setup:cloudflare: the account's resources, created once. */
export function setupCreateCommands(env: Environment): string[][] {
  const names = resourceNames(env);
  return [
    ['d1', 'create', names.database],
    ['queues', 'create', names.queue],
    ['queues', 'create', names.deadLetterQueue],
    ['queues', 'create', names.billingLogQueue],
    ['queues', 'create', names.billingLogDeadLetterQueue],
    ['queues', 'create', names.exportQueue],
    ['r2', 'bucket', 'create', names.archiveBucket],
  ];
}

/**
 * How to set each secret: wrangler prompts for the value. ADMIN_TOKEN and BYOK_ENCRYPTION_KEY are
 * random (`openssl rand -base64 32`), and the operator keeps a copy: the admin API needs the token,
 * and stored provider keys are lost with the master key.
 */
export function secretInstructions(env: Environment): string[] {
  const put = (name: string, where: string) => `${shellLine(['secret', 'put', name, '--env', env])}    # ${where}`;
  const lines: Record<(typeof REQUIRED_SECRETS)[number], string> = {
    ADMIN_TOKEN: put('ADMIN_TOKEN', 'paste the output of `openssl rand -base64 32`; keep a copy for /admin/v1 calls'),
    BYOK_ENCRYPTION_KEY: put('BYOK_ENCRYPTION_KEY', 'paste another `openssl rand -base64 32`; keep a copy offline'),
    STRIPE_SECRET_KEY: put('STRIPE_SECRET_KEY', `Stripe dashboard → Developers → API keys (${env === 'production' ? 'sk_live_…' : 'sk_test_…, test mode'})`),
    STRIPE_WEBHOOK_SECRET: put('STRIPE_WEBHOOK_SECRET', "the webhook endpoint's signing secret (whsec_…)"),
    RESEND_API_KEY: put('RESEND_API_KEY', 'Resend → API Keys, with sending access to the verified domain'),
  };
  return [
    ...REQUIRED_SECRETS.map((name) => lines[name]),
    put('DEEPSEEK_API_KEY', `at least one provider key: ${PROVIDER_KEY_SECRETS.join(', ')}`),
  ];
}

/** Everything setup does, as the commands to type and the line to write: what `--print` shows. */
export function renderSetupPrint(env: Environment): string {
  return [
    `# One-time setup of find-token's ${env} environment (after \`npx wrangler login\`).`,
    '# 1. The resources:',
    ...setupCreateCommands(env).map((args) => shellLine(args)),
    `# 2. In wrangler.toml's [[env.${env}.d1_databases]], replace "${D1_ID_PLACEHOLDER}" with the id \`d1 create\` printed:`,
    `database_id = "<the id>"`,
    '# 3. The secrets:',
    ...secretInstructions(env),
    '# 4. Then deploy (applies the D1 migrations first):',
    `npm run deploy -- --env ${env}`,
  ].join('\n');
}
