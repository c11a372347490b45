/**
 * The JSON shape of optimizer state, and the conversions between it and live float32 state.
 *
 * The layout is PyTorch's `Optimizer.state_dict()` with tensors as arrays of numbers, so a PyTorch state
 * dict exported to JSON (tensors via `.tolist()`) loads, and ours can be turned back into tensors in Python
 * with `torch.tensor(...)`. Option names in `param_groups` are PyTorch's snake_case (`weight_decay`,
 * `lr_decay`, `initial_accumulator_value`, `initial_lr`); live groups use the camelCase names.
 */
import { describe } from './checks.js';

/** One value in a parameter's saved state: a buffer, the step count, or PyTorch's `None`. */
export type StateEntry = number[] | number | null;

export interface ParamGroupStateDict {
  params: number[];
  [option: string]: number | boolean | number[] | null | undefined;
}

export interface OptimizerStateDict {
  /** Keyed by the parameter's index across all groups, in order. */
  state: Record<string, Record<string, StateEntry>>;
  param_groups: ParamGroupStateDict[];
}

export function camelToSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function snakeToCamel(name: string): string {
  return name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * A saved buffer as a Float32Array of exactly `length` values. Accepts flat or nested arrays (PyTorch's
 * `.tolist()` of a 7×5 tensor is nested). Elements may be numbers, `null` (what `JSON.stringify` makes of
 * NaN and ±Infinity; read back as NaN) or the strings "NaN", "Infinity", "-Infinity".
 */
export function decodeFloatArray(value: unknown, length: number, where: string): Float32Array {
  if (!Array.isArray(value)) throw new TypeError(`${where} must be an array of numbers, got ${describe(value)}`);
  const flat = (value as unknown[]).flat(Infinity);
  if (flat.length !== length) throw new RangeError(`${where} has ${flat.length} values, but the parameter has ${length}`);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const v = flat[i];
    if (typeof v === 'number') out[i] = v;
    else if (v === null || v === 'NaN') out[i] = NaN;
    else if (v === 'Infinity') out[i] = Infinity;
    else if (v === '-Infinity') out[i] = -Infinity;
    else throw new TypeError(`${where}[${i}] must be a number, got ${describe(v)}`);
  }
  return out;
}
