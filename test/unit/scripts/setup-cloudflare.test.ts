/**
 * npm run setup:cloudflare: the D1 id written into wrangler.toml, the resource names it creates
 * (the ones wrangler.toml binds), and what --print shows, from the script itself.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { D1_ID_PLACEHOLDER, d1IdFromCreateOutput, readD1Id, writeD1Id } from '../../../scripts/cloudflare/d1-id.ts';
import { ENVIRONMENTS, resourceNames } from '../../../scripts/cloudflare/environments.ts';

const ROOT = join(import.meta.dirname, '../../..');
const TOML = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8');
const ID = '3f1c2a9e-7b4d-4e21-9c0a-5d6e7f8a9b0c';

describe('the D1 id in wrangler.toml', () => {
  it('is a placeholder in each environment until setup writes it', () => {
    for (const env of ENVIRONMENTS) expect(readD1Id(TOML, env)).toBe(D1_ID_PLACEHOLDER);
  });

  it('is written into that environment’s section only, comments and layout kept', () => {
    const written = writeD1Id(TOML, 'production', ID);
    expect(readD1Id(written, 'production')).toBe(ID);
    expect(readD1Id(written, 'staging')).toBe(D1_ID_PLACEHOLDER);
    expect(written.split('\n').length).toBe(TOML.split('\n').length);
    const changed = written.split('\n').filter((line, i) => line !== TOML.split('\n')[i]);
    expect(changed).toEqual([`database_id = "${ID}"`]);
  });

  it('refuses what is not an id, and a file without the section', () => {
    expect(() => writeD1Id(TOML, 'staging', 'oops')).toThrow(/not a D1 database id/);
    expect(() => readD1Id('name = "x"\n', 'staging')).toThrow(/no \[\[env.staging.d1_databases\]\]/);
  });

  it('is read from wrangler d1 create’s answer, TOML or JSON snippet', () => {
    expect(d1IdFromCreateOutput(`✅ Successfully created DB\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "find-token-production"\ndatabase_id = "${ID}"\n`)).toBe(ID);
    expect(d1IdFromCreateOutput(`{ "d1_databases": [{ "binding": "DB", "database_id": "${ID}" }] }`)).toBe(ID);
    expect(d1IdFromCreateOutput('✘ [ERROR] A database with that name already exists')).toBeUndefined();
  });
});

describe('the resources setup creates', () => {
  it('are the ones wrangler.toml binds in each environment', () => {
    for (const env of ENVIRONMENTS) {
      const names = resourceNames(env);
      expect(TOML).toContain(`[env.${env}]`);
      expect(TOML).toContain(`database_name = "${names.database}"`);
      expect(TOML).toContain(`queue = "${names.queue}"`);
      expect(TOML).toContain(`dead_letter_queue = "${names.deadLetterQueue}"`);
      expect(TOML).toContain(`queue = "${names.deadLetterQueue}"`);
      expect(TOML).toContain(`queue = "${names.billingLogQueue}"`);
      expect(TOML).toContain(`dead_letter_queue = "${names.billingLogDeadLetterQueue}"`);
      expect(TOML).toContain(`queue = "${names.exportQueue}"`);
      expect(TOML).toContain(`bucket_name = "${names.archiveBucket}"`);
    }
  });
});

describe('npm run setup:cloudflare -- --print', () => {
  const print = (env: string) => execFileSync(process.execPath, ['scripts/setup-cloudflare.ts', '--env', env, '--print'], { cwd: ROOT, encoding: 'utf8' });

  it('prints the commands that create production’s resources and set its secrets', () => {
    const lines = print('production').split('\n');
    for (const command of [
      'npx wrangler d1 create find-token-production',
      'npx wrangler queues create find-token-charges-production',
      'npx wrangler queues create find-token-charges-dead-production',
      'npx wrangler queues create find-token-billing-logs-production',
      'npx wrangler queues create find-token-billing-logs-dead-production',
      'npx wrangler queues create find-token-exports-production',
      'npx wrangler r2 bucket create find-token-archive-production',
      `database_id = "<the id>"`,
      'npm run deploy -- --env production',
    ]) {
      expect(lines).toContain(command);
    }
    for (const secret of ['ADMIN_TOKEN', 'BYOK_ENCRYPTION_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'RESEND_API_KEY', 'DEEPSEEK_API_KEY']) {
      expect(lines.some((line) => line.startsWith(`npx wrangler secret put ${secret} --env production `))).toBe(true);
    }
    expect(lines.join('\n')).toContain('openssl rand -base64 32');
  });

  it('names staging’s resources for staging, and fails without --env', () => {
    const staging = print('staging');
    expect(staging).toContain('npx wrangler d1 create find-token-staging');
    expect(staging).not.toContain('production');
    expect(() => execFileSync(process.execPath, ['scripts/setup-cloudflare.ts', '--print'], { cwd: ROOT, stdio: 'pipe' })).toThrow(/--env is required/);
  });
});
