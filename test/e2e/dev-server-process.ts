/** Starts `npm run dev` (its script, offline, on a free port, with its own state folder) for the e2e tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.ts';

export const ADMIN = { Authorization: 'Bearer dev-admin-token', 'Content-Type': 'application/json' };

export interface DevServer {
  url: string;
  stop(): Promise<void>;
}

async function waitForHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm run dev exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`npm run dev did not become healthy:\n${output()}`);
}

export async function startDevServer(): Promise<DevServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'find-token-dev-'));
  let output = '';
  const child = spawn(process.execPath, ['scripts/dev.ts', '--port', String(port), '--persist-to', stateDir, '--offline'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
  await waitForHealthy(url, child, () => output);
  return {
    url,
    async stop() {
      if (child.pid && child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid, 'SIGTERM');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      }
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
