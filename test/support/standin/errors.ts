// Each provider's real error statuses and bodies (see /work/shared/providers.md),
// plus the parameter checks the real upstreams enforce and the gateway must pre-empt.
import { randomUUID } from 'node:crypto';
import type { JsonObject, ProviderName } from './dialects.ts';

export const ERROR_KINDS = [
  'bad_request',
  'auth',
  'balance',
  'rate_limit',
  'overloaded',
  'server',
  'content_filter',
  'context_length',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ErrorReply {
  status: number;
  body: JsonObject;
}

/** status + provider code (Zhipu numeric string, MiniMax base_resp code, else the error type) + message. */
interface ErrorEntry {
  status: number;
  code: string;
  message: string;
}

type ErrorTable = Record<ErrorKind, ErrorEntry>;

const deepseekErrors: ErrorTable = {
  bad_request: { status: 400, code: 'invalid_request_error', message: 'Failed to deserialize the JSON body into the target type' },
  auth: { status: 401, code: 'authentication_error', message: 'Authentication Fails, Your api key: ****-key is invalid' },
  balance: { status: 402, code: 'unknown_error', message: 'Insufficient Balance' },
  rate_limit: { status: 429, code: 'rate_limit_error', message: 'Rate Limit Reached' },
  overloaded: { status: 503, code: 'service_unavailable_error', message: 'Server overloaded, please try again later' },
  server: { status: 500, code: 'internal_error', message: 'Internal Server Error' },
  content_filter: { status: 400, code: 'invalid_request_error', message: 'Content Exists Risk' },
  context_length: {
    status: 400,
    code: 'invalid_request_error',
    message:
      "This model's maximum context length is 1048576 tokens. However, you requested 1100000 tokens " +
      '(1100000 in the messages, 0 in the completion). Please reduce the length of the messages or completion.',
  },
};

const zhipuErrors: ErrorTable = {
  bad_request: { status: 400, code: '1214', message: 'Invalid request parameter' },
  auth: { status: 401, code: '1000', message: 'Authentication Failed' },
  balance: { status: 429, code: '1113', message: 'Insufficient balance or no resource package. Please recharge.' },
  rate_limit: {
    status: 429,
    code: '1302',
    message: 'High concurrency usage of this API, please reduce concurrency or contact customer service to increase limits',
  },
  overloaded: { status: 429, code: '1305', message: 'The service may be temporarily overloaded, please try again later' },
  server: { status: 500, code: '500', message: 'Internal Error' },
  content_filter: {
    status: 400,
    code: '1301',
    message: 'System detected potentially unsafe or sensitive content in input or generation. Please avoid using prompts that may generate sensitive content. Thank you for your cooperation.',
  },
  context_length: { status: 400, code: '1261', message: 'Prompt exceeds max length' },
};

// MiniMax answers HTTP 200 and puts the failure in base_resp (status is the HTTP status we send).
const minimaxErrors: ErrorTable = {
  bad_request: { status: 200, code: '2013', message: 'invalid params, missing required parameter' },
  auth: { status: 200, code: '2049', message: 'invalid api key' },
  balance: { status: 200, code: '1008', message: 'insufficient balance' },
  rate_limit: { status: 200, code: '1002', message: 'rate limit exceeded(RPM)' },
  overloaded: { status: 200, code: '1001', message: 'request timeout, the service is busy' },
  server: { status: 200, code: '1000', message: 'unknown error' },
  content_filter: { status: 200, code: '1026', message: 'input new_sensitive' },
  context_length: { status: 200, code: '1039', message: 'token limit exceeded, context window exceeds limit' },
};

const qwenErrors: ErrorTable = {
  bad_request: { status: 400, code: 'InvalidParameter', message: 'The request parameters are invalid.' },
  auth: { status: 401, code: 'InvalidApiKey', message: 'Invalid API-key provided.' },
  balance: { status: 400, code: 'Arrearage', message: 'Access denied, please make sure your account is in good standing.' },
  rate_limit: { status: 429, code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded, please try again later.' },
  // providers.md names no overload error for DashScope; 503 ServiceUnavailable is the plausible
  // "busy" answer and keeps it distinct from the 429 quota/rate errors.
  overloaded: { status: 503, code: 'ServiceUnavailable', message: 'The service is temporarily unavailable, please try again later.' },
  server: { status: 500, code: 'InternalError', message: 'An internal error has occured, please try again later or contact service support.' },
  content_filter: { status: 400, code: 'DataInspectionFailed', message: 'Input data may contain inappropriate content.' },
  context_length: { status: 400, code: 'InvalidParameter', message: 'Range of input length should be [1, 129024]' },
};

const kimiErrors: ErrorTable = {
  bad_request: { status: 400, code: 'invalid_request_error', message: 'Invalid request: the request body is malformed' },
  auth: { status: 401, code: 'invalid_authentication_error', message: 'Invalid Authentication' },
  balance: {
    status: 429,
    code: 'exceeded_current_quota_error',
    message: 'Your account org-standin<ak-standin> is suspended, please check your plan and billing details',
  },
  rate_limit: {
    status: 429,
    code: 'rate_limit_reached_error',
    message: 'Your account org-standin<ak-standin> request reached organization max RPM: 3, please try again after 1 seconds',
  },
  overloaded: { status: 429, code: 'engine_overloaded_error', message: 'The engine is currently overloaded, please try again later' },
  server: { status: 500, code: 'server_error', message: 'Internal server error, please try again later' },
  content_filter: { status: 400, code: 'content_filter', message: 'The request was rejected because it was considered high risk' },
  context_length: { status: 400, code: 'invalid_request_error', message: 'Invalid request: Your request exceeded model token limit: 262144' },
};

// StepFun documents the statuses, not the type strings: these types are our plausible choice.
const stepfunErrors: ErrorTable = {
  bad_request: { status: 400, code: 'invalid_request_error', message: 'invalid request parameters' },
  auth: { status: 401, code: 'invalid_api_key', message: 'Incorrect API key provided' },
  balance: { status: 402, code: 'insufficient_balance', message: 'Insufficient account balance, please recharge' },
  rate_limit: { status: 429, code: 'rate_limit_exceeded', message: 'Rate limit exceeded, please try again later' },
  overloaded: { status: 503, code: 'service_unavailable', message: 'The service is overloaded, please try again later' },
  server: { status: 500, code: 'server_error', message: 'Internal server error' },
  content_filter: { status: 451, code: 'content_filter', message: 'The content failed the safety review' },
  context_length: { status: 400, code: 'invalid_request_error', message: "The input exceeds the model's context length" },
};

const ERROR_TABLES: Record<ProviderName, ErrorTable> = {
  deepseek: deepseekErrors,
  zhipu: zhipuErrors,
  minimax: minimaxErrors,
  qwen: qwenErrors,
  kimi: kimiErrors,
  stepfun: stepfunErrors,
};

function errorBody(provider: ProviderName, entry: ErrorEntry): JsonObject {
  switch (provider) {
    case 'minimax':
      return { id: '', choices: null, base_resp: { status_code: Number(entry.code), status_msg: entry.message } };
    case 'zhipu':
      return { error: { code: entry.code, message: entry.message } };
    case 'qwen':
      return {
        error: { code: entry.code, message: entry.message, type: entry.code, param: null },
        request_id: randomUUID(),
      };
    case 'deepseek':
      // The 402 body observed in the wild has only message + type.
      if (entry.status === 402) return { error: { message: entry.message, type: entry.code } };
      return {
        error: { message: entry.message, type: entry.code, param: null, code: entry.status < 429 ? 'invalid_request_error' : null },
      };
    case 'kimi':
    case 'stepfun':
      return { error: { message: entry.message, type: entry.code } };
  }
}

export function providerError(
  provider: ProviderName,
  kind: ErrorKind,
  override: { message?: string; code?: string } = {},
): ErrorReply {
  const entry = { ...ERROR_TABLES[provider][kind], ...override };
  return { status: entry.status, body: errorBody(provider, entry) };
}

/** Missing / malformed Authorization header: the provider's 401 shape (MiniMax: 200 + 1004). */
export function missingKeyError(provider: ProviderName): ErrorReply {
  switch (provider) {
    case 'deepseek':
      return providerError(provider, 'auth', { message: 'Authentication Fails (no such user)' });
    case 'zhipu':
      return providerError(provider, 'auth', { code: '1001', message: 'Header missing Authentication parameter, unable to authenticate' });
    case 'minimax':
      return providerError(provider, 'auth', {
        code: '1004',
        message: "login fail: Please carry the API secret key in the 'Authorization' field of the request header",
      });
    case 'qwen':
      return providerError(provider, 'auth', { message: 'No API-key provided.' });
    case 'kimi':
    case 'stepfun':
      return providerError(provider, 'auth');
  }
}

/** Rejections the real upstreams make before generating anything. */
export function validateChatRequest(provider: ProviderName, body: JsonObject): ErrorReply | null {
  const model = body['model'];
  if (typeof model !== 'string' || model === '') return badParams(provider, 'model', 'model is required');
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) {
    return badParams(provider, 'messages', 'messages must be a non-empty array');
  }
  const temperature = body['temperature'];
  const topP = body['top_p'];
  if (provider === 'zhipu') {
    // Zhipu: temperature in [0, 1], top_p in the open interval (0, 1); the gateway must clamp.
    if (typeof temperature === 'number' && (temperature < 0 || temperature > 1)) {
      return badParams(provider, 'temperature', 'temperature must be within [0, 1]');
    }
    if (typeof topP === 'number' && (topP <= 0 || topP >= 1)) {
      return badParams(provider, 'top_p', 'top_p must be within (0, 1)');
    }
  }
  if (provider === 'minimax' && typeof temperature === 'number' && (temperature <= 0 || temperature > 1)) {
    return providerError(provider, 'bad_request', { message: 'invalid params, temperature must be in (0, 1]' });
  }
  return null;
}

function badParams(provider: ProviderName, field: string, reason: string): ErrorReply {
  switch (provider) {
    case 'zhipu':
      return providerError(provider, 'bad_request', { message: `Invalid parameter ${field}: ${reason}` });
    case 'minimax':
      return providerError(provider, 'bad_request', { message: `invalid params, ${reason}` });
    case 'qwen':
      return providerError(provider, 'bad_request', { message: `<400> InternalError.Algo.InvalidParameter: ${reason}` });
    default:
      return providerError(provider, 'bad_request', { message: reason });
  }
}
