import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { mailerFor, plainEmail } from '../../../src/mail/mailer';
import { adminRequest } from '../helpers';
import { loggedLines } from '../log-lines';

const email = plainEmail('someone@example.com', 'Hello <there>', ['First line & more.', 'Second.']);

describe('the mailer', () => {
  it('writes plain emails as text and escaped HTML', () => {
    expect(email).toEqual({
      to: 'someone@example.com',
      subject: 'Hello <there>',
      text: 'First line & more.\n\nSecond.\n',
      html: '<!doctype html><html><body style="font-family:sans-serif"><p>First line &#38; more.</p><p>Second.</p></body></html>',
    });
  });

  it('writes a link as its URL in the text and as an escaped, clickable <a> in the HTML', () => {
    const linked = plainEmail('someone@example.com', 'Sign in', ['Open:', { link: 'https://find-token.test/auth/activate?token=ab&x="1"' }]);
    expect(linked.text).toBe('Open:\n\nhttps://find-token.test/auth/activate?token=ab&x="1"\n');
    expect(linked.html).toBe(
      '<!doctype html><html><body style="font-family:sans-serif"><p>Open:</p><p><a href="https://find-token.test/auth/activate?token=ab&#38;x=&#34;1&#34;">https://find-token.test/auth/activate?token=ab&#38;x=&#34;1&#34;</a></p></body></html>',
    );
  });

  it('sends through Resend when RESEND_API_KEY is set', async () => {
    await mailerFor({ ...env, RESEND_API_KEY: 're_test_key' }).send(email);
    const { sent } = await (await fetch(`${env.RESEND_API_BASE}/__resend/sent`)).json<{ sent: Array<{ authorization: string; body: unknown }> }>();
    expect(sent.at(-1)).toEqual({
      authorization: 'Bearer re_test_key',
      body: { from: 'find-token <noreply@find-token.dev>', to: ['someone@example.com'], subject: 'Hello <there>', text: email.text, html: email.html },
    });
  });

  it('fails loudly when Resend refuses', async () => {
    await expect(mailerFor({ ...env, RESEND_API_KEY: 'not-a-resend-key' }).send(email)).rejects.toThrow('the email to someone@example.com was not accepted: HTTP 401');
  });

  it('keeps email in the dev outbox otherwise: stored, logged by its subject alone, and listed for the operator', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await mailerFor(env, () => 1_800_000_000_000).send({ ...email, to: 'outbox@example.com' });
      expect(loggedLines(log)).toEqual([{ level: 'info', kind: 'mail.outbox', subject: 'Hello <there>', message: 'kept in the dev outbox: GET /admin/v1/outbox' }]);
    } finally {
      log.mockRestore();
    }
    const { data } = await (await adminRequest('GET', '/outbox')).json<{ data: Array<Record<string, unknown>> }>();
    expect(data.find((m) => m.to === 'outbox@example.com')).toEqual({ id: expect.stringMatching(/^mail_/), to: 'outbox@example.com', subject: 'Hello <there>', text: email.text, html: email.html, created_at: 1_800_000_000_000 });
  });
});

describe('the mailer in production', () => {
  it('refuses to send without RESEND_API_KEY: 503 mail_unavailable, nothing stored', async () => {
    const to = `prod-${crypto.randomUUID()}@example.com`;
    await expect(mailerFor({ ...env, ENVIRONMENT: 'production' }).send({ ...email, to })).rejects.toMatchObject({ status: 503, code: 'mail_unavailable' });
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM email_outbox WHERE "to" = ?').bind(to).first('n')).toBe(0);
  });
});
