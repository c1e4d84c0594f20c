/**
 * npm run deploy -- --env <staging|production> [--dry-run [--outdir DIR]]
 *
 * Refuses without --env. Checks the environment has its D1 id and every secret it needs (naming the
 * missing ones), applies the remote D1 migrations, then deploys: the code never runs against a schema
 * older than itself. --dry-run calls no account: it bundles with the environment's config instead.
 */
import { readFileSync } from 'node:fs';
import { parseScriptArgs } from './cloudflare/args.ts';
import { D1_ID_PLACEHOLDER, readD1Id } from './cloudflare/d1-id.ts';
import { deployPlan, dryRunDeployCommand } from './cloudflare/plans.ts';
import { checkSecrets, describeMissing } from './cloudflare/secrets.ts';
import { wrangler } from './cloudflare/wrangler.ts';

function fail(message: string): never {
  console.error(`[deploy] ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseScriptArgs(process.argv.slice(2), 'deploy');
  } catch (error) {
    fail(`${(error as Error).message}\nusage: npm run deploy -- --env <staging|production> [--dry-run [--outdir DIR]]`);
  }
  const { env } = args;
  if (args.dryRun) {
    const { code } = await wrangler(dryRunDeployCommand(env, args.outdir));
    process.exit(code);
  }
  const plan = deployPlan(env);
  if (readD1Id(readFileSync('wrangler.toml', 'utf8'), env) === D1_ID_PLACEHOLDER) {
    fail(`wrangler.toml has no D1 id for ${env} yet: run npm run setup:cloudflare -- --env ${env} first`);
  }

  console.error(`[deploy] checking the ${env} secrets`);
  const list = await wrangler(plan.secretList, true);
  if (list.code !== 0) {
    // Not logged in, or no worker yet: `wrangler secret put` creates the worker with its first secret.
    fail(`could not list the ${env} secrets (wrangler's error above); set them first: npm run setup:cloudflare -- --env ${env} --print`);
  }
  const missing = describeMissing(checkSecrets(list.stdout), env);
  if (missing) fail(`${env} is missing secrets; set them, then deploy again:\n${missing}`);

  console.error(`[deploy] applying the D1 migrations to find-token-${env}`);
  if ((await wrangler(plan.migrations)).code !== 0) fail('the D1 migrations failed: nothing was deployed');

  console.error(`[deploy] deploying find-token-${env}`);
  const { code } = await wrangler(plan.deploy);
  if (code !== 0) fail('wrangler deploy failed; the D1 migrations above stay applied');
  console.error(`[deploy] done: check it with curl -s https://api.<your domain>/v1/models (README "Deploy", step 8)`);
}

await main();
