/**
 * The stand-in upstream answers with each provider's real error bodies
 * (providers.md). The integration tests route one of them per distinct router
 * action; every one of them is classified here, read the way the core reads an
 * answer: a 200 body is asked for an in-band error, anything else goes through
 * readErrorFields.
 */
import { describe, expect, it } from 'vitest';
import { PROVIDER_IDS, type ProviderId } from '../../../src/base/provider-id';
import { isObject, readErrorFields } from '../../../src/providers/upstream-schemas';
import { getAdapter } from '../../../src/providers/registry';
import { ERROR_KINDS, providerError } from '../../support/standin/errors.ts';

function classifiedKind(provider: ProviderId, status: number, body: unknown): string | undefined {
  const adapter = getAdapter(provider);
  const inBand = status === 200 && isObject(body) ? adapter.inBandError(body) : undefined;
  if (status === 200 && !inBand) return undefined;
  return adapter.classifyError(status, inBand ?? readErrorFields(body)).kind;
}

const cases = PROVIDER_IDS.flatMap((provider) => ERROR_KINDS.map((kind) => [provider, kind] as const));

describe("the stand-in's provider errors", () => {
  it.each(cases)("%s's %s error is classified as that kind", (provider, kind) => {
    const { status, body } = providerError(provider, kind);
    expect(classifiedKind(provider, status, body)).toBe(kind);
  });
});
