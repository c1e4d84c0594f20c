/**
 * A lean HTTP/1.1 client for the benchmark (node:http with keep-alive), so the
 * client's own overhead is small and the same for every target.
 */
import { Agent, request as httpRequest } from 'node:http';

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** The request body for a non-streaming call, and for a stream. */
  body(stream: boolean, extra?: Record<string, unknown>): string;
  /** Adjacent targets of one pair (two builds compared) take turns leading a round: see inTurn in scenarios.ts. */
  pair?: string;
}

export interface Timed {
  ms: number;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
}

export interface StreamTiming {
  status: number;
  /** Time to the first `data:` frame. */
  ttfbMs: number;
  /** Time to the first frame with content: what a user waits for. */
  ttfcMs: number;
  /** Gaps between consecutive content frames. */
  gapsMs: number[];
  contentFrames: number;
  done: boolean;
  totalMs: number;
}

const agents = new Map<number, Agent>();
function agentFor(concurrency: number): Agent {
  let agent = agents.get(concurrency);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
    agents.set(concurrency, agent);
  }
  return agent;
}

export function destroyAgents(): void {
  for (const agent of agents.values()) agent.destroy();
  agents.clear();
}

function send(target: Target, body: string, concurrency: number, onData: (chunk: Buffer, at: number) => void): Promise<{ status: number; headers: Timed['headers'] }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      target.url,
      {
        method: 'POST',
        agent: agentFor(concurrency),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...target.headers },
      },
      (res) => {
        res.on('data', (chunk: Buffer) => onData(chunk, performance.now()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function timedRequest(target: Target, concurrency = 1, extra?: Record<string, unknown>): Promise<Timed> {
  const start = performance.now();
  let bytes = 0;
  const { status, headers } = await send(target, target.body(false, extra), concurrency, (chunk) => (bytes += chunk.length));
  return { ms: performance.now() - start, status, headers, bytes };
}

/** Reads an SSE answer frame by frame as the bytes arrive. */
export async function timedStream(target: Target, extra?: Record<string, unknown>, concurrency = 1): Promise<StreamTiming> {
  const start = performance.now();
  let buffer = '';
  let ttfbMs = Number.NaN;
  let ttfcMs = Number.NaN;
  let lastContentAt: number | undefined;
  const gapsMs: number[] = [];
  let contentFrames = 0;
  let done = false;
  const { status } = await send(target, target.body(true, extra), concurrency, (chunk, at) => {
    buffer += chunk.toString('utf8');
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      if (!frame.startsWith('data: ')) continue;
      if (Number.isNaN(ttfbMs)) ttfbMs = at - start;
      const data = frame.slice(6);
      if (data === '[DONE]') {
        done = true;
        continue;
      }
      const content = (JSON.parse(data) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content;
      if (content) {
        if (Number.isNaN(ttfcMs)) ttfcMs = at - start;
        contentFrames++;
        if (lastContentAt !== undefined) gapsMs.push(at - lastContentAt);
        lastContentAt = at;
      }
    }
  });
  return { status, ttfbMs, ttfcMs, gapsMs, contentFrames, done, totalMs: performance.now() - start };
}

/** Runs `concurrency` request loops for `seconds`; returns every latency and the errors. */
export async function loadFor(target: Target, concurrency: number, seconds: number): Promise<{ latencies: number[]; errors: number; elapsedMs: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          const result = await timedRequest(target, concurrency);
          if (result.status === 200) latencies.push(result.ms);
          else errors++;
        } catch {
          errors++;
        }
      }
    }),
  );
  return { latencies, errors, elapsedMs: performance.now() - start };
}
