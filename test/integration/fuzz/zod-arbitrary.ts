/**
 * Valid-ish values from a zod schema: a small walker over zod 4's definitions
 * that honours the shape (objects, unions, enums, literals, arrays) and the
 * simplest bounds (string length, number range, integers), and ignores the
 * rest (refinements, formats). The fuzzer mutates these values further, so
 * "mostly valid" is the point: they get past the first checks to the deep ones.
 */
import fc from 'fast-check';
import type { z } from 'zod';

interface Check {
  check?: string;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
}

interface Def {
  type: string;
  checks?: Array<{ _zod: { def: Check } }>;
  format?: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string | number>;
  values?: unknown[];
  element?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Keeps generated structures small: deeper than this, an object or array is left empty. */
const MAX_DEPTH = 5;

const checksOf = (def: Def): Check[] => (def.checks ?? []).map((check) => check._zod.def);

function stringArbitrary(def: Def): fc.Arbitrary<string> {
  if (def.format === 'email') return fc.emailAddress();
  if (def.format === 'url') return fc.webUrl();
  let min = 0;
  let max = 40;
  for (const check of checksOf(def)) {
    if (check.check === 'min_length' && check.minimum !== undefined) min = check.minimum;
    if (check.check === 'max_length' && check.maximum !== undefined) max = Math.min(check.maximum, 80);
  }
  return fc.string({ minLength: min, maxLength: Math.max(min, max) });
}

function numberArbitrary(def: Def): fc.Arbitrary<number> {
  let min = -1_000;
  let max = 1_000;
  let integer = false;
  for (const check of checksOf(def)) {
    if (check.check === 'greater_than' && check.value !== undefined) min = check.value;
    if (check.check === 'less_than' && check.value !== undefined) max = check.value;
    if (check.check === 'number_format' && check.format?.includes('int')) integer = true;
  }
  if (max < min) max = min;
  return integer ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true });
}

export function arbitraryOf(schema: z.ZodType, depth = 0): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  const deeper = (inner: z.ZodType) => arbitraryOf(inner, depth + 1);
  switch (def.type) {
    case 'string':
      return stringArbitrary(def);
    case 'number':
      return numberArbitrary(def);
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries ?? { none: 'none' }));
    case 'literal':
      return fc.constantFrom(...(def.values ?? [null]));
    case 'optional':
      return fc.option(deeper(def.innerType!), { nil: undefined });
    case 'nullable':
      return fc.option(deeper(def.innerType!), { nil: null });
    case 'default':
      return fc.option(deeper(def.innerType!), { nil: undefined });
    case 'pipe':
      return deeper(def.in!);
    case 'union':
      return fc.oneof(...def.options!.map(deeper));
    case 'array':
      return depth > MAX_DEPTH ? fc.constant([]) : fc.array(deeper(def.element!), { minLength: 1, maxLength: 3 });
    case 'record':
      return depth > MAX_DEPTH ? fc.constant({}) : fc.dictionary(fc.string({ maxLength: 8 }), deeper(def.valueType!), { maxKeys: 3 });
    case 'object': {
      if (depth > MAX_DEPTH) return fc.constant({});
      const fields = Object.fromEntries(Object.entries(def.shape ?? {}).map(([key, value]) => [key, deeper(value)]));
      // Optional fields that came out undefined are left out, as a client would.
      return fc.record(fields).map((value) => Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)));
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/**
 * The example with some of its schema's fields regenerated: the example keeps
 * the fields that must be right to go anywhere (a real model, a real URL),
 * and the schema varies the others.
 */
export function variedExample(example: Record<string, unknown>, schema: z.ZodType | undefined): fc.Arbitrary<Record<string, unknown>> {
  const shape = schema ? defOf(schema).shape : undefined;
  if (!shape) return fc.constant(example);
  const keys = Object.keys(shape);
  return fc
    .record(Object.fromEntries(keys.map((key) => [key, fc.option(arbitraryOf(shape[key]!, 1), { freq: 2, nil: undefined })])))
    .chain((generated) =>
      fc.subarray(keys, { maxLength: Math.min(3, keys.length) }).map((chosen) => {
        const out: Record<string, unknown> = { ...example };
        for (const key of chosen) {
          if (generated[key] === undefined) delete out[key];
          else out[key] = generated[key];
        }
        return out;
      }),
    );
}
