// What the stand-in answers (text, tool call, usage) and how each dialect serialises it,
// both as one chat.completion body and as a lazy sequence of SSE frames.
import { randomBytes } from 'node:crypto';
import { codePointCount, estimatePromptTokens, splitCodePoints } from './control.ts';
import type { StandinControl } from './control.ts';
import type { Dialect, JsonObject, UsageNumbers } from './dialects.ts';

type Piece =
  | { kind: 'reasoning'; text: string }
  | { kind: 'content'; text: string }
  | { kind: 'tool_start'; id: string; name: string }
  | { kind: 'tool_args'; text: string };

interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface AnswerPlan {
  id: string;
  created: number;
  model: string;
  /** Reasoning in the dialect's own field; undefined for MiniMax, which inlines it as <think>. */
  reasoning: string | undefined;
  /** Full message content for non-streaming answers. */
  content: string;
  toolCall: ToolCall | null;
  /** Streaming deltas in order; each becomes one SSE chunk. */
  pieces: Piece[];
  /** Code points of all generated text, to spread cumulative usage over the chunks. */
  outputChars: number;
  finishReason: string;
  usage: UsageNumbers;
}

export interface SseFrame {
  text: string;
  /** A content/reasoning/tool delta (what cut_after and stall_after count). */
  isPiece: boolean;
}

const REPEAT_PATTERN = 'The quick brown fox jumps over the lazy dog. ';

function repeatText(size: number): string {
  return REPEAT_PATTERN.repeat(Math.ceil(size / REPEAT_PATTERN.length)).slice(0, size);
}

export function planAnswer(dialect: Dialect, body: JsonObject, control: StandinControl, streaming: boolean): AnswerPlan {
  const scenario = control.scenario;
  const n = scenario === 'one_chunk' ? 1 : control.chunks;
  const silent = scenario === 'finish_filter' || scenario === 'tool_call';
  const reasoning = scenario === 'finish_filter' ? undefined : control.reasoning;
  const thinkPrefix =
    reasoning !== undefined && dialect.reasoningField === 'think_tags' ? `<think>\n${reasoning}\n</think>\n\n` : '';
  const fieldReasoning = thinkPrefix === '' ? reasoning : undefined;
  const repeatBytes = silent ? undefined : control.repeatBytes;
  const text = silent ? '' : (control.content ?? `Hello from the ${dialect.provider} stand-in.`);

  const pieces: Piece[] = [];
  if (fieldReasoning !== undefined) {
    for (const part of splitCodePoints(fieldReasoning, n)) pieces.push({ kind: 'reasoning', text: part });
  }
  let content: string;
  if (repeatBytes === undefined) {
    content = thinkPrefix + text;
    if (streaming) for (const part of splitCodePoints(content, n)) pieces.push({ kind: 'content', text: part });
  } else if (streaming) {
    // 10 MB streams: many references to one chunk string, never the whole text in memory.
    content = '';
    for (const part of splitCodePoints(thinkPrefix, n)) pieces.push({ kind: 'content', text: part });
    const fullChunk = repeatText(Math.min(control.chunkBytes, repeatBytes));
    const fullChunks = Math.floor(repeatBytes / control.chunkBytes);
    for (let i = 0; i < fullChunks; i++) pieces.push({ kind: 'content', text: fullChunk });
    const rest = repeatBytes % control.chunkBytes;
    if (rest > 0) pieces.push({ kind: 'content', text: repeatText(rest) });
  } else {
    content = thinkPrefix + repeatText(repeatBytes);
  }

  let toolCall: ToolCall | null = null;
  if (scenario === 'tool_call') {
    toolCall = {
      id: 'call_' + randomBytes(12).toString('hex'),
      name: firstToolName(body) ?? 'get_weather',
      arguments: control.arguments ?? '{"location":"Paris"}',
    };
    pieces.push({ kind: 'tool_start', id: toolCall.id, name: toolCall.name });
    for (const part of splitCodePoints(toolCall.arguments, Math.max(2, n))) pieces.push({ kind: 'tool_args', text: part });
  }

  const contentChars = repeatBytes !== undefined ? codePointCount(thinkPrefix) + repeatBytes : codePointCount(content);
  const reasoningChars = fieldReasoning === undefined ? 0 : codePointCount(fieldReasoning);
  const outputChars = contentChars + reasoningChars + (toolCall ? codePointCount(toolCall.arguments) : 0);
  // Default usage rule: ceil(code points / 4) for both prompt (min 1) and completion.
  const override = control.usage;
  const usage: UsageNumbers = {
    prompt: override.prompt ?? estimatePromptTokens(body),
    completion: override.completion ?? Math.ceil(outputChars / 4),
    cached: override.cached ?? 0,
    reasoning: override.reasoning ?? Math.ceil(reasoningChars / 4),
  };

  const finishReason =
    scenario === 'finish_filter' ? dialect.filterFinishReason : scenario === 'tool_call' ? 'tool_calls' : 'stop';
  const model = typeof body['model'] === 'string' ? body['model'] : '';
  return {
    id: 'chatcmpl-' + randomBytes(12).toString('hex'),
    created: Math.floor(Date.now() / 1000),
    model,
    reasoning: fieldReasoning,
    content,
    toolCall,
    pieces,
    outputChars,
    finishReason,
    usage,
  };
}

