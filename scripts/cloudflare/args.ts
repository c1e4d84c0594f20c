/**
 * The command line of `npm run deploy` and `npm run setup:cloudflare`: `--env` is required (there is
 * no default environment, so nothing reaches production by accident), plus one flag each.
 */
import { parseArgs } from 'node:util';
import { ENVIRONMENTS, isEnvironment, type Environment } from './environments.ts';

export interface ScriptArgs {
  env: Environment;
  /** deploy: bundle with `wrangler deploy --dry-run` and call no account. */
  dryRun: boolean;
  /** setup: print the commands instead of running them. */
  print: boolean;
  /** deploy --dry-run: where the bundle goes (default dist/<env>). */
  outdir: string;
}

export function parseScriptArgs(argv: readonly string[], allowed: 'deploy' | 'setup'): ScriptArgs {
  const { values: parsed, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      env: { type: 'string', short: 'e' },
      ...(allowed === 'deploy' ? { 'dry-run': { type: 'boolean' }, outdir: { type: 'string' } } : { print: { type: 'boolean' } }),
    },
  });
  // The two scripts' options differ; read them through one shape.
  const values = parsed as { env?: string; 'dry-run'?: boolean; print?: boolean; outdir?: string };
  if (positionals.length > 0) throw new Error(`unexpected argument: ${positionals[0]}`);
  const env = values.env;
  if (typeof env !== 'string') throw new Error(`--env is required: one of ${ENVIRONMENTS.join(', ')}`);
  if (!isEnvironment(env)) throw new Error(`unknown environment '${env}': one of ${ENVIRONMENTS.join(', ')}`);
  const outdir = values.outdir;
  return {
    env,
    dryRun: values['dry-run'] === true,
    print: values.print === true,
    outdir: typeof outdir === 'string' ? outdir : `dist/${env}`,
  };
}
