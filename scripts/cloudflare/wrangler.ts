/** Runs wrangler on this same Node (22+, from the repo), as scripts/dev.ts does. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const wranglerBin = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');

export interface WranglerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `capture`: keep stdout to parse (stderr still shows); otherwise wrangler talks to the terminal
 * directly, prompts and colours included.
 */
export function wrangler(args: readonly string[], capture = false): Promise<WranglerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wranglerBin, ...args], { stdio: capture ? ['inherit', 'pipe', 'pipe'] : 'inherit' });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** A command as the operator would type it. */
export function shellLine(args: readonly string[]): string {
  return ['npx', 'wrangler', ...args].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
