/**
 * MiniMax: errors come back as HTTP 200 with `base_resp.status_code != 0` (even
 * for streams, as a bare JSON body); deltas carry `role: ""`, sensitivity flags
 * and placeholder usage; temperature must be in (0, 1]; n and penalties are unsupported.
 */
import { z } from 'zod';
import { clampField, defineProvider, dropFields, normalizeOpenAiMessage } from './openai-compatible';
import type { Classification } from './types';

const CODES: Record<string, Classification['kind']> = {
  '1000': 'server',
  // 1001 is MiniMax's own server-side timeout: the provider is busy, not our timer expiring.
  '1001': 'overloaded',
  '1002': 'rate_limit',
  '1004': 'auth',
  '1008': 'balance',
  '1026': 'content_filter',
  '1027': 'content_filter',
  '1039': 'context_length',
  '2013': 'bad_request',
  '2049': 'auth',
};

/** `base_resp` on answers, chunks and errors; status_code 0 means success. Malformed counts as absent. */
const BaseRespSchema = z
  .looseObject({ status_code: z.number(), status_msg: z.string().optional().catch(undefined) })
  .optional()
  .catch(undefined);

export const minimax = defineProvider({
  id: 'minimax',
  baseUrl: 'https://api.minimax.io/v1',
  transformRequest(body) {
    if (body.temperature === 0) body.temperature = 0.01;
    clampField(body, 'temperature', 0.01, 1);
    dropFields(body, ['n', 'presence_penalty', 'frequency_penalty']);
    return body;
  },
  inBandError(payload) {
    const base = BaseRespSchema.parse(payload.base_resp);
    if (!base || base.status_code === 0) return undefined;
    return { code: String(base.status_code), message: base.status_msg };
  },
  classifyError(status, fields) {
    const kind = fields.code === undefined ? undefined : CODES[fields.code];
    if (kind) return { kind, providerCode: fields.code };
    if (status === 529) return { kind: 'overloaded', providerCode: fields.code ?? fields.type };
    return { kind: status >= 500 ? 'server' : status === 429 ? 'rate_limit' : status === 401 ? 'auth' : 'bad_request', providerCode: fields.code };
  },
  normalizeMessage(message) {
    normalizeOpenAiMessage(message);
    delete message.input_sensitive;
    delete message.output_sensitive;
  },
});
