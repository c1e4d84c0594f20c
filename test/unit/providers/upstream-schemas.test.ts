/** Upstream bodies are read leniently: a field of the wrong type counts as absent, never as a crash. */
import { describe, expect, it } from 'vitest';
import { readChoices, readErrorFields } from '../../../src/providers/upstream-schemas';

describe('readErrorFields', () => {
  it('reads code, type and message from an OpenAI error object, numeric codes as text', () => {
    expect(readErrorFields({ error: { code: 1113, type: 'billing', message: '余额不足', param: null } })).toEqual({ code: '1113', type: 'billing', message: '余额不足' });
  });

  it('reads them from the top level when `error` is not an object', () => {
    expect(readErrorFields({ error: 'Bad Request', code: 'InvalidParameter', message: 'top_p out of range' })).toEqual({
      code: 'InvalidParameter',
      type: undefined,
      message: 'top_p out of range',
    });
  });

  it('counts empty strings and other types as absent', () => {
    expect(readErrorFields({ error: { code: '', type: { nested: true }, message: ['x'] } })).toEqual({ code: undefined, type: undefined, message: undefined });
  });

  it('keeps a text body (trimmed, at most 500 characters) as the message', () => {
    expect(readErrorFields('  upstream connect error  ')).toEqual({ message: 'upstream connect error' });
    expect(readErrorFields('x'.repeat(600)).message).toHaveLength(500);
    expect(readErrorFields('   ')).toEqual({});
    expect(readErrorFields(null)).toEqual({});
  });
});

describe('readChoices', () => {
  it('keeps the choice objects of a list, the same objects', () => {
    const choice = { index: 0, delta: { content: 'a' } };
    const choices = readChoices([choice, null, 'x', 3]);
    expect(choices).toEqual([choice]);
    expect(choices[0]).toBe(choice);
  });

  it('is no choices when the field is missing or not a list (MiniMax sends null on errors)', () => {
    expect(readChoices(undefined)).toEqual([]);
    expect(readChoices(null)).toEqual([]);
    expect(readChoices({ 0: {} })).toEqual([]);
  });
});