function firstToolName(body: JsonObject): string | undefined {
  const tools = body['tools'];
  if (!Array.isArray(tools)) return undefined;
  const first = tools[0];
  if (typeof first !== 'object' || first === null || Array.isArray(first)) return undefined;
  const fn = first['function'];
  if (typeof fn !== 'object' || fn === null || Array.isArray(fn)) return undefined;
  const name = fn['name'];
  return typeof name === 'string' ? name : undefined;
}

export function completionBody(dialect: Dialect, plan: AnswerPlan): JsonObject {
  const message: JsonObject = {
    role: 'assistant',
    content: plan.toolCall ? dialect.toolCallContent : plan.content,
  };
  if (plan.reasoning !== undefined && dialect.reasoningField !== 'think_tags') {
    message[dialect.reasoningField] = plan.reasoning;
  }
  if (plan.toolCall) {
    const { id, name, arguments: args } = plan.toolCall;
    message['tool_calls'] = [{ id, type: 'function', function: { name, arguments: args } }];
  }
  return {
    id: plan.id,
    object: 'chat.completion',
    created: plan.created,
    model: plan.model,
    choices: [{ index: 0, message, ...dialect.choiceExtras, finish_reason: plan.finishReason }],
    usage: dialect.usage(plan.usage),
    ...dialect.completionExtras,
  };
}

function sse(data: JsonObject): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

function deltaOf(dialect: Dialect, piece: Piece): JsonObject {
  const delta: JsonObject = dialect.deltaRole === null ? {} : { role: dialect.deltaRole };
  switch (piece.kind) {
    case 'content':
      delta['content'] = piece.text;
      break;
    case 'reasoning':
      delta[dialect.reasoningField === 'reasoning' ? 'reasoning' : 'reasoning_content'] = piece.text;
      break;
    case 'tool_start':
      // OpenAI style: id, type and name first, arguments empty; fragments follow with index only.
      delta['content'] = dialect.toolCallContent;
      delta['tool_calls'] = [{ index: 0, id: piece.id, type: 'function', function: { name: piece.name, arguments: '' } }];
      break;
    case 'tool_args':
      delta['tool_calls'] = [{ index: 0, function: { arguments: piece.text } }];
      break;
  }
  return delta;
}

function pieceChars(piece: Piece): number {
  return piece.kind === 'tool_start' ? 0 : codePointCount(piece.text);
}

function chunkJson(
  dialect: Dialect,
  plan: AnswerPlan,
  delta: JsonObject,
  finishReason: string | null,
  usage: UsageNumbers,
  isFinal: boolean,
): JsonObject {
  const choice: JsonObject = { index: 0, delta, ...dialect.choiceExtras, finish_reason: finishReason };
  if (isFinal && dialect.streamUsage === 'in_choice') choice['usage'] = dialect.usage(usage);
  const chunk: JsonObject = {
    id: plan.id,
    object: 'chat.completion.chunk',
    created: plan.created,
    model: plan.model,
    choices: [choice],
    ...dialect.chunkExtras,
  };
  if (dialect.streamUsage === 'cumulative' || (isFinal && dialect.streamUsage === 'final_chunk')) {
    chunk['usage'] = dialect.usage(usage);
  }
  return chunk;
}

/** StepFun-style running totals: completion so far grows with the text sent, ends exact. */
function usageSoFar(plan: AnswerPlan, sentChars: number): UsageNumbers {
  const total = plan.usage;
  if (plan.outputChars === 0) return total;
  const completion = Math.min(total.completion, Math.ceil((total.completion * sentChars) / plan.outputChars));
  return { ...total, completion, reasoning: Math.min(total.reasoning, completion) };
}

/** The dialect's whole stream, frame by frame (lazy, so 10 MB answers stay cheap). */
export function* sseFrames(dialect: Dialect, plan: AnswerPlan, includeUsage: boolean): Generator<SseFrame> {
  const pending = dialect.pendingFinishReason;
  if (dialect.roleOnlyFirstChunk) {
    const start = chunkJson(dialect, plan, { role: 'assistant', content: '' }, pending, usageSoFar(plan, 0), false);
    yield { text: sse(start), isPiece: false };
  }
  let sentChars = 0;
  let finishSent = false;
  const last = plan.pieces.length - 1;
  for (let i = 0; i <= last; i++) {
    const piece = plan.pieces[i];
    if (piece === undefined) continue;
    sentChars += pieceChars(piece);
    const delta = deltaOf(dialect, piece);
    if (i === last && dialect.lastPieceCarriesFinish) {
      yield { text: sse(chunkJson(dialect, plan, delta, plan.finishReason, plan.usage, true)), isPiece: true };
      finishSent = true;
    } else {
      yield { text: sse(chunkJson(dialect, plan, delta, pending, usageSoFar(plan, sentChars), false)), isPiece: true };
    }
  }
  if (!finishSent) {
    const finish = chunkJson(dialect, plan, { ...dialect.finishDelta }, plan.finishReason, plan.usage, true);
    yield { text: sse(finish), isPiece: false };
  }
  if (dialect.streamUsage === 'trailing_if_asked' && includeUsage) {
    const trailer: JsonObject = {
      id: plan.id,
      object: 'chat.completion.chunk',
      created: plan.created,
      model: plan.model,
      choices: [],
      ...dialect.chunkExtras,
      usage: dialect.usage(plan.usage),
    };
    yield { text: sse(trailer), isPiece: false };
  }
  yield { text: 'data: [DONE]\n\n', isPiece: false };
}
