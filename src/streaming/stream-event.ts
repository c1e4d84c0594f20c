/**
 * What a provider's stream becomes once normalized (providers/usage-tap.ts):
 * OpenAI-shaped chunks, the end, or a failure; and what billing taps from it.
 */
import type { JsonObject, NormalizedUsage, UpstreamFailure } from '../base/upstream';

export type StreamEvent =
  | { type: 'chunk'; chunk: JsonObject; hasContent: boolean; finishReason: string | null }
  | { type: 'done' }
  | { type: 'error'; failure: UpstreamFailure };

export interface TapState {
  /** The last non-empty usage seen: cumulative providers (StepFun) report it on every chunk. */
  usage: NormalizedUsage | undefined;
  /** Estimated tokens of content, reasoning and tool calls delivered, for billing when usage never came. */
  deliveredTokens: number;
  /** Whether a delta already carried `role` (OpenAI's first delta always does; some providers never send it). */
  roleSent?: boolean;
}
