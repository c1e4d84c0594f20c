import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashAccountId, logError, logEvent, logWarn, redactFields, redactText } from '../../../src/base/log';
import { sha256HexSync } from '../../../src/base/sha256';

const FT_KEY = `sk-ft_${'ab12'.repeat(16)}`;
const ACCOUNT = 'acct_0123456789abcdef0123456789abcdef';

afterEach(() => vi.restoreAllMocks());

describe('redactText', () => {
  it.each([
    [`key ${FT_KEY} refused`, 'key sk-ft_[redacted] refused'],
    ['provider said: invalid key sk-proj-Abc123_def-456', 'provider said: invalid key sk-[redacted]'],
    ['stripe key sk_live_51HxYz and rk_test_9 and sk_test_find_token', 'stripe key [redacted] and [redacted] and [redacted]'],
    ['secret whsec_test_find_token', 'secret whsec_[redacted]'],
    ['Authorization: Bearer abc.def-ghi, next', 'Authorization: Bearer [redacted], next'],
    ['https://find-token.test/auth/activate?token=deadbeef&x=1', 'https://find-token.test/auth/activate?token=[redacted]&x=1'],
    [`link token ${'0f'.repeat(32)}.`, 'link token [redacted].'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig', 'jwt [redacted]'],
    ['the email to someone.else+tag@example.co.uk was not accepted', 'the email to [email] was not accepted'],
  ])('masks %j', (text, masked) => {
    expect(redactText(text)).toBe(masked);
  });

  it('leaves ids, models and numbers as they are', () => {
    const text = 'req_0123456789abcdef01234567 key_0123456789abcdef0123456789abcdef deepseek-chat 429 $0.000123';
    expect(redactText(text)).toBe(text);
  });

  it('names an account by its hash, as the fields do', () => {
    expect(redactText(`account ${ACCOUNT} is left`)).toBe(`account acct#${hashAccountId(ACCOUNT)} is left`);
  });

  it('cuts a long text at 1,000 characters', () => {
    expect(redactText('x'.repeat(5_000))).toBe(`${'x'.repeat(1_000)}…`);
    expect(redactText(`${'x'.repeat(990)} ${FT_KEY}`)).toBe(`${'x'.repeat(990)} sk-ft_[re…`);
  });
});

describe('hashAccountId', () => {
  it("is the first 12 hex digits of the id's SHA-256, the same for the same id", () => {
    expect(hashAccountId(ACCOUNT)).toBe(sha256HexSync(ACCOUNT).slice(0, 12));
    expect(hashAccountId(ACCOUNT)).toBe(hashAccountId(ACCOUNT));
    expect(hashAccountId(`${ACCOUNT.slice(0, -1)}0`)).not.toBe(hashAccountId(ACCOUNT));
  });
});

describe('redactFields', () => {
  it('masks fields whose name says secret, whatever their value, and drops undefined', () => {
    expect(
      redactFields({ apiKey: 'x', provider_key: 'y', token: 'z', webhookSecret: 'w', authorization: 'a', email: 'e', body: 'b', text: 't', to: 'someone', keyId: 'key_1', prompt_tokens: 3, skipped: undefined }),
    ).toEqual({ apiKey: '[redacted]', provider_key: '[redacted]', token: '[redacted]', webhookSecret: '[redacted]', authorization: '[redacted]', email: '[redacted]', body: '[redacted]', text: '[redacted]', to: '[redacted]', keyId: 'key_1', prompt_tokens: 3 });
  });

  it('scrubs strings in lists', () => {
    expect(redactFields({ ids: [FT_KEY, 'ok'] })).toEqual({ ids: ['sk-ft_[redacted]', 'ok'] });
  });
});

describe('logEvent', () => {
  it('writes one JSON line with level, kind and time first, through the console method of its level', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 2, 3, 4, 5) });
    try {
      logEvent('request', { status: 200, kind: 'spoofed', message: `with ${FT_KEY}` });
      logWarn('cron.unknown', { cron: '1 * * * *' });
      logError('charge.lost', { requestId: 'req_1' });
    } finally {
      vi.useRealTimers();
    }
    expect(log.mock.calls).toEqual([['{"level":"info","kind":"request","at":"2026-01-02T03:04:05.000Z","status":200,"message":"with sk-ft_[redacted]"}']]);
    expect(warn.mock.calls).toEqual([['{"level":"warn","kind":"cron.unknown","at":"2026-01-02T03:04:05.000Z","cron":"1 * * * *"}']]);
    expect(error.mock.calls).toEqual([['{"level":"error","kind":"charge.lost","at":"2026-01-02T03:04:05.000Z","requestId":"req_1"}']]);
  });
});
