/**
 * A short, safe description of any value for error messages ("null", "an array of length 3",
 * "a Float64Array of length 4", "\"0x10\"", "Symbol(s)"). Never throws — template literals throw on a
 * Symbol, so messages about arguments of unknown type go through this.
 */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return `${v}n (a bigint)`;
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  if (typeof v === 'function') return 'a function';
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return `an object (${typeof name === 'string' ? name : 'Object'})`;
}

/** `[2, 3]` for an array of numbers; otherwise {@link describeValue}. */
export function describeShape(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'number' ? String(x) : describeValue(x))).join(', ')}]`;
  return describeValue(v);
}
