/**
 * Option schemas: the options a kind takes, each with its default, its type and its range — the single
 * source for config validation (one wording: `field: expected …, got …`), CLI flags and the JSON Schema.
 */
export type OptionValue = number | boolean | [number, number];

export interface NumberOption {
  type: 'number';
  default: number;
  /** Smallest allowed value (inclusive). */
  min: number;
  /** Largest allowed value; inclusive unless `maxOpen`. Omitted: unbounded. */
  max?: number;
  maxOpen?: boolean;
  /** Whole numbers only. */
  integer?: boolean;
  doc: string;
  /** The CLI flag that sets it for every optimizer listed (e.g. '--lr'); options without one are set with overrides. */
  flag?: string;
}

export interface BooleanOption {
  type: 'boolean';
  default: boolean;
  doc: string;
  flag?: string;
}

/** A pair of numbers, each in [min, max) (Adam's betas). */
export interface PairOption {
  type: 'pair';
  default: readonly [number, number];
  min: number;
  max: number;
  doc: string;
  flag?: string;
}

export type OptionSchema = NumberOption | BooleanOption | PairOption;
export type OptionSchemas = Readonly<Record<string, OptionSchema>>;

/** A fresh copy of the option's default (pairs are copied, so callers may keep them). */
export function defaultValue(s: OptionSchema): OptionValue {
  return s.type === 'pair' ? [s.default[0], s.default[1]] : s.default;
}

/** How a value is shown in an error: JSON for strings and objects. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v) || (v !== null && typeof v === 'object')) return JSON.stringify(v);
  return String(v);
}

/** The expected-value phrase of an option, e.g. 'a number in [0, 1]'. */
export function expected(schema: OptionSchema): string {
  switch (schema.type) {
    case 'boolean':
      return 'true or false';
    case 'pair':
      return `a pair of numbers in [${schema.min}, ${schema.max})`;
    case 'number': {
      const what = schema.integer ? 'an integer' : 'a finite number';
      if (schema.max === undefined) return `${what} ≥ ${schema.min}`;
      return `${what} in [${schema.min}, ${schema.max}${schema.maxOpen ? ')' : ']'}`;
    }
  }
}

/** Whether `v` is an allowed value of `schema`. */
export function accepts(schema: OptionSchema, v: unknown): boolean {
  switch (schema.type) {
    case 'boolean':
      return typeof v === 'boolean';
    case 'pair':
      return Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= schema.min && x < schema.max);
    case 'number':
      return (
        typeof v === 'number' &&
        Number.isFinite(v) &&
        v >= schema.min &&
        (!schema.integer || Number.isInteger(v)) &&
        (schema.max === undefined || (schema.maxOpen ? v < schema.max : v <= schema.max))
      );
  }
}

/**
 * Defaults filled in, each given option checked: returns the complete options and pushes one problem per
 * bad or unknown option onto `problems` (`prefix.option: expected …, got …`).
 */
export function checkOptions(schemas: OptionSchemas, given: Record<string, unknown>, prefix: string, owner: string, problems: string[]): Record<string, OptionValue> {
  const out: Record<string, OptionValue> = {};
  for (const [k, s] of Object.entries(schemas)) out[k] = defaultValue(s);
  for (const [k, v] of Object.entries(given)) {
    const s = Object.prototype.hasOwnProperty.call(schemas, k) ? schemas[k] : undefined;
    if (!s) {
      problems.push(`${prefix}.${k}: not an option of ${owner} (options: ${Object.keys(schemas).join(', ') || 'none'})`);
      continue;
    }
    if (!accepts(s, v)) problems.push(`${prefix}.${k}: expected ${expected(s)}, got ${describeValue(v)}`);
    else out[k] = Array.isArray(v) ? [v[0] as number, v[1] as number] : (v as number | boolean);
  }
  return out;
}

/** The JSON Schema of one option (for the spec's schema file). */
export function optionJsonSchema(s: OptionSchema): Record<string, unknown> {
  switch (s.type) {
    case 'boolean':
      return { type: 'boolean', default: s.default, description: s.doc };
    case 'pair':
      return { type: 'array', items: { type: 'number', minimum: s.min, exclusiveMaximum: s.max }, minItems: 2, maxItems: 2, default: [...s.default], description: s.doc };
    case 'number':
      return {
        type: s.integer ? 'integer' : 'number',
        minimum: s.min,
        ...(s.max !== undefined && (s.maxOpen ? { exclusiveMaximum: s.max } : { maximum: s.max })),
        default: s.default,
        description: s.doc,
      };
  }
}
