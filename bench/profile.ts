/**
 * `npm run bench:profile`: where find-token's CPU goes on a non-streaming chat
 * request. Serves the production bundle as the benchmark does, samples the worker
 * isolate with V8's profiler over Miniflare's inspector port during 400 requests,
 * and prints self and inclusive shares by function.
 */
import { freePort, startFastStandin, startGateway } from './targets.ts';
import { cpuMs } from './processes.ts';
import { Agent, request } from 'node:http';
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function call(url: string, method: string, headers: Record<string, string>, body?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: { ...headers, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => { res.resume(); res.on('end', () => resolve()); });
    req.on('error', reject); req.end(body);
  });
}
const inspectorPort = await freePort();
const s = await startFastStandin();
const g = await startGateway(s.url, { inspectorPort });
const auth = { Authorization: `Bearer ${g.key}` };
const chatBody = JSON.stringify({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Say hello.' }] });
for (let i = 0; i < 100; i++) await call(`${g.url}/v1/chat/completions`, 'POST', auth, chatBody);
const list = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json() as Array<{ id: string; title: string; webSocketDebuggerUrl: string }>;
console.log(list.map((t) => t.title || t.id));
const target = list.find((t) => /find-token/.test(t.title + t.id)) ?? list[0]!;
const ws = new WebSocket(target.webSocketDebuggerUrl ?? `ws://127.0.0.1:${inspectorPort}/${target.id}`);
await new Promise((r) => ws.addEventListener('open', r));
let id = 0;
const pending = new Map<number, (v: any) => void>();
ws.addEventListener('message', (e) => { const m = JSON.parse(String(e.data)); if (m.id && pending.has(m.id)) { pending.get(m.id)!(m.result); pending.delete(m.id); } });
const send = (method: string, params = {}) => new Promise<any>((r) => { id++; pending.set(id, r); ws.send(JSON.stringify({ id, method, params })); });
// PROFILE_STREAMS=1: 400 streams (64 chunks each), 100 at a time, instead of 400 whole answers one at a time.
const streams = process.env.PROFILE_STREAMS === '1';
const streamBody = JSON.stringify({ model: 'deepseek-chat', stream: true, messages: [{ role: 'user', content: 'Say hello.' }] });
const wide = new Agent({ keepAlive: true, maxSockets: 100 });
const callStream = () => new Promise<void>((resolve, reject) => {
  const req = request(`${g.url}/v1/chat/completions`, { method: 'POST', agent: wide, headers: { ...auth, 'content-type': 'application/json', 'content-length': Buffer.byteLength(streamBody) } }, (res) => { res.resume(); res.on('end', () => resolve()); });
  req.on('error', reject); req.end(streamBody);
});
const workload = async () => {
  if (!streams) { for (let i = 0; i < 400; i++) await call(`${g.url}/v1/chat/completions`, 'POST', auth, chatBody); return; }
  for (let round = 0; round < 4; round++) await Promise.all(Array.from({ length: 100 }, callStream));
};
const cpuBefore = cpuMs(g.pid!);
await workload();
console.log(`process CPU per ${streams ? 'stream of 64 chunks' : 'chat request'}, unprofiled: ${((cpuMs(g.pid!) - cpuBefore) / 400).toFixed(2)} ms`);
await send('Profiler.enable'); await send('Profiler.setSamplingInterval', { interval: 100 }); await send('Profiler.start');
await workload();
const { profile } = await send('Profiler.stop');
const self = new Map<string, number>();
const byId = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
const counts = new Map<number, number>();
for (const sample of profile.samples) counts.set(sample, (counts.get(sample) ?? 0) + 1);
let total = 0;
for (const [nodeId, n] of counts) { const node = byId.get(nodeId); const cf = node.callFrame; const key = `${cf.functionName || '(anon)'} ${cf.url.split('/').pop()}:${cf.lineNumber}`; self.set(key, (self.get(key) ?? 0) + n); total += n; }
const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
for (const [k, v] of top) console.log((100 * v / total).toFixed(1).padStart(5) + '%', k);
// inclusive per function name (each sample counted once per name on its stack)
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map<string, number>();
for (const [nodeId, n] of counts) {
  const names = new Set<string>();
  for (let cur: number | undefined = nodeId; cur !== undefined; cur = parent.get(cur)) { const cf = byId.get(cur).callFrame; names.add(cf.functionName || '(anon)'); }
  for (const name of names) inclusive.set(name, (inclusive.get(name) ?? 0) + n);
}
// Attribute each sample to the nearest function of the worker's own bundle on its stack (runtime calls included).
const nearest = new Map<string, number>();
let busy = 0;
for (const [nodeId, n] of counts) {
  const top = byId.get(nodeId).callFrame;
  if (['(idle)', '(program)', '(garbage collector)'].includes(top.functionName)) continue;
  busy += n;
  let label = `${top.functionName || '(anon)'} [runtime]`;
  for (let cur: number | undefined = nodeId; cur !== undefined; cur = parent.get(cur)) {
    const cf = byId.get(cur).callFrame;
    if (cf.url.endsWith('index.js')) { label = `${cf.functionName || '(anon)'}:${cf.lineNumber}`; break; }
  }
  nearest.set(label, (nearest.get(label) ?? 0) + n);
}
console.log('--- busy samples by nearest bundle function', ((busy * 0.1) / 400).toFixed(2), 'ms of isolate JS per request (of', ((total * 0.1) / 400).toFixed(2), 'ms sampled)');
for (const [k, v] of [...nearest.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((100 * v / busy).toFixed(1).padStart(5) + '%', k);
console.log('--- inclusive');
for (const name of ['fetch', 'apiKeyAuthMiddleware', 'requestIdMiddleware', 'readJsonBody', 'parseJsonBody', 'open', 'settleOnce', 'executeChat', 'readJsonAnswer', 'authorize', 'settle', 'transactionSync', 'exec', 'estimatePromptTokens', 'normalizeCompletion', 'buildUpstreamBody', 'computeCost', 'json', 'setAlarm', 'hashApiKey', 'sha256Hex'])
  console.log(name.padEnd(24), (100 * (inclusive.get(name) ?? 0) / total).toFixed(1) + '%');
ws.close(); agent.destroy(); wide.destroy(); await g.stop(); await s.close();
