import { STANDIN_PROVIDERS, type ProviderName } from './dialects.ts';

/**
 * The worker vars that point providers at the stand-in: `DEEPSEEK_BASE_URL`,
 * `DEEPSEEK_API_KEY`, … for each provider given (all six by default).
 */
export function standinProviderVars(
  standinUrl: string,
  apiKey: (provider: ProviderName) => string,
  providers: readonly ProviderName[] = STANDIN_PROVIDERS,
): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const provider of providers) {
    vars[`${provider.toUpperCase()}_BASE_URL`] = `${standinUrl}/${provider}`;
    vars[`${provider.toUpperCase()}_API_KEY`] = apiKey(provider);
  }
  return vars;
}
