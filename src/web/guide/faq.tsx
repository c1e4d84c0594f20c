/** /docs's FAQ: the questions people ask before and after paying, with where to ask the rest (SUPPORT_EMAIL). */
import type { Child } from 'hono/jsx';
import type { Config } from '../../env';

/** Where the page shows how to point Claude Code at find-token. */
export const CLAUDE_CODE_GUIDE = '#claude-code-setup';

function Question(props: { id: string; question: string; children: Child }) {
  return (
    <>
      <h3 id={props.id}>{props.question}</h3>
      <p>{props.children}</p>
    </>
  );
}

export function Faq(props: { config: Config }) {
  const { config } = props;
  const support = `mailto:${config.supportEmail}`;
  return (
    <section id="faq" aria-labelledby="faq-title">
      <h2 id="faq-title">FAQ</h2>
      <Question id="faq-billing-mode" question="Is a request billed from my credits or on my own provider key?">
        Each request chooses: <code>billing_mode</code> (or the <code>X-FindToken-Mode</code> header) says <code>standard</code> or <code>byok</code>. Without it, a
        request with an inline <code>provider_key</code>, or for a provider you registered a key for, is BYOK; any other is standard. The response’s{' '}
        <code>X-FindToken-Mode</code> and the billing log say which it was.
      </Question>
      <Question id="faq-refunds" question="Can I get a refund?">
        Unused credits are refundable within 14 days of the purchase, up to what you have not spent. Write to <a href={support}>{config.supportEmail}</a> from your
        account’s address with the recharge’s id (<code>GET /v1/user/recharges</code> or the dashboard); the refund goes back to your card.
      </Question>
      <Question id="faq-expiry" question="Do credits expire?">
        365 days after your account’s last activity (a request, a sign-in or a recharge); we email you 30 and 7 days before. Any activity restarts the count.
      </Question>
      <Question id="faq-provider-down" question="What happens when a provider is down?">
        With <code>routing: "auto"</code> (the default) a failing provider is retried, then your request fails over to an equivalent model of another provider, and
        you pay the price of the model that served (<code>X-FindToken-Model</code>). When every equivalent fails, the answer is 503{' '}
        <code>all_providers_unavailable</code> with <code>Retry-After</code>, and nothing is charged. <code>GET /v1/status</code> shows which providers are up.
      </Question>
      <Question id="claude-code" question="Can I use Claude Code?">
        Yes, through the Anthropic-compatible Messages API (<code>POST /v1/messages</code>): the setup is in <a href={CLAUDE_CODE_GUIDE}>Claude Code and the Anthropic SDKs</a> above.
      </Question>
      <Question id="faq-support" question="Anything else?">
        Write to <a href={support}>{config.supportEmail}</a>. Include the response’s <code>X-Request-Id</code> when asking about a request.
      </Question>
    </section>
  );
}
