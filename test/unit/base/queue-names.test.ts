/** A batch's queue is known by its name, in every environment. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { queueRole } from '../../../src/base/queue-names';

describe('queueRole', () => {
  it('knows each queue by its local name and by its deployed names', () => {
    expect(queueRole('find-token-charges')).toBe('charges');
    expect(queueRole('find-token-charges-dead-production')).toBe('charges_dead');
    expect(queueRole('find-token-charges-dead-staging')).toBe('charges_dead');
    expect(queueRole('find-token-billing-logs-staging')).toBe('billing_logs');
    expect(queueRole('find-token-billing-logs-dead')).toBe('billing_logs_dead');
    expect(queueRole('find-token-exports-production')).toBe('exports');
  });

  it('knows no other queue', () => {
    expect(queueRole('find-token-charges-dev')).toBeUndefined();
    expect(queueRole('other')).toBeUndefined();
  });

  it('knows every queue wrangler.toml has the worker consume', () => {
    const toml = readFileSync(join(import.meta.dirname, '../../../wrangler.toml'), 'utf8');
    const consumed = [...toml.matchAll(/queues\.consumers\]\]\nqueue = "([^"]+)"/g)].map((match) => match[1]!);
    expect(consumed.length).toBe(15);
    for (const name of consumed) expect(queueRole(name), name).toBeDefined();
  });
});
