/**
 * npm run setup:cloudflare -- --env <staging|production> [--print]
 *
 * Once per environment, after `npx wrangler login`: creates the D1 database, the queues and the R2 bucket,
 * writes the database's id into wrangler.toml's env section, and prints the `wrangler secret put`
 * commands still to run. --print only prints the commands (no account needed).
 * Run again after a failure: a resource that already exists is left as it is.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseScriptArgs } from './cloudflare/args.ts';
import { D1_ID_PLACEHOLDER, d1IdFromCreateOutput, readD1Id, writeD1Id } from './cloudflare/d1-id.ts';
import { renderSetupPrint, secretInstructions, setupCreateCommands } from './cloudflare/plans.ts';
import { shellLine, wrangler } from './cloudflare/wrangler.ts';

const CONFIG = 'wrangler.toml';

function fail(message: string): never {
  console.error(`[setup] ${message}`);
  process.exit(1);
}

const alreadyExists = (text: string) => /already (exists|taken)/i.test(text);

async function main(): Promise<void> {
  let args;
  try {
    args = parseScriptArgs(process.argv.slice(2), 'setup');
  } catch (error) {
    fail(`${(error as Error).message}\nusage: npm run setup:cloudflare -- --env <staging|production> [--print]`);
  }
  const { env } = args;
  if (args.print) {
    console.log(renderSetupPrint(env));
    return;
  }
  const [createDb, ...createQueues] = setupCreateCommands(env);

  if (readD1Id(readFileSync(CONFIG, 'utf8'), env) === D1_ID_PLACEHOLDER) {
    console.error(`[setup] ${shellLine(createDb!)}`);
    const created = await wrangler(createDb!, true);
    process.stdout.write(created.stdout);
    const id = created.code === 0 ? d1IdFromCreateOutput(created.stdout) : undefined;
    if (!id) {
      fail(`no D1 id from wrangler d1 create. If the database exists, its id is in \`npx wrangler d1 list\`: put it in ${CONFIG}'s [[env.${env}.d1_databases]] database_id and run this again.`);
    }
    writeFileSync(CONFIG, writeD1Id(readFileSync(CONFIG, 'utf8'), env, id));
    console.error(`[setup] wrote database_id = "${id}" into ${CONFIG} [[env.${env}.d1_databases]]: commit it`);
  } else {
    console.error(`[setup] ${CONFIG} already has a D1 id for ${env}: not creating the database`);
  }

  for (const command of createQueues) {
    console.error(`[setup] ${shellLine(command)}`);
    const result = await wrangler(command, true);
    process.stdout.write(result.stdout);
    if (result.code !== 0 && !alreadyExists(result.stdout + result.stderr)) fail(`creating ${command[0] === 'r2' ? 'the bucket' : 'the queue'} failed: ${shellLine(command)}`);
  }

  console.log(`\nNow set the ${env} secrets (README "Deploy"):\n${secretInstructions(env).join('\n')}\n\nThen: npm run deploy -- --env ${env}`);
}

await main();
