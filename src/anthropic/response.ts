/**
 * A chat completion (as serveChat answers it, usage from what was billed) →
 * Anthropic's message: thinking, text and tool_use blocks, its stop reason
 * and its usage.
 */
import type { JsonObject } from '../base/upstream';

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

export type MessageBlock =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown };

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  content: MessageBlock[];
  model: string;
  stop_reason: StopReason;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const numberOr0 = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** The message id: the request id's random part, so a message leads to its billing log. */
export const messageId = (requestId: string): string => `msg_${requestId.replace(/^req_/, '')}`;

/**
 * OpenAI's finish_reason → Anthropic's stop reason. `stop` is a stop sequence only when the provider
 * says which one matched (vLLM-style `stop_reason` / `matched_stop`); OpenAI's shape cannot tell otherwise.
 */
export function stopReasonOf(finishReason: unknown, matched: unknown, stopSequences: readonly string[] = []): { stop_reason: StopReason; stop_sequence: string | null } {
  switch (finishReason) {
    case 'length':
      return { stop_reason: 'max_tokens', stop_sequence: null };
    case 'tool_calls':
    case 'function_call':
      return { stop_reason: 'tool_use', stop_sequence: null };
    case 'content_filter':
      return { stop_reason: 'refusal', stop_sequence: null };
  }
  if (typeof matched === 'string' && stopSequences.includes(matched)) return { stop_reason: 'stop_sequence', stop_sequence: matched };
  return { stop_reason: 'end_turn', stop_sequence: null };
}

/** The sequence a provider says stopped the answer, wherever it put it. */
export const matchedStopOf = (choice: JsonObject): unknown => choice.stop_reason ?? choice.matched_stop;

/**
 * OpenAI usage → Anthropic's: Anthropic's `input_tokens` leaves out what was read from the cache,
 * which it counts apart (prompt = input + cache reads).
 */
export function anthropicUsage(usage: unknown): AnthropicUsage {
  const known = isObject(usage) ? usage : {};
  const details = isObject(known.prompt_tokens_details) ? known.prompt_tokens_details : {};
  const cached = numberOr0(details.cached_tokens);
  return {
    input_tokens: Math.max(0, numberOr0(known.prompt_tokens) - cached),
    output_tokens: numberOr0(known.completion_tokens),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

/** A tool call's arguments as the object Anthropic's `input` is (arguments that are not a JSON object: `{}`). */
export function toolInput(args: unknown): unknown {
  if (typeof args !== 'string' || args.trim() === '') return {};
  try {
    const input: unknown = JSON.parse(args);
    return isObject(input) ? input : {};
  } catch {
    return {};
  }
}

export function toAnthropicMessage(completion: JsonObject, context: { requestId: string; model: string; stopSequences?: readonly string[] }): AnthropicMessage {
  const choices = Array.isArray(completion.choices) ? completion.choices : [];
  const choice = isObject(choices[0]) ? choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  const content: MessageBlock[] = [];
  if (typeof message.reasoning_content === 'string' && message.reasoning_content !== '') {
    content.push({ type: 'thinking', thinking: message.reasoning_content, signature: '' });
  }
  if (typeof message.content === 'string' && message.content !== '') content.push({ type: 'text', text: message.content });
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    if (!isObject(call) || !isObject(call.function)) continue;
    const name = typeof call.function.name === 'string' ? call.function.name : '';
    content.push({ type: 'tool_use', id: typeof call.id === 'string' ? call.id : '', name, input: toolInput(call.function.arguments) });
  }
  return {
    id: messageId(context.requestId),
    type: 'message',
    role: 'assistant',
    content,
    model: context.model,
    ...stopReasonOf(choice.finish_reason, matchedStopOf(choice), context.stopSequences),
    usage: anthropicUsage(completion.usage),
  };
}
