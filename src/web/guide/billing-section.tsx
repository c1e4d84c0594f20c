/** /docs's billing: what a call costs, how it is held and charged, and how charges show. */
import type { Config } from '../../env';
import { percent } from '../home';

export function BillingSection(props: { config: Config }) {
  const { config } = props;
  return (
    <section id="billing" aria-labelledby="billing-title">
      <h2 id="billing-title">Billing</h2>
      <p>
        Standard: each call costs the provider’s price plus {percent(config.standardFeeRate)}, computed to 8 decimals and taken from your prepaid balance. Before a call,
        its worst case is held; the real cost replaces it when the call ends. A call that fails before its first token costs nothing. Without max_tokens, the hold is
        for the model’s output cap or, when your balance cannot cover that, the most output it affords (at least 16 tokens): that number is sent to the provider as
        max_tokens and returned in <code>X-FindToken-Max-Tokens</code>, so no call can cost more than it held.
      </p>
      <p>
        Every delivered answer is charged exactly once, before it is released: a whole answer before its response (<code>X-FindToken-Cost</code> and{' '}
        <code>X-FindToken-Balance</code> are that charge and the balance right after it), a stream before its usage chunk and <code>[DONE]</code>. If the charge cannot
        be recorded in time, you still get the answer, with <code>X-FindToken-Charge: pending</code> (a stream’s usage chunk says <code>charge_pending: true</code>);
        it is recorded once, shortly after, and the billing log shows it then. When a call costs more than was held (a prompt larger than estimated) and your balance
        cannot cover the rest, the billing log records it as <code>uncollected</code>. A card dispute takes the disputed credits back and suspends the account (403{' '}
        <code>account_suspended</code>) until the dispute closes; a dispute you win gives them back.
      </p>
      <p>
        Bring your own key: the first {config.byokFreeRequestsPerMonth.toLocaleString('en-US')} requests each month are free; after that the routing fee is{' '}
        {percent(config.byokFeeRate)} of the provider’s cost. Recharges start at ${config.minRechargeUsd}; unused credits are refundable within 14 days of purchase, and
        credits expire 365 days after your last activity (we email you 30 and 7 days before).
      </p>
    </section>
  );
}
