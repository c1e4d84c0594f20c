/**
 * The catalog's own rules, and that the README's model table tells users what
 * the catalog serves: the catalog's values are read from it, never restated here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG, findModel } from '../../../src/base/catalog';
import { parseUsd } from '../../../src/base/money';
import { PROVIDER_IDS } from '../../../src/base/provider-id';

const readme = (): string => readFileSync(join(import.meta.dirname, '../../../README.md'), 'utf8');

/** The README's "| model | provider | upstream id | input / output / cached $ per 1M |" rows. */
function readmeCatalogRows(): Array<{ id: string; provider: string; upstreamModel: string; notes: string; price: { input: number; output: number; cachedInput?: number } }> {
  const table = readme().split('| model | provider | upstream id |')[1]!.split('\n\n')[0]!;
  return table
    .split('\n')
    .slice(2)
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .map(([, id, provider, upstream, prices]) => {
      const [upstreamModel, ...notes] = upstream!.split(' ');
      const [input, output, cached] = prices!.split(' / ');
      return {
        id: id!,
        provider: provider!,
        upstreamModel: upstreamModel!,
        notes: notes.join(' '),
        price: { input: parseUsd(input!), output: parseUsd(output!), ...(cached === '—' ? {} : { cachedInput: parseUsd(cached!) }) },
      };
    });
}

describe('catalog', () => {
  it('finds every model by its id', () => {
    for (const model of CATALOG) expect(findModel(model.id)).toBe(model);
  });

  it('an unknown id is not found', () => {
    expect(findModel('gpt-4o')).toBeUndefined();
  });

  it('model ids are unique', () => {
    const ids = CATALOG.map((model) => model.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(PROVIDER_IDS)('serves at least one model from %s', (provider) => {
    expect(CATALOG.some((model) => model.provider === provider)).toBe(true);
  });

  it('spans more than one provider in every group of more than one model, so failover leaves the failing provider', () => {
    for (const group of new Set(CATALOG.map((model) => model.group))) {
      const models = CATALOG.filter((model) => model.group === group);
      if (models.length > 1) expect(new Set(models.map((model) => model.provider)).size, group).toBeGreaterThan(1);
    }
  });

  it.each(CATALOG.map((model) => [model.id, model] as const))('%s: every price is a non-negative integer', (_id, model) => {
    const prices = [model.price.input, model.price.output, ...(model.price.cachedInput === undefined ? [] : [model.price.cachedInput])];
    for (const price of prices) {
      expect(Number.isSafeInteger(price) && price >= 0, `${price}`).toBe(true);
    }
  });

  it.each(CATALOG.map((model) => [model.id, model] as const))('%s: cached input never costs more than input', (_id, model) => {
    expect(model.price.cachedInput ?? 0).toBeLessThanOrEqual(model.price.input);
  });
});

/** The README's equivalence groups ("`a` ↔ `b`, `c`; `d` alone"), as lists of model ids. */
function readmeGroups(): string[][] {
  const text = readme().replace(/\s+/g, ' ');
  const groups = /equivalence group \((.*?)\)\. /.exec(text)![1]!;
  return groups.split('; ').map((group) => [...group.matchAll(/`([^`]+)`/g)].map((match) => match[1]!));
}

describe("the README's model table", () => {
  it('lists every catalog model, in order', () => {
    expect(readmeCatalogRows().map((row) => row.id)).toEqual(CATALOG.map((model) => model.id));
  });

  it.each(CATALOG.map((model) => [model.id, model] as const))('shows %s with its provider, upstream id and prices', (id, model) => {
    const row = readmeCatalogRows().find((r) => r.id === id)!;
    expect({ provider: row.provider, upstreamModel: row.upstreamModel, price: row.price }).toEqual({ provider: model.provider, upstreamModel: model.upstreamModel, price: model.price });
  });

  it.each(CATALOG.map((model) => [model.id, model] as const))('says of %s whether it has tools', (id, model) => {
    expect(readmeCatalogRows().find((r) => r.id === id)!.notes.includes('no tools')).toBe(!model.capabilities.tools);
  });
});

describe("the README's equivalence groups", () => {
  it('name every catalog model once', () => {
    expect(readmeGroups().flat().sort()).toEqual(CATALOG.map((model) => model.id).sort());
  });

  it('are the catalog groups', () => {
    for (const ids of readmeGroups()) {
      const group = findModel(ids[0]!)!.group;
      expect(ids.sort(), group).toEqual(CATALOG.filter((model) => model.group === group).map((model) => model.id).sort());
    }
  });
});
