/** The command line of npm run deploy and npm run setup:cloudflare: no environment, no run. */
import { describe, expect, it } from 'vitest';
import { parseScriptArgs } from '../../../scripts/cloudflare/args.ts';
import { deployPlan, dryRunDeployCommand } from '../../../scripts/cloudflare/plans.ts';

describe('parseScriptArgs', () => {
  it('requires --env, and only a known one', () => {
    expect(() => parseScriptArgs([], 'deploy')).toThrow(/--env is required/);
    expect(() => parseScriptArgs(['--dry-run'], 'deploy')).toThrow(/--env is required/);
    expect(() => parseScriptArgs(['--env', 'prod'], 'deploy')).toThrow(/unknown environment 'prod'/);
  });

  it('reads deploy’s flags, with the dry run’s outdir per environment', () => {
    expect(parseScriptArgs(['--env', 'production'], 'deploy')).toMatchObject({ env: 'production', dryRun: false, outdir: 'dist/production' });
    expect(parseScriptArgs(['--env=staging', '--dry-run', '--outdir', '/tmp/x'], 'deploy')).toMatchObject({ env: 'staging', dryRun: true, outdir: '/tmp/x' });
    expect(parseScriptArgs(['-e', 'staging'], 'deploy').env).toBe('staging');
  });

  it('refuses the other script’s flag and stray arguments', () => {
    expect(() => parseScriptArgs(['--env', 'production', '--print'], 'deploy')).toThrow();
    expect(() => parseScriptArgs(['--env', 'production', '--dry-run'], 'setup')).toThrow();
    expect(() => parseScriptArgs(['--env', 'production', 'now'], 'deploy')).toThrow(/unexpected argument/);
    expect(parseScriptArgs(['--env', 'production', '--print'], 'setup').print).toBe(true);
  });
});

describe('the deploy commands', () => {
  it('checks secrets, migrates the remote D1, then deploys the environment', () => {
    expect(deployPlan('production')).toEqual({
      secretList: ['secret', 'list', '--env', 'production', '--format', 'json'],
      migrations: ['d1', 'migrations', 'apply', 'DB', '--remote', '--env', 'production'],
      deploy: ['deploy', '--env', 'production'],
    });
  });

  it('a dry run only bundles, calling no account', () => {
    expect(dryRunDeployCommand('staging', '/tmp/out')).toEqual(['deploy', '--dry-run', '--env', 'staging', '--outdir', '/tmp/out']);
  });
});
