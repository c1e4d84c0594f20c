/** /docs's routing: the equivalence groups from the catalog, the strategies, retries and timeouts, and the request's own controls. */
import type { Config } from '../../env';
import { CATALOG } from '../../base/catalog';
import { RoutingControls } from '../routing-controls';

export function RoutingSection(props: { config: Config }) {
  const { config } = props;
  const groups = [...new Set(CATALOG.map((model) => model.group))];
  return (
    <section id="routing" aria-labelledby="routing-title">
      <h2 id="routing-title">Routing</h2>
      <p>
        Models in one group are equivalent:{' '}
        {groups.map((group, i) => (
          <>
            {i > 0 ? '; ' : ''}
            {CATALOG.filter((model) => model.group === group)
              .map((model) => model.id)
              .join(', ')}
          </>
        ))}
        . <code>auto</code> (default) tries your model first, then the healthiest equivalents; <code>cheapest</code> the lowest price for your request;{' '}
        <code>fallback</code> the catalog’s order; <code>none</code> your model only. A failing provider is retried {config.retryBaseMs / 1000} s,{' '}
        {(2 * config.retryBaseMs) / 1000} s and {(4 * config.retryBaseMs) / 1000} s apart before the next model is tried; nothing is retried once a stream has
        started. The response names the model that served (<code>X-FindToken-Model</code>) and you pay that model’s price.
      </p>
      <p>
        A whole (non-streaming) answer may take {config.upstreamTimeoutMs / 1000} s per attempt, four times that on a reasoning model (its <code>timeout_ms</code> in{' '}
        <code>/v1/models</code>). A timeout is retried once, not three times: it already cost a whole limit and the provider may still bill the call, and every retry and
        failover ends within {config.routingBudgetMs / 1000} s.
      </p>
      <h3>Steering a request</h3>
      <RoutingControls />
    </section>
  );
}
