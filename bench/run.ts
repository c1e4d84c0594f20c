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
import { cpuPerRequest, latencyAtConcurrencyOne, streaming, throughput } from './scenarios.ts';
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
async function startBaseline(standinUrl: string, before: Before): Promise<Before & { name: string; gateway: Running; target: Target }> {
  const name = `find-token (baseline ${before.build.shortCommit})`;
  const gateway = await startGateway(standinUrl, {}, { name, root: before.build.root });
  return { ...before, name, gateway, target: gatewayTarget(name, gateway) };
}

/** Rounds per scenario. A before/after run takes an even number, so each build leads half of them (see inTurn). */
const PLAN = { latencyRounds: 5, throughputRounds: 1, streamingRounds: 3, cpuRounds: 1 };
const BEFORE_AFTER_PLAN = { latencyRounds: 6, throughputRounds: 2, streamingRounds: 4, cpuRounds: 4 };
const CPU_REQUESTS = 500;

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

async function measure(startedAt: number, before?: Before): Promise<void> {
  const standin = await startFastStandin();
  const gateway = await startGateway(standin.url);
  const baseline = before && (await startBaseline(standin.url, before));
  const bare = await startBareWorker(standin.url);
  const metered = await startMeteredWorker(standin.url);
  const portkey = await startPortkey();
  log(`stand-in ${standin.url}, find-token ${gateway.url} (pid ${gateway.pid}), bare ${bare.url} (pid ${bare.pid}), Portkey ${portkey.url}`);
  if (baseline) log(`${baseline.name} ${baseline.gateway.url} (pid ${baseline.gateway.pid})`);
  const auth = { Authorization: `Bearer ${UPSTREAM_KEY}` };
  const direct = openAiTarget('direct', `${standin.url}/deepseek/chat/completions`, auth, UPSTREAM_MODEL);
  const bareWorker = openAiTarget('bare worker', `${bare.url}/deepseek/chat/completions`, auth, UPSTREAM_MODEL);
  const meteredFloor = openAiTarget('metered floor', `${metered.url}/deepseek/chat/completions`, auth, UPSTREAM_MODEL);
  const findToken = gatewayTarget('find-token', gateway);
  const portkeyTarget = openAiTarget(
    'Portkey',
    `${portkey.url}/v1/chat/completions`,
    { ...auth, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${standin.url}/deepseek` },
    UPSTREAM_MODEL,
  );
  // The baseline goes right beside find-token, so the two builds are measured back to back in each round.
  const paired = (target: Target): Target => ({ ...target, pair: 'find-token' });
  const builds = baseline
    ? [{ target: paired(findToken), pid: gateway.pid! }, { target: paired(baseline.target), pid: baseline.gateway.pid! }]
    : [{ target: findToken, pid: gateway.pid! }];
  const findTokens = builds.map((build) => build.target);
  const plan = baseline ? BEFORE_AFTER_PLAN : PLAN;
  const targets = [direct, bareWorker, ...findTokens, portkeyTarget];
  // The metered floor answers whole bodies only: it joins the non-streaming scenarios.
  const nonStreaming = [direct, bareWorker, meteredFloor, ...findTokens, portkeyTarget];

  try {
    log('1. non-streaming latency at concurrency 1');
    const { byTarget, serverTimingByTarget, addedVsDirect } = await latencyAtConcurrencyOne(nonStreaming, plan.latencyRounds, 100);
    const latency = { byTarget, serverTiming: serverTimingByTarget[findToken.name] ?? {}, addedVsDirect };

    log('2. throughput at concurrency 8 and 32');
    const load = await throughput(nonStreaming, [8, 32], 10, plan.throughputRounds);

    log('3. streaming (64 chunks × 20 ms)');
    const streams = await streaming(targets, plan.streamingRounds, 2);

    log('5. memory: 1 MB and 10 MB relayed, 100 concurrent streams');
    const gatewayPid = gateway.pid!;
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
      { target: bareWorker, pid: bare.pid! },
      { target: meteredFloor, pid: metered.pid! },
    ];
    const cpu = await cpuPerRequest(cpuTargets, plan.cpuRounds, CPU_REQUESTS / plan.cpuRounds);

    log('the development path: find-token under wrangler dev');
    const dev = await startWranglerDev(standin.url);
    let devLatency;
    try {
      const devTarget = openAiTarget('find-token (wrangler dev)', `${dev.url}/v1/chat/completions`, { Authorization: `Bearer ${dev.key}` }, 'deepseek-chat');
      devLatency = await latencyAtConcurrencyOne([direct, devTarget], 2, 100);
    } finally {
      await dev.stop();
    }

    const results: Results = {
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
    console.log(writeReport(results));
  } finally {
    destroyAgents();
    const stops: Array<Running | undefined> = [gateway, baseline?.gateway, bare, metered, portkey];
    await Promise.allSettled([...stops.map((running) => running?.stop()), standin.close()]);
  }
}

await main();
