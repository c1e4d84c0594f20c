/** The page frame every web page shares, and the security headers they are sent with. */
import type { Child } from 'hono/jsx';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env';

/** No inline script or style; forms may go to Stripe Checkout (a redirect after POST counts). */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self' https://checkout.stripe.com",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

export const pageSecurityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.header('Content-Security-Policy', CSP);
  c.header('Referrer-Policy', 'strict-origin-when-cross-origin');
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Cache-Control', 'no-store');
};

export function Layout(props: { title: string; signedIn?: boolean; csrf?: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · find-token`}</title>
        <link rel="stylesheet" href="/static/app.css" />
        <script src="/static/app.js" defer></script>
      </head>
      <body>
        <header>
          <a href="/" aria-label="find-token home">
            <strong>find-token</strong>
          </a>
          <nav aria-label="Main">
            <a href="/docs">Docs</a>
            {props.signedIn ? (
              <>
                <a href="/dashboard">Dashboard</a>
                <form method="post" action="/auth/signout" class="inline">
                  <input type="hidden" name="csrf" value={props.csrf ?? ''} />
                  <button type="submit" class="secondary">
                    Sign out
                  </button>
                </form>
              </>
            ) : (
              <a href="/#signup">Get Free Access</a>
            )}
          </nav>
        </header>
        <main>{props.children}</main>
        <footer class="muted">find-token · an OpenAI-compatible gateway to DeepSeek, GLM, MiniMax, Qwen, Kimi and StepFun</footer>
      </body>
    </html>
  );
}

export function Notice(props: { kind: 'ok' | 'bad'; children: Child }) {
  return (
    <div class={`notice ${props.kind}`} role={props.kind === 'bad' ? 'alert' : 'status'}>
      {props.children}
    </div>
  );
}
