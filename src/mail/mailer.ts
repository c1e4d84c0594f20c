/**
 * Every email the product sends goes through a Mailer: Resend's HTTP API when
 * RESEND_API_KEY is set (RESEND_API_BASE points it at another host), else, in
 * development, the dev outbox (a D1 table, listed by GET /admin/v1/outbox) so a
 * person or a test can read it; the log names the subject only (an email's body
 * holds its sign-in link, and its address is personal). A deployed gateway
 * without a sender refuses to send (503 mail_unavailable): a sign-in link in a
 * log or a table is a way into the account.
 */
import { parseConfig, type Env } from '../env';
import { devOutboxEnabled } from '../base/environment';
import { newId } from '../base/ids';
import { mailUnavailable } from '../errors';
import { logEvent } from '../base/log';

export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(email: Email): Promise<void>;
}

const RESEND_API = 'https://api.resend.com';

export function mailerFor(env: Env, now: () => number = Date.now): Mailer {
  const apiKey = env.RESEND_API_KEY?.trim();
  const from = parseConfig(env).mailFrom;
  if (apiKey) {
    return {
      async send(email) {
        const response = await fetch(`${env.RESEND_API_BASE?.trim() || RESEND_API}/emails`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ from, to: [email.to], subject: email.subject, text: email.text, html: email.html }),
        });
        if (!response.ok) throw new Error(`the email to ${email.to} was not accepted: HTTP ${response.status}`);
      },
    };
  }
  if (!devOutboxEnabled(env)) {
    return {
      async send() {
        throw mailUnavailable();
      },
    };
  }
  return {
    async send(email) {
      await env.DB.prepare('INSERT INTO email_outbox (id, "to", subject, text, html, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .bind(newId('mail'), email.to, email.subject, email.text, email.html, now())
        .run();
      logEvent('mail.outbox', { subject: email.subject, message: 'kept in the dev outbox: GET /admin/v1/outbox' });
    },
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** A paragraph of text, or a link: its URL as the text version, a clickable `<a>` in the HTML one. */
export type Paragraph = string | { link: string };

const textOf = (p: Paragraph) => (typeof p === 'string' ? p : p.link);
const htmlOf = (p: Paragraph) => (typeof p === 'string' ? `<p>${escapeHtml(p)}</p>` : `<p><a href="${escapeHtml(p.link)}">${escapeHtml(p.link)}</a></p>`);

/** A plain email: short paragraphs, as text and as HTML. */
export function plainEmail(to: string, subject: string, paragraphs: Paragraph[]): Email {
  return {
    to,
    subject,
    text: `${paragraphs.map(textOf).join('\n\n')}\n`,
    html: `<!doctype html><html><body style="font-family:sans-serif">${paragraphs.map(htmlOf).join('')}</body></html>`,
  };
}
