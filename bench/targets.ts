/**
 * What the benchmark measures, each started the way production runs it: the
 * stand-in upstream in its fast mode, find-token's production bundle in one
 * workerd process (Miniflare over the `wrangler deploy --dry-run` output, served
 * on a direct socket without Miniflare's entry worker, local D1 and Durable
 * Objects on tmpfs), a bare pass-through worker in the same runtime, Portkey's
 * gateway on Node, and `wrangler dev` as the development path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import { startStandin, type Standin } from '../test/support/standin/server.ts';
import { standinProviderVars } from '../test/support/standin/provider-vars.ts';
import { childPids } from './processes.ts';
import { freePort } from '../test/support/free-port.ts';
import { ADMIN_TOKEN, provisionAccount } from './provision.ts';
import type { MeteredFloor } from './metered-floors.ts';

export { freePort };

export const UPSTREAM_KEY = 'bench-upstream-key';
/** The stand-in's fast mode: a short answer; streams of 64 chunks, 20 ms apart. */
const STANDIN_DEFAULTS = { chunks: 64, chunk_delay_ms: 20, content: 'x'.repeat(256) };

export interface Running {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export const startFastStandin = (): Promise<Standin> => startStandin({ defaults: STANDIN_DEFAULTS });

/** Durable storage on tmpfs: production durability is replication, not a local fsync per commit. */
const stateDir = (name: string) => mkdtempSync(join(process.platform === 'linux' ? '/dev/shm' : '/tmp', `find-token-bench-${name}-`));

type V4Options = Parameters<typeof convertV4MiniflareOptions>[0];
type WorkerOptions = Record<string, unknown>;

/** One workerd process running one worker; `shared` holds Miniflare's process-wide options (persistence). */
async function startMiniflare(name: string, worker: WorkerOptions, shared: Record<string, unknown> = {}): Promise<{ mf: Miniflare; url: string; pid: number | undefined }> {
  const before = new Set(childPids(/workerd/));
  const port = await freePort();
  const workerName = name.replace(/\W+/g, '-');
  // A direct socket serves the worker itself, as production does, without Miniflare's entry
  // worker (its development router) in front of every request.
  const direct = { ...worker, name: workerName, unsafeDirectSockets: [{ host: '127.0.0.1', port: await freePort() }] };
  // Wrangler hands out worker options in Miniflare's v4 shape; Miniflare 5 converts them.
  const v4 = { ...shared, host: '127.0.0.1', port, workers: [direct] } as V4Options;
  const mf = new Miniflare(convertV4MiniflareOptions(v4));
  await mf.ready;
  const url = (await mf.unsafeGetDirectURL(workerName)).toString().replace(/\/$/, '');
  const pid = childPids(/workerd/).find((candidate) => !before.has(candidate));
  if (pid === undefined) console.warn(`[bench] could not find the workerd process of ${name}`);
  return { mf, url, pid };
}

/** Which find-token to serve: the tree whose wrangler.toml, migrations and dist/ bundle are read. */
export interface GatewayBuild {
  name: string;
  root: string;
}

/** The current tree, built into dist/ by run.ts. */
export const CURRENT_BUILD: GatewayBuild = { name: 'find-token', root: '.' };

/** A started find-token: its URL, its one funded key, and its Miniflare (D1 and R2 read back by bench:scale). */
export type Gateway = Running & { key: string; mf: Miniflare };

export async function startGateway(standinUrl: string, shared: Record<string, unknown> = {}, build: GatewayBuild = CURRENT_BUILD): Promise<Gateway> {
  // Each build with its own wrangler.toml: a baseline revision may differ in flags, vars or bindings.
  const { workerOptions } = unstable_getMiniflareWorkerOptions(join(build.root, 'wrangler.toml'));
  const dir = stateDir(build === CURRENT_BUILD ? 'gateway' : 'baseline');
  const vars = { ADMIN_TOKEN, ...standinProviderVars(standinUrl, () => UPSTREAM_KEY) };
  const { mf, url, pid } = await startMiniflare(
    build.name,
    {
      modules: true,
      scriptPath: join(build.root, 'dist', 'index.js'),
      // Module names are paths relative to this root, and may not climb out of it: a baseline lives in a temp dir.
      modulesRoot: build.root,
      compatibilityDate: workerOptions.compatibilityDate,
      compatibilityFlags: workerOptions.compatibilityFlags,
      bindings: { ...(workerOptions.bindings as Record<string, string>), ...vars },
      d1Databases: workerOptions.d1Databases,
      durableObjects: workerOptions.durableObjects,
      // The queues (producers and this worker as their consumer) and the archive bucket, as deployed: local, in memory.
      queueProducers: workerOptions.queueProducers,
      queueConsumers: workerOptions.queueConsumers,
      r2Buckets: workerOptions.r2Buckets,
    },
    { d1Persist: dir, durableObjectsPersist: dir, ...shared },
  );
  await applyMigrations(mf, join(build.root, 'migrations'));
  const key = await provisionAccount(url);
  return {
    url,
    pid,
    key,
    mf,
    stop: async () => {
      await mf.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function applyMigrations(mf: Miniflare, migrations: string): Promise<void> {
  const db = await mf.getD1Database('DB');
  for (const file of readdirSync(migrations).filter((name) => name.endsWith('.sql')).sort()) {
    const statements = readFileSync(join(migrations, file), 'utf8')
      .split('--> statement-breakpoint')
      .map((statement) => statement.trim())
      .filter(Boolean);
    await db.batch(statements.map((statement) => db.prepare(statement)));
  }
}

export async function startBareWorker(standinUrl: string): Promise<Running> {
  const { workerOptions } = unstable_getMiniflareWorkerOptions('wrangler.toml');
  const { mf, url, pid } = await startMiniflare('bare worker', {
    modules: true,
    scriptPath: 'bench/bare-worker.js',
    compatibilityDate: workerOptions.compatibilityDate,
    compatibilityFlags: workerOptions.compatibilityFlags,
    bindings: { UPSTREAM: standinUrl },
  });
  return { url, pid, stop: () => mf.dispose() };
}

/** A metering floor: the bare worker plus a SQLite Durable Object doing that design's hold and charge. */
export async function startMeteredWorker(standinUrl: string, floor: MeteredFloor): Promise<Running> {
  const { workerOptions } = unstable_getMiniflareWorkerOptions('wrangler.toml');
  const dir = stateDir('metered');
  const { mf, url, pid } = await startMiniflare(
    floor.name,
    {
      modules: true,
      scriptPath: floor.script,
      compatibilityDate: workerOptions.compatibilityDate,
      compatibilityFlags: workerOptions.compatibilityFlags,
      bindings: { UPSTREAM: standinUrl },
      durableObjects: { ACCOUNTS: { className: 'Account', useSQLite: true } },
    },
    { durableObjectsPersist: dir },
  );
  return {
    url,
    pid,
    stop: async () => {
      await mf.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForHttp(url: string, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${what} did not start`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || !child.pid) return resolve();
    child.once('exit', () => resolve());
    process.kill(-child.pid, 'SIGTERM');
    setTimeout(resolve, 5_000).unref();
  });
}

export async function startPortkey(): Promise<Running> {
  const port = await freePort();
  const child = spawn(process.execPath, ['bench/node_modules/@portkey-ai/gateway/build/start-server.js', `--port=${port}`, '--headless'], {
    detached: true,
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url, child, 'Portkey');
  return { url, pid: child.pid, stop: () => stopChild(child) };
}

/** find-token under `wrangler dev`, pointed at the same stand-in: the development path. */
export async function startWranglerDev(standinUrl: string): Promise<Running & { key: string }> {
  const port = await freePort();
  const dir = stateDir('dev');
  const vars = Object.entries({ ADMIN_TOKEN, ...standinProviderVars(standinUrl, () => UPSTREAM_KEY) }).map(([name, value]) => `${name}:${value}`);
  const wrangler = join('node_modules', 'wrangler', 'bin', 'wrangler.js');
  const migrate = spawn(process.execPath, [wrangler, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', dir], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  await new Promise((resolve) => migrate.once('exit', resolve));
  const args = ['dev', '--port', String(port), '--ip', '127.0.0.1', '--persist-to', dir, '--show-interactive-dev-session=false'];
  for (const v of vars) args.push('--var', v);
  const child = spawn(process.execPath, [wrangler, ...args], { detached: true, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`, child, 'wrangler dev');
  const key = await provisionAccount(url);
  return {
    url,
    pid: child.pid,
    key,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
