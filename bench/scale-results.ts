/** What one bench:scale run measured (bench/scale-results.json), and the per-row sizes derived from it. */
import type { D1Figures } from './scale-d1.ts';
import type { ArchiveFigures, ConsumerFigures } from './scale-pipeline.ts';

export interface ScaleResults {
  date: string;
  machine: { cpus: number; cpuModel: string; node: string };
  accounts: number;
  durationSeconds: number;
  concurrency: number;
  provisioningSeconds: number;
  load: {
    requests: number;
    ok: number;
    requestsPerSecond: number;
    errors: number;
    errorKinds: Record<string, number>;
    /** The gateway process's CPU over the load / requests (worker, objects, queues and local D1 share it). */
    gatewayCpuMsPerRequest: number | null;
  };
  /** One account's object serving all connections, before the main run. */
  hotAccount: { seconds: number; requestsPerSecond: number; errors: number; errorKinds: Record<string, number> } | null;
  drain: { drained: boolean; waitedMs: number; timeoutSeconds: number };
  d1: D1Figures;
  /** D1's file size before the load and after the drain (indexes included). */
  d1Bytes: { before: number; after: number } | null;
  consumer: ConsumerFigures | null;
  logLines: number;
  archive: ArchiveFigures | null;
  largestObject: { accountId: string; storageBytes: number } | null;
  runSeconds: number;
}

export const NA = 'n/a';
/** Bytes per billing log in D1 (its growth over the rows written, indexes included) and in R2 (every object over every row). */
export function bytesPerRow(r: ScaleResults): { d1: number | null; r2: number | null } {
  const rows = r.d1.exactlyOnce.rows;
  const d1 = r.d1Bytes && rows > 0 && r.d1Bytes.after > r.d1Bytes.before ? (r.d1Bytes.after - r.d1Bytes.before) / rows : null;
  const r2 = r.archive && rows > 0 ? r.archive.bytes / rows : null;
  return { d1, r2 };
}
