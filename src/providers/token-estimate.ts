/**
 * Token estimates for when the provider's count is not (yet) known: the worst
 * case reserved before a call, and the usage billed when a stream ends without
 * the provider's usage. They lean high: ASCII text at ~1 token per 3 characters
 * (DeepSeek's own rule is 0.3), anything else at 1 token per character (CJK is
 * 0.6 by DeepSeek's rule, 0.625 by GLM's). The prompt counts every input part a
 * provider bills: text, names, images (and any other non-text part), earlier
 * reasoning and tool calls, tool results, tool definitions and a JSON schema.
 */
import type { ChatRequest } from '../schemas/chat-request';

const PER_MESSAGE_OVERHEAD = 4;

/**
 * One image (or other non-text part: its tokens depend on pixels the gateway does
 * not decode): above Qwen-VL's 1,280-token ceiling at its default max_pixels and
 * OpenAI's ~1,100 for a high-detail 2048×768 image.
 */
export const NON_TEXT_PART_TOKENS = 2_048;

export function estimateTextTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 3) + other;
}

function contentTokens(content: unknown): number {
  if (typeof content === 'string') return estimateTextTokens(content);
  if (!Array.isArray(content)) return 0;
  let tokens = 0;
  for (const part of content) {
    const text = typeof part === 'object' && part !== null && 'text' in part ? part.text : undefined;
    tokens += typeof text === 'string' ? estimateTextTokens(text) : NON_TEXT_PART_TOKENS;
  }
  return tokens;
}

const textTokens = (value: unknown): number => (typeof value === 'string' ? estimateTextTokens(value) : 0);
const jsonTokens = (value: unknown): number => (value == null ? 0 : estimateTextTokens(JSON.stringify(value)));

export function estimatePromptTokens(request: Pick<ChatRequest, 'messages' | 'tools' | 'response_format'>): number {
  let tokens = 0;
  for (const message of request.messages) {
    tokens += PER_MESSAGE_OVERHEAD + contentTokens(message.content) + textTokens(message.name);
    if (message.role === 'assistant') tokens += textTokens(message.reasoning_content) + jsonTokens(message.tool_calls);
  }
  if (request.tools?.length) tokens += jsonTokens(request.tools);
  // A JSON schema is put into the prompt by the providers that take one.
  if (request.response_format?.type === 'json_schema') tokens += jsonTokens(request.response_format.json_schema);
  return tokens;
}

const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The text an answer (a message or a stream delta) delivers: content, reasoning, tool-call names and arguments. */
export function deliveredText(message: Record<string, unknown>): string {
  let text = '';
  if (nonEmptyString(message.content)) text += message.content;
  if (nonEmptyString(message.reasoning_content)) text += message.reasoning_content;
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (isRecord(call) && isRecord(call.function)) {
        const fn = call.function;
        text += (nonEmptyString(fn.name) ? fn.name : '') + (nonEmptyString(fn.arguments) ? fn.arguments : '');
      }
    }
  }
  return text;
}
