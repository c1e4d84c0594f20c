/**
 * `npm run bench`: the gateway's added latency, throughput, streaming fidelity,
 * memory and CPU, side by side with the direct upstream, a bare worker in the
 * same runtime, and Portkey's gateway. Writes bench/results.json and bench/RESULTS.md.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { destroyAgents, timedRequest, timedStream, type Target } from './http-client.ts';
import { cpuMs, peakRssGrowth } from './processes.ts';
import { writeReport, type Results } from './report.ts';
import { latencyAtConcurrencyOne, streaming, throughput } from './scenarios.ts';
import { startBareWorker, startFastStandin, startGateway, startMeteredWorker, startPortkey, startWranglerDev, UPSTREAM_KEY } from './targets.ts';

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

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  log('building the worker (wrangler deploy --dry-run)');
  const build = spawnSync(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--outdir', 'dist'], { stdio: 'ignore' });
  if (build.status !== 0) throw new Error('the worker build failed');

  const standin = await startFastStandin();
  const gateway = await startGateway(standin.url);
  const bare = await startBareWorker(standin.url);
  const metered = await startMeteredWorker(standin.url);
  const portkey = await startPortkey();
  log(`stand-in ${standin.url}, find-token ${gateway.url} (pid ${gateway.pid}), bare ${bare.url} (pid ${bare.pid}), Portkey ${portkey.url}`);
  const auth = { Authorization: `Bearer ${UPSTREAM_KEY}` };
  const direct = openAiTarget('direct', `${standin.url}/deepseek/chat/completions`, auth, UPSTREAM_MODEL);
  const bareWorker = openAiTarget('bare worker', `${bare.url}/deepseek/chat/completions`, auth, UPSTREAM_MODEL);
  const meteredFloor = openAiTarget('metered floor', `${metered.url}/deepseek/chat/completions`, auth, UPSTREAM_MODEL);
  const findToken = openAiTarget('find-token', `${gateway.url}/v1/chat/completions`, { Authorization: `Bearer ${gateway.key}` }, 'deepseek-chat');
  const portkeyTarget = openAiTarget(
    'Portkey',
    `${portkey.url}/v1/chat/completions`,
    { ...auth, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${standin.url}/deepseek` },
    UPSTREAM_MODEL,
  );
  const targets = [direct, bareWorker, findToken, portkeyTarget];
  // The metered floor answers whole bodies only: it joins the non-streaming scenarios.
  const nonStreaming = [direct, bareWorker, meteredFloor, findToken, portkeyTarget];

  try {
    log('1. non-streaming latency at concurrency 1');
    const latency = await latencyAtConcurrencyOne(nonStreaming, 5, 100);

    log('2. throughput at concurrency 8 and 32');
    const load = await throughput(nonStreaming, [8, 32], 10);

    log('3. streaming (64 chunks × 20 ms)');
    const streams = await streaming(targets, 3, 2);

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
    const cpuPerRequest = async (target: Target, pid: number) => {
      const before = cpuMs(pid);
      for (let i = 0; i < 500; i++) await timedRequest(target);
      return (cpuMs(pid) - before) / 500;
    };
    const cpu = {
      'find-token': await cpuPerRequest(findToken, gatewayPid),
      'bare worker': await cpuPerRequest(bareWorker, bare.pid!),
      'metered floor': await cpuPerRequest(meteredFloor, metered.pid!),
    };

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
    };
    console.log(writeReport(results));
  } finally {
    destroyAgents();
    await Promise.allSettled([gateway.stop(), bare.stop(), metered.stop(), portkey.stop(), standin.close()]);
  }
}

await main();
