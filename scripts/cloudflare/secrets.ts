/**
 * Which secrets an environment still lacks, from what `wrangler secret list --env <env>` prints
 * (JSON, its default format: [{ "name": "ADMIN_TOKEN", "type": "secret_text" }, …]).
 */
import { PROVIDER_KEY_SECRETS, REQUIRED_SECRETS } from './environments.ts';

export interface SecretCheck {
  /** Required secrets that are not set, in REQUIRED_SECRETS order. */
  missing: string[];
  /** True when not one provider key is set (any one is enough to serve its models). */
  noProviderKey: boolean;
}

export function parseSecretNames(json: string): Set<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error(`wrangler secret list did not print JSON: ${json.slice(0, 200)}`);
  }
  if (!Array.isArray(parsed)) throw new Error('wrangler secret list did not print a JSON array');
  const names = new Set<string>();
  for (const entry of parsed) {
    if (entry && typeof entry === 'object' && typeof (entry as { name?: unknown }).name === 'string') {
      names.add((entry as { name: string }).name);
    }
  }
  return names;
}

export function checkSecrets(secretListJson: string): SecretCheck {
  const names = parseSecretNames(secretListJson);
  return {
    missing: REQUIRED_SECRETS.filter((name) => !names.has(name)),
    noProviderKey: !PROVIDER_KEY_SECRETS.some((name) => names.has(name)),
  };
}

/** The operator's message for a failed check, or undefined when nothing is missing. */
export function describeMissing(check: SecretCheck, env: string): string | undefined {
  const lines: string[] = [];
  for (const name of check.missing) lines.push(`  missing secret ${name}: npx wrangler secret put ${name} --env ${env}`);
  if (check.noProviderKey) lines.push(`  no provider key: set at least one of ${PROVIDER_KEY_SECRETS.join(', ')} (npx wrangler secret put DEEPSEEK_API_KEY --env ${env})`);
  return lines.length === 0 ? undefined : lines.join('\n');
}
