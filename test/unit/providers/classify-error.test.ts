/**
 * Every provider × the error bodies it really sends (providers.md), read the way
 * the core reads them: a 200 body is asked for an in-band error, anything else
 * goes through readErrorFields; the adapter then classifies.
 */
import { describe, expect, it } from 'vitest';
import { isObject, readErrorFields } from '../../../src/providers/upstream-schemas';
import { PROVIDER_IDS, type ProviderId } from '../../../src/base/provider-id';
import { getAdapter } from '../../../src/providers/registry';
import type { Classification } from '../../../src/providers/types';

function classify(provider: ProviderId, status: number, body: unknown): Classification | undefined {
  const adapter = getAdapter(provider);
  const inBand = status === 200 && isObject(body) ? adapter.inBandError(body) : undefined;
  if (status === 200 && !inBand) return undefined;
  return adapter.classifyError(status, inBand ?? readErrorFields(body));
}

const err = (fields: Record<string, unknown>) => ({ error: fields });
const baseResp = (status_code: number, status_msg: string) => ({ id: '', choices: null, base_resp: { status_code, status_msg } });

type Row = [ProviderId, number, unknown, Classification];

const ROWS: Row[] = [
  // Zhipu: the business code decides; 1113 (out of balance) comes as HTTP 429.
  ['zhipu', 429, err({ code: '1113', message: '余额不足或无可用资源包,请充值。' }), { kind: 'balance', providerCode: '1113' }],
  ['zhipu', 429, err({ code: '1302', message: '您当前使用该API的并发数过高，请降低并发，或联系客服增加限额。' }), { kind: 'rate_limit', providerCode: '1302' }],
  ['zhipu', 429, err({ code: '1305', message: '当前API请求过多，请稍后重试。' }), { kind: 'overloaded', providerCode: '1305' }],
  ['zhipu', 400, err({ code: '1301', message: '系统检测到输入或生成内容可能包含不安全或敏感内容' }), { kind: 'content_filter', providerCode: '1301' }],
  ['zhipu', 400, err({ code: '1261', message: 'Prompt 超长' }), { kind: 'context_length', providerCode: '1261' }],
  ['zhipu', 401, err({ code: '1002', message: 'Authorization Token非法，请确认Authorization Token正确传递。' }), { kind: 'auth', providerCode: '1002' }],
  ['zhipu', 400, err({ code: '1211', message: '模型不存在，请检查模型代码。' }), { kind: 'not_found', providerCode: '1211' }],
  ['zhipu', 500, err({ code: '500', message: 'Internal Error' }), { kind: 'server', providerCode: '500' }],
  // MiniMax: HTTP 200 with base_resp.status_code != 0.
  ['minimax', 200, baseResp(1002, 'rate limit exceeded(RPM)'), { kind: 'rate_limit', providerCode: '1002' }],
  ['minimax', 200, baseResp(1004, "login fail: Please carry the API secret key in the 'Authorization' field"), { kind: 'auth', providerCode: '1004' }],
  ['minimax', 200, baseResp(1008, 'insufficient balance'), { kind: 'balance', providerCode: '1008' }],
  ['minimax', 200, baseResp(1026, 'input new_sensitive'), { kind: 'content_filter', providerCode: '1026' }],
  ['minimax', 200, baseResp(1039, 'token limit'), { kind: 'context_length', providerCode: '1039' }],
  ['minimax', 200, baseResp(2013, 'invalid params, tool call id is invalid'), { kind: 'bad_request', providerCode: '2013' }],
  ['minimax', 200, baseResp(2049, 'invalid api key'), { kind: 'auth', providerCode: '2049' }],
  ['minimax', 529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, { kind: 'overloaded', providerCode: 'overloaded_error' }],
  ['minimax', 500, 'upstream connect error', { kind: 'server' }],
  // Qwen: the code decides.
  ['qwen', 400, err({ code: 'Arrearage', type: 'Arrearage', param: null, message: 'Access denied, please make sure your account is in good standing.' }), { kind: 'balance', providerCode: 'Arrearage' }],
  ['qwen', 400, err({ code: 'DataInspectionFailed', message: 'Input data may contain inappropriate content.' }), { kind: 'content_filter', providerCode: 'DataInspectionFailed' }],
  ['qwen', 400, err({ code: 'data_inspection_failed', type: 'data_inspection_failed', message: 'Output data may contain inappropriate content.' }), { kind: 'content_filter', providerCode: 'data_inspection_failed' }],
  ['qwen', 429, err({ code: 'Throttling.RateQuota', message: 'Requests rate limit exceeded, please try again later.' }), { kind: 'rate_limit', providerCode: 'Throttling.RateQuota' }],
  ['qwen', 429, err({ code: 'insufficient_quota', message: 'You exceeded your current quota.' }), { kind: 'rate_limit', providerCode: 'insufficient_quota' }],
  ['qwen', 401, err({ code: 'InvalidApiKey', message: 'Invalid API-key provided.' }), { kind: 'auth', providerCode: 'InvalidApiKey' }],
  ['qwen', 404, err({ code: 'ModelNotFound', message: 'Model not exist.' }), { kind: 'not_found', providerCode: 'ModelNotFound' }],
  ['qwen', 400, err({ code: 'InvalidParameter', message: 'Range of input length should be [1, 129024]' }), { kind: 'context_length', providerCode: 'InvalidParameter' }],
  ['qwen', 500, err({ code: 'InternalError', message: 'An internal error has occured, please try again later.' }), { kind: 'server', providerCode: 'InternalError' }],
  // Kimi: the type decides; out of balance and overload both come as 429.
  ['kimi', 429, err({ type: 'exceeded_current_quota_error', message: 'Your account org-1<ak-2> is suspended, please check your plan and billing details' }), { kind: 'balance', providerCode: 'exceeded_current_quota_error' }],
  ['kimi', 429, err({ type: 'engine_overloaded_error', message: 'The engine is currently overloaded, please try again later' }), { kind: 'overloaded', providerCode: 'engine_overloaded_error' }],
  ['kimi', 429, err({ type: 'rate_limit_reached_error', message: 'Your account org-1<ak-2> request reached organization max RPM: 3' }), { kind: 'rate_limit', providerCode: 'rate_limit_reached_error' }],
  ['kimi', 400, err({ type: 'content_filter', message: 'The request was rejected because it was considered high risk' }), { kind: 'content_filter', providerCode: 'content_filter' }],
  ['kimi', 400, err({ type: 'invalid_request_error', message: 'Invalid request: Your request exceeded model token limit: 262144' }), { kind: 'context_length', providerCode: 'invalid_request_error' }],
  ['kimi', 401, err({ type: 'invalid_authentication_error', message: 'Invalid Authentication' }), { kind: 'auth', providerCode: 'invalid_authentication_error' }],
  ['kimi', 403, err({ type: 'permission_denied_error', message: 'insufficient balance' }), { kind: 'auth', providerCode: 'permission_denied_error' }],
  // DeepSeek: statuses mean what they say.
  ['deepseek', 402, err({ message: 'Insufficient Balance', type: 'unknown_error' }), { kind: 'balance', providerCode: 'unknown_error' }],
  ['deepseek', 503, err({ message: 'Server overloaded, please try again later.', type: 'server_error' }), { kind: 'overloaded', providerCode: 'server_error' }],
  ['deepseek', 500, err({ message: 'Internal server error', type: 'server_error' }), { kind: 'server', providerCode: 'server_error' }],
  ['deepseek', 401, err({ message: 'Authentication Fails, Your api key: ****-key is invalid', type: 'authentication_error', code: 'invalid_request_error' }), { kind: 'auth', providerCode: 'invalid_request_error' }],
  ['deepseek', 400, err({ message: "This model's maximum context length is 1000000 tokens. However, you requested 1200000 tokens.", type: 'invalid_request_error', code: 'invalid_request_error' }), { kind: 'context_length', providerCode: 'invalid_request_error' }],
  ['deepseek', 400, err({ message: 'Invalid frequency_penalty value', type: 'invalid_request_error' }), { kind: 'bad_request', providerCode: 'invalid_request_error' }],
  ['deepseek', 422, err({ message: 'Failed to deserialize the JSON body', type: 'invalid_request_error' }), { kind: 'bad_request', providerCode: 'invalid_request_error' }],
  ['deepseek', 429, err({ message: 'Rate limit reached', type: 'rate_limit_error' }), { kind: 'rate_limit', providerCode: 'rate_limit_error' }],
  // StepFun: statuses mean what they say; 451 is its content filter.
  ['stepfun', 402, err({ message: 'Insufficient balance', type: 'insufficient_balance' }), { kind: 'balance', providerCode: 'insufficient_balance' }],
  ['stepfun', 451, err({ message: 'content failed safety review', type: 'content_filter' }), { kind: 'content_filter', providerCode: 'content_filter' }],
  ['stepfun', 429, err({ message: 'rate limit exceeded', type: 'rate_limit_error' }), { kind: 'rate_limit', providerCode: 'rate_limit_error' }],
  ['stepfun', 503, err({ message: 'service unavailable', type: 'server_error' }), { kind: 'overloaded', providerCode: 'server_error' }],
  ['stepfun', 504, '<html>504 Gateway Time-out</html>', { kind: 'timeout' }],
];

