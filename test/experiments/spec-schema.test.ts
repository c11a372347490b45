/** The committed JSON Schema is the generated one, and every preset validates against it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESETS_DIR, presetNames } from '../../src/experiments/presets.js';
import { specJsonSchema } from '../../src/experiments/spec-schema.js';

type Schema = Record<string, unknown>;

/** The subset of JSON Schema the spec schema uses; returns the paths that fail. */
function validate(s: Schema, v: unknown, at = '$'): string[] {
  const errs: string[] = [];
  const type = s.type as string | undefined;
  const isObj = v !== null && typeof v === 'object' && !Array.isArray(v);
  if (type === 'object' && !isObj) return [`${at}: not an object`];
  if (type === 'array' && !Array.isArray(v)) return [`${at}: not an array`];
  if (type === 'string' && typeof v !== 'string') return [`${at}: not a string`];
  if (type === 'integer' && !Number.isInteger(v)) return [`${at}: not an integer`];
  if (type === 'number' && typeof v !== 'number') return [`${at}: not a number`];
  if (type === 'boolean' && typeof v !== 'boolean') return [`${at}: not a boolean`];
  if ('const' in s && v !== s.const) errs.push(`${at}: not ${JSON.stringify(s.const)}`);
  if (s.enum && !(s.enum as unknown[]).includes(v)) errs.push(`${at}: ${JSON.stringify(v)} not in enum`);
  if (typeof v === 'number' && typeof s.minimum === 'number' && v < s.minimum) errs.push(`${at}: below minimum`);
  if (typeof v === 'string' && s.pattern && !new RegExp(s.pattern as string).test(v)) errs.push(`${at}: pattern`);
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems) errs.push(`${at}: too few items`);
    if (s.items) v.forEach((x, i) => errs.push(...validate(s.items as Schema, x, `${at}[${i}]`)));
  }
  if (isObj) {
    const o = v as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const r of (s.required as string[] | undefined) ?? []) if (!(r in o)) errs.push(`${at}.${r}: required`);
    for (const [k, x] of Object.entries(o)) {
      if (props[k]) errs.push(...validate(props[k], x, `${at}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${at}.${k}: not allowed`);
    }
  }
  if (s.oneOf) {
    const ok = (s.oneOf as Schema[]).filter((alt) => validate(alt, v, at).length === 0).length;
    if (ok !== 1) errs.push(`${at}: matches ${ok} of oneOf`);
  }
  return errs;
}

describe('spec.schema.json', () => {
  it('is the schema generated from the spec fields and the registries (regenerate: see spec-schema.ts)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../src/experiments/spec.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(specJsonSchema());
  });

  it('accepts every preset and rejects a broken one', () => {
    const schema = specJsonSchema();
    for (const name of presetNames()) {
      const spec = JSON.parse(readFileSync(join(PRESETS_DIR, `${name}.json`), 'utf8'));
      expect(validate(schema, spec), name).toEqual([]);
    }
    expect(validate(schema, { name: 'X', title: '', seeds: [], epochs: 0, base: { optimizer: { name: 'sgd', rho: 1 } } }).length).toBeGreaterThan(3);
  });
});
