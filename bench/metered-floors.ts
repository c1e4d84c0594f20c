/** The two metering floors the gateway is compared with: the same bare worker plus each design's least billing work. */
export const METERED_FLOORS = {
  /** Issue 15's design: a hold in the account object's memory, one durable charge awaited before the response. */
  memoryHold: { name: 'metered floor (memory hold, charge before response)', script: 'bench/metered-memory-hold-worker.js' },
  /** The earlier design: a durable hold before the upstream call, a durable settle sent after the response. */
  durableHold: { name: 'metered floor (durable hold, 2024 design)', script: 'bench/metered-durable-hold-worker.js' },
} as const;

export type MeteredFloor = (typeof METERED_FLOORS)[keyof typeof METERED_FLOORS];
