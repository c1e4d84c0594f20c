import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { CATALOG, findModel, type CatalogModel } from '../base/catalog';
import { formatUsd } from '../base/money';
import { modelNotFound } from '../errors';

/** An OpenAI model object, plus what a caller needs to choose: provider, context, prices per 1M tokens in USD. */
function toModelObject(model: CatalogModel) {
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
  };
}

export const models = new Hono<AppEnv>()
  .get('/', (c) => c.json({ object: 'list', data: CATALOG.map(toModelObject) }))
  .get('/:id', (c) => {
    const model = findModel(c.req.param('id'));
    if (!model) throw modelNotFound(c.req.param('id'));
    return c.json(toModelObject(model));
  });
