/**
 * `npm run bench`: the gateway's added latency, throughput, streaming fidelity,
 * memory and CPU, side by side with the direct upstream, a bare worker in the
 * same runtime, and Portkey's gateway. Writes bench/results.json and bench/RESULTS.md.
 *
 * `BENCH_BASELINE=<git revision> npm run bench` also builds that revision and serves it as a
 * second find-token, interleaved with the current tree in the latency, throughput, streaming and
 * CPU scenarios, and reports the two side by side: a before/after judged within one run, since
 * separate runs on a shared machine differ by more than most changes do.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { destroyAgents, timedStream, type Target } from './http-client.ts';
import { buildBaseline, describeCurrent, type BaselineBuild } from './baseline-build.ts';
import { peakRssGrowth } from './processes.ts';
import { writeReport, type Results } from './report.ts';
import { concurrentStreams, onePerKeyAtOnce } from './burst-scenarios.ts';
import { provisionAccounts } from './provision.ts';
import { cpuPerRequest, latencyAtConcurrencyOne, streaming, throughput } from './scenarios.ts';
import { METERED_FLOORS } from './metered-floors.ts';
import { startBareWorker, startFastStandin, startGateway, startMeteredWorker, startPortkey, startWranglerDev, UPSTREAM_KEY, type Running } from './targets.ts';

const MESSAGES = [{ role: 'user', content: 'Say hello.' }];
const UPSTREAM_MODEL = 'deepseek-v4-flash';

function openAiTarget(name: string, url: string, headers: Record<string, string>, model: string): Target {
  return {
    name,
    url,
    headers,
    body: (stream, extra) =>
      JSON.stringify({ model, messages: MESSAGES, stream, ...(stream ? { stream_options: { include_usage: true } } : {}), ...(extra ? { standin: extra } : {}) }),
  };
}

/** A before/after run: the baseline's build, and what the current build is (for the report). */
interface Before {
  build: BaselineBuild;
  current: ReturnType<typeof describeCurrent>;
}

/** find-token's own API, with the key provisioned on that gateway. */
const gatewayTarget = (name: string, gateway: { url: string; key: string }): Target =>
  openAiTarget(name, `${gateway.url}/v1/chat/completions`, { Authorization: `Bearer ${gateway.key}` }, 'deepseek-chat');

/** The baseline build served beside the current one: a second find-token with its own state, named by its commit in every table. */
async function startBaseline(standinUrl: string, before: Before): Promise<Before & Running & { name: string; target: Target }> {
  const name = `find-token (baseline ${before.build.shortCommit})`;
  const gateway = await startGateway(standinUrl, {}, { name, root: before.build.root });
  return { ...before, ...gateway, name, target: gatewayTarget(name, gateway) };
}

/**
 * How each scenario's samples are cut into rounds; the totals per target are the same in both plans, but
 * throughput: 8 s per target in a plain run keeps `npm run bench` under 5 minutes with both floors and the bursts.
 */
const PLAN = { latencyRounds: 5, requestsPerRound: 100, throughputRounds: 1, throughputSeconds: 8, streamingRounds: 3, streamsPerRound: 2, cpuRounds: 1, burstRounds: 2 };
/**
 * Two builds are compared in many short rounds, an even number so each leads half of them (see inTurn):
 * the other engineers' load on this machine comes and goes over seconds, and a short round puts both
 * builds under the same load far more often than a long one.
 */
const BEFORE_AFTER_PLAN = { latencyRounds: 20, requestsPerRound: 25, throughputRounds: 10, throughputSeconds: 10, streamingRounds: 6, streamsPerRound: 1, cpuRounds: 10, burstRounds: 2 };
const CPU_REQUESTS = 500;
/** The bursts of issue 15: many streams on one account (one object serving them all), and many accounts once each. */
const CONCURRENT_STREAMS = 200;
const FRAMES_PER_STREAM = 64;
const BURST_ACCOUNTS = 1_000;

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  log('building the worker (wrangler deploy --dry-run)');
  const build = spawnSync(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--outdir', 'dist'], { stdio: 'ignore' });
  if (build.status !== 0) throw new Error('the worker build failed');

  const baselineRevision = process.env.BENCH_BASELINE?.trim();
  if (!baselineRevision) return measure(startedAt);
  // The current build is the working tree, committed or not: the report says which.
  const current = describeCurrent();
  log(`building the baseline ${baselineRevision} (git archive, wrangler deploy --dry-run)`);
  const baseline = buildBaseline(baselineRevision);
  try {
    await measure(startedAt, { build: baseline, current });
  } finally {
    baseline.remove();
  }
}

