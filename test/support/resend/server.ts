// A stand-in for Resend's send-email endpoint (POST /emails, Bearer auth, JSON in and out),
// recording what was sent so tests can read it. `POST /__resend/fail {to, status, times}` makes the
// next `times` emails to that address answer `status` (Resend's error shape), as an outage would.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ResendStandin {
  url: string;
  close(): Promise<void>;
}

export async function startResendStandin(): Promise<ResendStandin> {
  const sent: Array<{ authorization: string | undefined; body: unknown }> = [];
  const failures = new Map<string, { status: number; times: number }>();
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/__resend/sent') return reply(200, { sent });
    if (req.method === 'POST' && req.url === '/__resend/fail') {
      const { to, status, times } = JSON.parse(raw) as { to: string; status: number; times: number };
      failures.set(to, { status, times });
      return reply(200, { ok: true });
    }
    if (req.method !== 'POST' || req.url !== '/emails') return reply(404, { name: 'not_found', message: 'The requested endpoint does not exist.' });
    if (!req.headers.authorization?.startsWith('Bearer re_')) return reply(401, { name: 'missing_api_key', message: 'Missing API key in the authorization header.' });
    const body = JSON.parse(raw) as { to: string[] };
    const failure = failures.get(body.to[0] ?? '');
    if (failure && failure.times > 0) {
      failure.times -= 1;
      return reply(failure.status, { statusCode: failure.status, name: 'internal_server_error', message: 'An unexpected error occurred.' });
    }
    sent.push({ authorization: req.headers.authorization, body });
    return reply(200, { id: `email_${sent.length}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
