/**
 * Token estimates for when the provider's count is not (yet) known: the worst
 * case reserved before a call, and the usage billed when a stream ends without
 * the provider's usage. They lean high: ASCII text at ~1 token per 3 characters
 * (DeepSeek's own rule is 0.3), anything else at 1 token per character (CJK is
 * 0.6 by DeepSeek's rule, 0.625 by GLM's).
 */
import type { ChatRequest } from '../schemas/chat-request';

const PER_MESSAGE_OVERHEAD = 4;

export function estimateTextTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 3) + other;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (typeof part === 'object' && part && 'text' in part && typeof part.text === 'string' ? part.text : '')).join('');
}

export function estimatePromptTokens(request: Pick<ChatRequest, 'messages' | 'tools'>): number {
  let tokens = 0;
  for (const message of request.messages) {
    tokens += PER_MESSAGE_OVERHEAD + estimateTextTokens(contentText(message.content));
    if ('tool_calls' in message && message.tool_calls) tokens += estimateTextTokens(JSON.stringify(message.tool_calls));
  }
  if (request.tools?.length) tokens += estimateTextTokens(JSON.stringify(request.tools));
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
