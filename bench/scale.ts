/**
 * `npm run bench:scale`: billing logs at scale. The production bundle in one local workerd (as `npm run bench`
 * starts it, with the queues and the archive bucket), 1,000 funded accounts, then SCALE_DURATION_S seconds of
 * non-streaming chat across all of them at the highest rate this machine sustains; then it waits for every
 * answered request's billing log to reach D1 and checks each one. Writes bench/scale-results.json, the
 * "Billing logs at scale" section of bench/RESULTS.md and README's scale block.
 *
 * Knobs (environment): SCALE_DURATION_S (180), SCALE_CONCURRENCY (32), SCALE_ACCOUNTS (1000),
 * SCALE_HOT_SECONDS (10; 0 skips the one-account run), SCALE_DRAIN_TIMEOUT_S (300).
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { destroyAgents } from './http-client.ts';
import { cpuMs } from './processes.ts';
import { provisionAccountWithId, provisionManyAccounts, readAccount } from './provision.ts';
import { checkD1, d1Of, d1SizeBytes, waitForRows } from './scale-d1.ts';
import { errorKinds, loadAcrossAccounts, type LoadRun } from './scale-load.ts';
import { archiveFigures, ConsumerLines, consumerFigures } from './scale-pipeline.ts';
import { writeScaleReport } from './report-scale.ts';
import type { ScaleResults } from './scale-results.ts';
import { startFastStandin, startGateway } from './targets.ts';

const knob = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return process.env[name]?.trim() && Number.isFinite(value) && value >= 0 ? value : fallback;
};

const DURATION_S = knob('SCALE_DURATION_S', 180);
/** `npm run bench` measured find-token's req/s at 8 and 32 connections within 5% of each other: 32 saturates both cores. */
const CONCURRENCY = knob('SCALE_CONCURRENCY', 32);
const ACCOUNTS = knob('SCALE_ACCOUNTS', 1_000);
const HOT_SECONDS = knob('SCALE_HOT_SECONDS', 10);
const DRAIN_TIMEOUT_S = knob('SCALE_DRAIN_TIMEOUT_S', 300);
/** Dollars per account: far more than a run spends (a stand-in answer costs well under a cent). */
const CREDITS = 100;

function log(message: string): void {
  console.log(`[bench:scale ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

const perSecond = (run: LoadRun) => run.requests.filter((r) => r.status === 200).length / (run.elapsedMs / 1000);
const errorCount = (run: LoadRun) => Object.values(errorKinds(run)).reduce((a, b) => a + b, 0);

/** Each account's object size as the operator API reports it; the largest, `concurrency` reads at a time. */
async function largestObject(url: string, accountIds: readonly string[]): Promise<{ accountId: string; storageBytes: number } | null> {
  let largest: { accountId: string; storageBytes: number } | null = null;
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < accountIds.length; i = next++) {
        const bytes = (await readAccount(url, accountIds[i]!)).storage_bytes;
        if (typeof bytes === 'number' && (!largest || bytes > largest.storageBytes)) largest = { accountId: accountIds[i]!, storageBytes: bytes };
      }
    }),
  );
  return largest;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  log('building the worker (wrangler deploy --dry-run)');
  const build = spawnSync(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--outdir', 'dist'], { stdio: 'ignore' });
  if (build.status !== 0) throw new Error('the worker build failed');

  const consumer = new ConsumerLines();
  const standin = await startFastStandin();
  // The worker's console lines come to `consumer` rather than this terminal: one per request would drown it.
  const gateway = await startGateway(standin.url, { handleStructuredLogs: consumer.handle }).catch(async (error: unknown) => {
    await standin.close();
    throw error;
  });
  try {
    const db = await d1Of(gateway.mf);
    log(`find-token ${gateway.url} (pid ${gateway.pid}); provisioning ${ACCOUNTS} accounts`);
    const provisionStart = Date.now();
    const accounts = await provisionManyAccounts(gateway.url, ACCOUNTS, { prefix: 'scale', credits: CREDITS });
    const provisioningSeconds = (Date.now() - provisionStart) / 1000;
    const d1BytesBefore = await d1SizeBytes(db);

    let hot: LoadRun | undefined;
    if (HOT_SECONDS > 0) {
      log(`one account for ${HOT_SECONDS} s at ${CONCURRENCY} connections (its object serializes every request)`);
      const one = await provisionAccountWithId(gateway.url, { email: 'scale-hot@example.com', credits: CREDITS, rateLimitPerMinute: 1_000_000 });
      hot = await loadAcrossAccounts(gateway.url, [one.key], CONCURRENCY, HOT_SECONDS);
      accounts.push(one);
    }

    log(`${ACCOUNTS} accounts for ${DURATION_S} s at ${CONCURRENCY} connections`);
    const cpuBefore = gateway.pid ? cpuMs(gateway.pid) : Number.NaN;
    const load = await loadAcrossAccounts(gateway.url, accounts.slice(0, ACCOUNTS).map((a) => a.key), CONCURRENCY, DURATION_S);
    const cpuDuring = gateway.pid ? cpuMs(gateway.pid) - cpuBefore : Number.NaN;
    log(`${load.requests.length} answered (${Math.round(perSecond(load))} 200s/s), ${errorCount(load)} errors; waiting for D1`);

    const requests = [...(hot?.requests ?? []), ...load.requests];
    const owed = requests.filter((r) => r.status === 200).length;
    const drain = await waitForRows(db, owed, DRAIN_TIMEOUT_S * 1000, (rows) => log(`D1 holds ${rows}/${owed} billing logs`));
    const d1 = await checkD1(db, requests);
    const d1BytesAfter = await d1SizeBytes(db);
    log('reading every account object’s size');
    const largest = await largestObject(gateway.url, accounts.map((a) => a.accountId));

    const results: ScaleResults = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
      accounts: ACCOUNTS,
      durationSeconds: DURATION_S,
      concurrency: CONCURRENCY,
      provisioningSeconds,
      load: {
        requests: load.requests.length,
        ok: load.requests.filter((r) => r.status === 200).length,
        requestsPerSecond: perSecond(load),
        errors: errorCount(load),
        errorKinds: errorKinds(load),
        gatewayCpuMsPerRequest: load.requests.length ? cpuDuring / load.requests.length : null,
      },
      hotAccount: hot ? { seconds: HOT_SECONDS, requestsPerSecond: perSecond(hot), errors: errorCount(hot), errorKinds: errorKinds(hot) } : null,
      drain: { ...drain, timeoutSeconds: DRAIN_TIMEOUT_S },
      d1,
      d1Bytes: d1BytesBefore !== null && d1BytesAfter !== null ? { before: d1BytesBefore, after: d1BytesAfter } : null,
      consumer: consumerFigures(consumer),
      logLines: consumer.lines,
      archive: await archiveFigures(gateway.mf),
      largestObject: largest,
      runSeconds: (Date.now() - startedAt) / 1000,
    };
    console.log(writeScaleReport(results));
    if (!d1.exactlyOnce.holds) process.exitCode = 1;
  } finally {
    destroyAgents();
    await Promise.allSettled([gateway.stop(), standin.close()]);
  }
}

await main();
