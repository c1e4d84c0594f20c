/**
 * `npm run dev`: the gateway on http://localhost:8787 with local D1 and Durable
 * Objects, migrations applied first. Providers without a key in .dev.vars are
 * pointed at a local stand-in upstream, so a first request works offline; an
 * operator token for the admin API is set when .dev.vars has none.
 *
 * Options: --port N (8787), --persist-to DIR (wrangler's default state folder),
 * --public-url URL (PUBLIC_URL; default: .dev.vars', else http://localhost:PORT),
 * --standin-port N (a free port), --offline (stand-in for every provider and the
 * dev admin token, whatever .dev.vars says; the end-to-end tests use it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { startStandin, STANDIN_PROVIDERS, type Standin } from '../test/support/standin/server.ts';
import { standinProviderVars } from '../test/support/standin/provider-vars.ts';

export const DEV_ADMIN_TOKEN = 'dev-admin-token';
/** A fixed, public master key for provider keys stored by a local dev server only (never use it deployed). */
export const DEV_STRIPE_WEBHOOK_SECRET = 'whsec_dev_local_checkout';
export const DEV_BYOK_ENCRYPTION_KEY = 'ZGV2LW9ubHktYnlvay1tYXN0ZXIta2V5LTMyLWJ5dGU=';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    'persist-to': { type: 'string' },
    'standin-port': { type: 'string', default: '0' },
    offline: { type: 'boolean', default: false },
    'public-url': { type: 'string' },
  },
});

// Run wrangler on this same Node (22+), whatever `node` the shell has.
const wranglerBin = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');
const persist = values['persist-to'] ? ['--persist-to', values['persist-to']] : [];

/** KEY=value lines, as wrangler reads .dev.vars (quotes optional, # comments). */
function readDevVars(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match || !match[1]) continue;
    vars[match[1]] = (match[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
  }
  return vars;
}

function run(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [wranglerBin, ...args], { stdio: 'inherit', env: { ...process.env, CI: 'true' } });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  // --var values win over .dev.vars in wrangler dev, so offline mode can override a developer's keys.
  const devVars = values.offline ? {} : readDevVars('.dev.vars');
  const vars: string[] = [];
  const offline = STANDIN_PROVIDERS.filter((provider) => !devVars[`${provider.toUpperCase()}_API_KEY`]);
  let standin: Standin | undefined;
  if (offline.length > 0) {
    standin = await startStandin({ port: Number(values['standin-port']) });
    for (const [name, value] of Object.entries(standinProviderVars(standin.url, () => 'standin-key', offline))) vars.push(`${name}:${value}`);
    console.log(`[dev] no key in .dev.vars for ${offline.join(', ')}: served by the local stand-in at ${standin.url}`);
  }
  // Emailed links and checkout URLs point at this server itself.
  if (values['public-url']) vars.push(`PUBLIC_URL:${values['public-url']}`);
  else if (!devVars.PUBLIC_URL) vars.push(`PUBLIC_URL:http://localhost:${values.port}`);
  if (!devVars.BYOK_ENCRYPTION_KEY) vars.push(`BYOK_ENCRYPTION_KEY:${DEV_BYOK_ENCRYPTION_KEY}`);
  if (!devVars.STRIPE_SECRET_KEY) {
    // No Stripe: recharges go through the local checkout page, which signs its webhook with this secret.
    vars.push('LOCAL_CHECKOUT:true');
    if (!devVars.STRIPE_WEBHOOK_SECRET) vars.push(`STRIPE_WEBHOOK_SECRET:${DEV_STRIPE_WEBHOOK_SECRET}`);
    console.log('[dev] no STRIPE_SECRET_KEY: recharges use the local checkout page (no card is charged)');
  }
  if (!devVars.ADMIN_TOKEN) {
    vars.push(`ADMIN_TOKEN:${DEV_ADMIN_TOKEN}`);
    console.log(`[dev] admin API token: ${DEV_ADMIN_TOKEN} (set ADMIN_TOKEN in .dev.vars to change it)`);
  }

  const migrated = await run(['d1', 'migrations', 'apply', 'DB', '--local', ...persist]);
  if (migrated !== 0) {
    await standin?.close();
    process.exit(migrated);
  }

  const args = ['dev', '--port', values.port, '--ip', '127.0.0.1', '--test-scheduled', '--show-interactive-dev-session=false', ...persist];
  for (const v of vars) args.push('--var', v);
  const child: ChildProcess = spawn(process.execPath, [wranglerBin, ...args], { stdio: 'inherit' });
  const stop = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  child.on('exit', async (code) => {
    await standin?.close();
    process.exit(code ?? 0);
  });
}

await main();
