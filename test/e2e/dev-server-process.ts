/**
 * `npm run dev` (its script, offline, on a free port, with its own state folder)
 * for the e2e tests. The e2e project's global setup launches one at the start of
 * the run, so it boots while the other projects test; the e2e files wait for it.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port.ts';

export const ADMIN = { Authorization: 'Bearer dev-admin-token', 'Content-Type': 'application/json' };

/** Written at the end of the log when the dev server exits. */
const EXITED = '[dev server exited';

export interface DevServer {
  url: string;
  /** Everything the dev server printed. */
  logPath: string;
  stop(): Promise<void>;
}

/** Starts `npm run dev` and returns at once: it is not listening yet. */
export async function launchDevServer(): Promise<DevServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'find-token-dev-'));
  const logDir = mkdtempSync(join(tmpdir(), 'find-token-dev-log-'));
  const logPath = join(logDir, 'dev.log');
  const log = openSync(logPath, 'a');
  const child = spawn(process.execPath, ['scripts/dev.ts', '--port', String(port), '--persist-to', stateDir, '--offline', '--public-url', url], { detached: true, stdio: ['ignore', log, log] });
  child.once('exit', (code, signal) => appendFileSync(logPath, `\n${EXITED} with ${code ?? signal}]\n`));
  return {
    url,
    logPath,
    async stop() {
      if (child.pid && child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(-child.pid, 'SIGTERM');
        // Unref'd: a pending timer would keep vitest's own process alive for its full 10 s.
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
      }
      rmSync(stateDir, { recursive: true, force: true });
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the dev server answers /healthz; fails with its log if it exits or takes more than 90 s. */
export async function waitForDevServer(url: string, logPath: string): Promise<void> {
  const output = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '(no log)');
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (output().includes(EXITED)) throw new Error(`npm run dev exited:\n${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`npm run dev did not become healthy:\n${output()}`);
}