type Stoppable = { stop(): Promise<unknown> };

/** Starts every target; each one started is handed to `track`, so it is stopped even if a later start fails. */
async function startTargets(track: <T extends Stoppable>(running: T) => T, before?: Before) {
  const standin = await startFastStandin();
  track({ stop: () => standin.close() });
  const gateway = track(await startGateway(standin.url));
  const baseline = before && track(await startBaseline(standin.url, before));
  const bare = track(await startBareWorker(standin.url));
  const memoryHold = track(await startMeteredWorker(standin.url, METERED_FLOORS.memoryHold));
  const durableHold = track(await startMeteredWorker(standin.url, METERED_FLOORS.durableHold));
  const portkey = track(await startPortkey());
  log(`stand-in ${standin.url}, find-token ${gateway.url} (pid ${gateway.pid}), bare ${bare.url} (pid ${bare.pid}), Portkey ${portkey.url}`);
  if (baseline) log(`${baseline.name} ${baseline.url} (pid ${baseline.pid})`);
  const auth = { Authorization: `Bearer ${UPSTREAM_KEY}` };
  const findToken = gatewayTarget('find-token', gateway);
  // The baseline goes right beside find-token, so the two builds are measured back to back in each round.
  const paired = (target: Target): Target => ({ ...target, pair: 'find-token' });
  const builds = baseline
    ? [{ target: paired(findToken), pid: gateway.pid! }, { target: paired(baseline.target), pid: baseline.pid! }]
    : [{ target: findToken, pid: gateway.pid! }];
  return {
    standin,
    gateway,
    baseline,
    bare,
    memoryHold,
    durableHold,
    findToken,
    builds,
    direct: openAiTarget('direct', `${standin.url}/deepseek/chat/completions`, auth, UPSTREAM_MODEL),
    bareWorker: openAiTarget('bare worker', `${bare.url}/deepseek/chat/completions`, auth, UPSTREAM_MODEL),
    memoryHoldFloor: openAiTarget(METERED_FLOORS.memoryHold.name, `${memoryHold.url}/deepseek/chat/completions`, auth, UPSTREAM_MODEL),
    durableHoldFloor: openAiTarget(METERED_FLOORS.durableHold.name, `${durableHold.url}/deepseek/chat/completions`, auth, UPSTREAM_MODEL),
    portkey: openAiTarget(
      'Portkey',
      `${portkey.url}/v1/chat/completions`,
      { ...auth, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${standin.url}/deepseek` },
      UPSTREAM_MODEL,
    ),
  };
}

async function measure(startedAt: number, before?: Before): Promise<void> {
  const started: Stoppable[] = [];
  try {
    const running = await startTargets((stoppable) => (started.push(stoppable), stoppable), before);
    console.log(writeReport(await runScenarios(startedAt, running)));
  } finally {
    destroyAgents();
    await Promise.allSettled(started.map((stoppable) => stoppable.stop()));
  }
}

async function runScenarios(startedAt: number, t: Awaited<ReturnType<typeof startTargets>>): Promise<Results> {
  const { direct, bareWorker, memoryHoldFloor, durableHoldFloor, findToken, baseline, builds } = t;
  const findTokens = builds.map((build) => build.target);
  const plan = baseline ? BEFORE_AFTER_PLAN : PLAN;
  const targets = [direct, bareWorker, ...findTokens, t.portkey];
  // The metered floors answer whole bodies only: they join the non-streaming scenarios.
  const nonStreaming = [direct, bareWorker, memoryHoldFloor, durableHoldFloor, ...findTokens, t.portkey];

  log('1. non-streaming latency at concurrency 1');
  const { byTarget, serverTimingByTarget, addedVsDirect } = await latencyAtConcurrencyOne(nonStreaming, plan.latencyRounds, plan.requestsPerRound);
  const latency = { byTarget, serverTiming: serverTimingByTarget[findToken.name] ?? {}, addedVsDirect };

  log('2. throughput at concurrency 8 and 32');
  const load = await throughput(nonStreaming, [8, 32], plan.throughputSeconds, plan.throughputRounds);

  log('3. streaming (64 chunks × 20 ms)');
  const streams = await streaming(targets, plan.streamingRounds, plan.streamsPerRound);

  log('5. memory: 1 MB and 10 MB relayed, 100 concurrent streams');
  const gatewayPid = t.gateway.pid!;
  const big = (bytes: number) => ({ repeat_bytes: bytes, chunk_bytes: 4096, chunk_delay_ms: 0 });
  const oneMb = await peakRssGrowth(gatewayPid, () => timedStream(findToken, big(1 << 20)));
  const tenMb = await peakRssGrowth(gatewayPid, async () => {
    const result = await timedStream(findToken, big(10 << 20));
    if (!result.done) throw new Error('the 10 MB stream did not complete');
  });
  const hundred = await peakRssGrowth(gatewayPid, () => Promise.all(Array.from({ length: 100 }, () => timedStream(findToken, undefined, 100))));

  log('6. CPU per non-streaming request');
  const cpuTargets = [
    ...builds,
    { target: bareWorker, pid: t.bare.pid! },
    { target: memoryHoldFloor, pid: t.memoryHold.pid! },
    { target: durableHoldFloor, pid: t.durableHold.pid! },
  ];
  const cpu = await cpuPerRequest(cpuTargets, plan.cpuRounds, CPU_REQUESTS / plan.cpuRounds);

  // Last among the measurements: 1,000 accounts' objects and keys stay in the gateway's memory afterwards.
  log(`7. ${CONCURRENT_STREAMS} concurrent streams on one account`);
  const streamBurst = await concurrentStreams([bareWorker, ...findTokens], CONCURRENT_STREAMS, FRAMES_PER_STREAM, plan.burstRounds);

  log(`8. ${BURST_ACCOUNTS} accounts, one request each at once (provisioning first, not timed)`);
  const provisionStart = Date.now();
  const gatewayUrls = [t.gateway.url, ...(baseline ? [baseline.url] : [])];
  const keyed = await Promise.all(builds.map(async ({ target }, i) => ({ target, keys: await provisionAccounts(gatewayUrls[i]!, BURST_ACCOUNTS) })));
  const provisioningSeconds = (Date.now() - provisionStart) / 1000;
  log(`provisioned ${BURST_ACCOUNTS * builds.length} accounts in ${Math.round(provisioningSeconds)} s`);
  // The bare worker, for reference, sends the upstream key each time: what 1,000 connections at once cost the runtime.
  const accountBurst = await onePerKeyAtOnce([{ target: bareWorker, keys: Array(BURST_ACCOUNTS).fill(UPSTREAM_KEY) }, ...keyed]);

  log('the development path: find-token under wrangler dev');
  const dev = await startWranglerDev(t.standin.url);
  let devLatency;
  try {
    const devTarget = openAiTarget('find-token (wrangler dev)', `${dev.url}/v1/chat/completions`, { Authorization: `Bearer ${dev.key}` }, 'deepseek-chat');
    devLatency = await latencyAtConcurrencyOne([direct, devTarget], 2, 100);
  } finally {
    await dev.stop();
  }

  return {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
    storage: 'local D1 and Durable Object storage on tmpfs (/dev/shm)',
    latency,
    throughput: load,
    streaming: streams,
    memory: {
      oneMbStream: oneMb,
      tenMbStream: tenMb,
      hundredConcurrentStreams: hundred,
    },
    cpuMsPerRequest: cpu,
    concurrentStreamsOneAccount: streamBurst,
    oneRequestEachManyAccounts: { accounts: BURST_ACCOUNTS, provisioningSeconds, byTarget: accountBurst },
    wranglerDev: { addedVsDirect: devLatency.addedVsDirect['find-token (wrangler dev)']!, p50: devLatency.byTarget['find-token (wrangler dev)']!.p50 },
    durationSeconds: (Date.now() - startedAt) / 1000,
    ...(baseline && {
      baseline: {
        target: baseline.name,
        revision: baseline.build.revision,
        commit: baseline.build.commit,
        current: baseline.current,
        serverTiming: serverTimingByTarget[baseline.name] ?? {},
      },
    }),
  };
}

await main();
