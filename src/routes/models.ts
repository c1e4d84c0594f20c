import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { CATALOG, findModel, nonStreamingTimeoutMs, type CatalogModel } from '../base/catalog';
import type { Config } from '../env';
import { formatUsd } from '../base/money';
import { modelNotFound } from '../errors';

/**
 * An OpenAI model object, plus what a caller needs to choose: provider, context, prices per 1M tokens in USD,
 * and `timeout_ms`, how long one non-streaming attempt may take (longer for reasoning models).
 */
function toModelObject(model: CatalogModel, config: Config) {
  return {
    id: model.id,
    object: 'model' as const,
    created: model.created,
    owned_by: model.provider,
    provider: model.provider,
    context_length: model.contextLength,
    max_output_tokens: model.maxOutputTokens,
    pricing: {
      currency: 'USD',
      unit: '1M tokens',
      input: formatUsd(model.price.input),
      output: formatUsd(model.price.output),
      cached_input: model.price.cachedInput === undefined ? null : formatUsd(model.price.cachedInput),
    },
    capabilities: model.capabilities,
    group: model.group,
    timeout_ms: nonStreamingTimeoutMs(model, config.upstreamTimeoutMs),
  };
}

export const models = new Hono<AppEnv>()
  .get('/', (c) => c.json({ object: 'list', data: CATALOG.map((model) => toModelObject(model, c.get('config'))) }))
  .get('/:id', (c) => {
    const model = findModel(c.req.param('id'));
    if (!model) throw modelNotFound(c.req.param('id'));
    return c.json(toModelObject(model, c.get('config')));
  });