/** "zhipu: HTTP 429 1113 is balance" */
function title([provider, status, body, expected]: Row): string {
  const fields = status === 200 && isObject(body) ? getAdapter(provider).inBandError(body) : readErrorFields(body);
  const what = fields?.code ?? fields?.type ?? 'text body';
  return `${provider}: HTTP ${status} ${what} is ${expected.kind}`;
}

describe('classifyError on real provider error bodies', () => {
  it.each(ROWS.map((row) => [title(row), ...row] as const))('%s', (_title, provider, status, body, expected) => {
    expect(classify(provider, status, body)).toEqual(expected);
  });
});

describe('classifyError details', () => {
  it('a zhipu business code sent as a number is matched as its string', () => {
    expect(classify('zhipu', 429, err({ code: 1113, message: '余额不足或无可用资源包,请充值。' }))).toEqual({ kind: 'balance', providerCode: '1113' });
  });
});

describe('inBandError', () => {
  it('minimax base_resp status 0 is no error', () => {
    const answer = { choices: [{ index: 0, message: { role: 'assistant', content: 'hi' } }], base_resp: { status_code: 0, status_msg: '' } };
    expect(getAdapter('minimax').inBandError(answer)).toBeUndefined();
  });

  it('minimax base_resp error gives its code as a string and its message', () => {
    expect(getAdapter('minimax').inBandError(baseResp(1008, 'insufficient balance'))).toEqual({ code: '1008', message: 'insufficient balance' });
  });

  it('minimax base_resp with a non-numeric status_code is no error', () => {
    expect(getAdapter('minimax').inBandError({ base_resp: { status_code: '1008' } })).toBeUndefined();
  });

  it.each(PROVIDER_IDS.filter((id) => id !== 'minimax'))('%s never reports an in-band error', (provider) => {
    expect(getAdapter(provider).inBandError(baseResp(1008, 'insufficient balance'))).toBeUndefined();
  });
});

describe('readErrorFields', () => {
  it.each([
    ['an OpenAI error envelope', err({ code: 'c', type: 't', message: 'm' }), { code: 'c', type: 't', message: 'm' }],
    ['a bare {code, message}', { code: 1113, message: 'm' }, { code: '1113', message: 'm' }],
    ['a plain text body, trimmed', '  Bad Gateway \n', { message: 'Bad Gateway' }],
    ['an empty string', '   ', {}],
    ['a non-object', 42, {}],
    ['empty strings and wrong types as absent', err({ code: '', type: null, message: ['x'] }), {}],
  ])('reads %s', (_name, body, expected) => {
    expect(readErrorFields(body)).toEqual(expected);
  });

  it('keeps at most 500 characters of a text body', () => {
    expect(readErrorFields('x'.repeat(600)).message).toBe('x'.repeat(500));
  });
});
