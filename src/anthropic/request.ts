/**
 * An Anthropic Messages request → the chat completion request serveChat
 * serves, so routing, BYOK, limits and billing are chat's own. Only what is
 * translated is copied: Anthropic's extras (`metadata`, `thinking`, `top_k`,
 * `cache_control`, unknown fields) never reach a provider.
 */
import { CATALOG, findModel } from '../base/catalog';
import type { JsonObject } from '../base/upstream';
import { invalidValue, modelNotFound, type ApiError } from '../errors';
import { ChatRequestSchema, type ChatMessage, type ChatRequest } from '../schemas/chat-request';
import type { AnthropicContentBlock, CountTokensRequest } from '../schemas/messages-request';
import { zodToApiError } from '../schemas/zod-error';

/** A few catalog ids for Claude Code's model variables (the strongest reasoning, a general, a cheap one). */
export const SUGGESTED_MODELS = ['deepseek-reasoner', 'deepseek-chat', 'glm-4-flash'] as const;

/** Claude Code asks for `claude-*` models unless told otherwise: the 404 says how to tell it. */
export function unknownModel(model: string): ApiError {
  const examples = SUGGESTED_MODELS.filter((id) => findModel(id)).join(', ');
  return modelNotFound(
    model,
    `find-token serves its own catalog, not Claude models: set ANTHROPIC_MODEL, ANTHROPIC_DEFAULT_OPUS_MODEL, ANTHROPIC_DEFAULT_SONNET_MODEL and ANTHROPIC_DEFAULT_HAIKU_MODEL to catalog ids, e.g. ${examples} (GET /v1/models lists all ${CATALOG.length}).`,
  );
}

type Block = AnthropicContentBlock;
type ImageBlock = Extract<Block, { type: 'image' }>;
type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

const imagePart = (block: ImageBlock): ContentPart => ({
  type: 'image_url',
  image_url: { url: block.source.type === 'base64' ? `data:${block.source.media_type};base64,${block.source.data}` : block.source.url },
});

/** Text only → one string (not every provider takes content parts); with images → parts. */
function userContent(parts: ContentPart[]): string | ContentPart[] {
  if (parts.every((part) => part.type === 'text')) return parts.map((part) => part.text).join('\n\n');
  return parts;
}

function toolResultContent(block: Extract<Block, { type: 'tool_result' }>, images: ContentPart[]): string {
  const content = block.content ?? '';
  let text = typeof content === 'string' ? content : '';
  if (Array.isArray(content)) {
    text = content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n\n');
    // A tool message carries text only: its images follow in the user message after the results.
    for (const part of content) if (part.type === 'image') images.push(imagePart(part));
  }
  return block.is_error === true ? `Error: ${text}` : text;
}

/**
 * A user turn: its tool results first, as tool messages (they must follow the assistant's
 * tool calls directly), then what else it says as one user message.
 */
function userMessages(blocks: Block[], at: number): ChatMessage[] {
  const out: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  blocks.forEach((block, index) => {
    switch (block.type) {
      case 'text':
        parts.push({ type: 'text', text: block.text });
        break;
      case 'image':
        parts.push(imagePart(block));
        break;
      case 'tool_result':
        out.push({ role: 'tool', tool_call_id: block.tool_use_id, content: toolResultContent(block, parts) });
        break;
      default:
        throw invalidValue(`A user message cannot hold a '${block.type}' block.`, `messages[${at}].content[${index}].type`);
    }
  });
  if (parts.length > 0) out.push({ role: 'user', content: userContent(parts) });
  return out;
}

/** An assistant turn: text, its tool calls, and its thinking as `reasoning_content` (DeepSeek and Kimi refuse a tool turn without it). */
function assistantMessage(blocks: Block[], at: number): ChatMessage {
  const text: string[] = [];
  const thinking: string[] = [];
  const toolCalls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] = [];
  blocks.forEach((block, index) => {
    switch (block.type) {
      case 'text':
        text.push(block.text);
        break;
      case 'thinking':
        thinking.push(block.thinking);
        break;
      case 'redacted_thinking':
        break; // Anthropic's encrypted reasoning: nothing a provider here can read.
      case 'tool_use':
        toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
        break;
      default:
        throw invalidValue(`An assistant message cannot hold a '${block.type}' block.`, `messages[${at}].content[${index}].type`);
    }
  });
  const message: ChatMessage = { role: 'assistant', content: text.length === 0 && toolCalls.length > 0 ? null : text.join('') };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (thinking.length > 0) message.reasoning_content = thinking.join('');
  return message;
}

function chatMessages(request: CountTokensRequest): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const system = typeof request.system === 'string' ? request.system : request.system?.map((block) => block.text).join('\n\n');
  if (system) messages.push({ role: 'system', content: system });
  request.messages.forEach((message, at) => {
    const blocks: Block[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (message.role === 'user') messages.push(...userMessages(blocks, at));
    else messages.push(assistantMessage(blocks, at));
  });
  return messages;
}

/** Client tools become functions; Anthropic's server tools (web search and the like) cannot run here and are left out. */
function chatTools(request: CountTokensRequest): JsonObject[] {
  return (request.tools ?? [])
    .filter((tool) => tool.input_schema !== undefined && (tool.type === undefined || tool.type === 'custom'))
    .map((tool) => ({
      type: 'function',
      function: { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), parameters: tool.input_schema },
    }));
}

function chatToolChoice(choice: NonNullable<CountTokensRequest['tool_choice']>): unknown {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}

/**
 * The chat completion request for `request`. Unknown models (Claude's included) are a 404 saying
 * which variables to set; `max_tokens` is clamped to the model's output cap (Claude Code asks for
 * 32,000 or more whatever the model). Throws the client's ApiError.
 */
export function toChatRequest(request: CountTokensRequest): ChatRequest {
  const model = findModel(request.model);
  if (!model) throw unknownModel(request.model);
  const chat: JsonObject = { model: model.id, messages: chatMessages(request) };
  if (request.max_tokens !== undefined) chat.max_tokens = Math.min(request.max_tokens, model.maxOutputTokens);
  if (request.temperature !== undefined) chat.temperature = request.temperature;
  if (request.top_p !== undefined) chat.top_p = request.top_p;
  if (request.stop_sequences?.length) chat.stop = request.stop_sequences;
  if (request.stream === true) {
    chat.stream = true;
    // message_delta carries the usage: always ask for it.
    chat.stream_options = { include_usage: true };
  }
  const tools = chatTools(request);
  if (tools.length > 0) {
    chat.tools = tools;
    if (request.tool_choice) chat.tool_choice = chatToolChoice(request.tool_choice);
    if (request.tool_choice && 'disable_parallel_tool_use' in request.tool_choice && request.tool_choice.disable_parallel_tool_use === true) {
      chat.parallel_tool_calls = false;
    }
  }
  for (const field of ['routing', 'models', 'max_price', 'billing_mode', 'provider_key'] as const) {
    if (request[field] !== undefined) chat[field] = request[field];
  }
  // The chat schema checks what the translation made (tool names, stop sequences, find-token's fields).
  const parsed = ChatRequestSchema.safeParse(chat, { reportInput: true });
  if (!parsed.success) throw zodToApiError(parsed.error);
  return parsed.data;
}
