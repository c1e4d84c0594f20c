// The `standin` field of a chat request: how the test wants this upstream to behave.
// The gateway forwards it untouched as an unknown extra field.
import type { Json, JsonObject } from './dialects.ts';
import { ERROR_KINDS } from './errors.ts';
import type { ErrorKind } from './errors.ts';

export const SCENARIOS = [
  'ok',
  'tool_call',
  'one_chunk',
  'keepalive',
  'cut',
  'stall',
  'hang',
  'error',
  'finish_filter',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Usage numbers the test wants reported instead of the computed ones. */
export interface UsageOverride {
  prompt?: number;
  completion?: number;
  cached?: number;
  reasoning?: number;
}

export interface StandinControl {
  tag: string | undefined;
  scenario: Scenario;
  delayMs: number;
  chunkDelayMs: number;
  chunks: number;
  content: string | undefined;
  arguments: string | undefined;
  reasoning: string | undefined;
  keepalives: number;
  keepaliveMs: number;
  cutAfter: number;
  stallAfter: number;
  /** Accepted for the tests' readability; StepFun chunks always carry cumulative usage anyway. */
  usageBeforeCut: boolean;
  error: ErrorKind;
  /** Raw reply: when set, answer exactly this status + body (any scenario). */
  status: number | undefined;
  body: string;
  contentType: string | undefined;
  /** Seconds for a Retry-After header on a raw `status` reply. */
  retryAfter: number | undefined;
  repeatBytes: number | undefined;
  chunkBytes: number;
  usage: UsageOverride;
  /** With a tag: only the first n requests of that tag to a provider follow this control; later ones succeed. */
  failFirst: number | undefined;
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `standin`; returns a problem description when the test wrote something invalid. */
export function parseControl(raw: Json | undefined): StandinControl | string {
  if (raw !== undefined && !isObject(raw)) return 'standin must be an object';
  const fields: JsonObject = raw ?? {};
  const problems: string[] = [];

  const count = (name: string, fallback: number, min = 0): number => {
    const value = fields[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      problems.push(`standin.${name} must be an integer >= ${min}`);
      return fallback;
    }
    return value;
  };
  const optionalCount = (name: string, min = 0): number | undefined => {
    const value = fields[name];
    return value === undefined || value === null ? undefined : count(name, 0, min);
  };
  const text = (name: string): string | undefined => {
    const value = fields[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      problems.push(`standin.${name} must be a string`);
      return undefined;
    }
    return value;
  };

  const scenarioName = text('scenario') ?? 'ok';
  const scenario = SCENARIOS.find((s) => s === scenarioName);
  if (scenario === undefined) problems.push(`unknown standin.scenario "${scenarioName}" (known: ${SCENARIOS.join(', ')})`);

  const errorName = text('error') ?? 'server';
  const error = ERROR_KINDS.find((k) => k === errorName);
  if (error === undefined) problems.push(`unknown standin.error "${errorName}" (known: ${ERROR_KINDS.join(', ')})`);

  const control: StandinControl = {
    tag: text('tag'),
    scenario: scenario ?? 'ok',
    delayMs: count('delay_ms', 0),
    chunkDelayMs: count('chunk_delay_ms', 0),
    chunks: count('chunks', 4, 1),
    content: text('content'),
    arguments: text('arguments'),
    reasoning: text('reasoning'),
    keepalives: count('keepalives', 3),
    keepaliveMs: count('keepalive_ms', 50),
    cutAfter: count('cut_after', 2),
    stallAfter: count('stall_after', 1),
    usageBeforeCut: fields['usage_before_cut'] === true,
    error: error ?? 'server',
    status: optionalCount('status', 100),
    body: text('body') ?? '',
    contentType: text('content_type'),
    retryAfter: optionalCount('retry_after'),
    repeatBytes: optionalCount('repeat_bytes'),
    chunkBytes: count('chunk_bytes', 1024, 1),
    usage: parseUsage(fields['usage'], problems),
    failFirst: optionalCount('fail_first'),
  };
  if (control.status !== undefined && control.status > 599) problems.push('standin.status must be <= 599');
  return problems.length > 0 ? problems.join('; ') : control;
}

function parseUsage(raw: Json | undefined, problems: string[]): UsageOverride {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) {
    problems.push('standin.usage must be an object');
    return {};
  }
  const usage: UsageOverride = {};
  const names = [
    ['prompt_tokens', 'prompt'],
    ['completion_tokens', 'completion'],
    ['cached_tokens', 'cached'],
    ['reasoning_tokens', 'reasoning'],
  ] as const;
  for (const [field, key] of names) {
    const value = raw[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      problems.push(`standin.usage.${field} must be an integer >= 0`);
      continue;
    }
    usage[key] = value;
  }
  return usage;
}

/** Code points, not UTF-16 units: a CJK or emoji character never straddles two chunks. */
export function codePointCount(text: string): number {
  const surrogatePairs = text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g);
  return text.length - (surrogatePairs?.length ?? 0);
}

/** Splits into `parts` near-equal pieces on code-point boundaries (fewer if the text is shorter). */
export function splitCodePoints(text: string, parts: number): string[] {
  const points = Array.from(text);
  if (points.length === 0) return [];
  const n = Math.min(Math.max(1, parts), points.length);
  const pieces: string[] = [];
  for (let i = 0; i < n; i++) {
    const start = Math.floor((i * points.length) / n);
    const end = Math.floor(((i + 1) * points.length) / n);
    pieces.push(points.slice(start, end).join(''));
  }
  return pieces;
}

/** Default prompt_tokens: ceil(code points of all message text / 4), at least 1. */
export function estimatePromptTokens(body: JsonObject): number {
  let chars = 0;
  const messages = body['messages'];
  if (Array.isArray(messages)) {
    for (const message of messages) {
      if (!isObject(message)) continue;
      const content = message['content'];
      if (typeof content === 'string') chars += codePointCount(content);
      if (Array.isArray(content)) {
        for (const part of content) {
          const partText = isObject(part) ? part['text'] : undefined;
          if (typeof partText === 'string') chars += codePointCount(partText);
        }
      }
    }
  }
  return Math.max(1, Math.ceil(chars / 4));
}

export function isJsonObject(value: Json | undefined): value is JsonObject {
  return isObject(value);
}

/**
 * A control written into the system prompt as `<standin>{json}</standin>`: for requests whose client API
 * forwards no extra fields (the Anthropic Messages API copies only what it translates).
 */
export function controlInPrompt(body: JsonObject): Json | undefined {
  const messages = body['messages'];
  if (!Array.isArray(messages)) return undefined;
  for (const message of messages) {
    if (!isObject(message) || message['role'] !== 'system' || typeof message['content'] !== 'string') continue;
    const found = /<standin>(.*?)<\/standin>/s.exec(message['content']);
    if (found) return JSON.parse(found[1]!) as Json;
  }
  return undefined;
}
