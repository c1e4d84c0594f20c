/** npm run deploy's secret check, on what `wrangler secret list --format json` prints. */
import { describe, expect, it } from 'vitest';
import { checkSecrets, describeMissing } from '../../../scripts/cloudflare/secrets.ts';

const list = (...names: string[]) => JSON.stringify(names.map((name) => ({ name, type: 'secret_text' })));
const ALL = ['ADMIN_TOKEN', 'BYOK_ENCRYPTION_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'RESEND_API_KEY'];

describe('checkSecrets', () => {
  it('passes with every required secret and one provider key', () => {
    const check = checkSecrets(list(...ALL, 'QWEN_API_KEY'));
    expect(check).toEqual({ missing: [], noProviderKey: false });
    expect(describeMissing(check, 'production')).toBeUndefined();
  });

  it('names each missing secret with the command that sets it', () => {
    const check = checkSecrets(list('ADMIN_TOKEN', 'STRIPE_SECRET_KEY', 'DEEPSEEK_API_KEY', 'UNRELATED'));
    expect(check.missing).toEqual(['BYOK_ENCRYPTION_KEY', 'STRIPE_WEBHOOK_SECRET', 'RESEND_API_KEY']);
    const message = describeMissing(check, 'staging')!;
    expect(message).toContain('npx wrangler secret put BYOK_ENCRYPTION_KEY --env staging');
    expect(message).not.toContain('ADMIN_TOKEN');
  });

  it('an empty list (a worker with no secrets yet) misses everything, a provider key included', () => {
    const check = checkSecrets('[]');
    expect(check.missing).toEqual(ALL);
    expect(check.noProviderKey).toBe(true);
    expect(describeMissing(check, 'production')).toContain('at least one of DEEPSEEK_API_KEY');
  });

  it('refuses output that is not a JSON array rather than calling everything missing', () => {
    expect(() => checkSecrets('✘ [ERROR] Not logged in')).toThrow(/did not print JSON/);
    expect(() => checkSecrets('{"name":"ADMIN_TOKEN"}')).toThrow(/JSON array/);
  });
});
