/**
 * Argument checks shared by the optimizers. The option checks use PyTorch's wording ("Invalid learning
 * rate: -1"); the length check is what the pure step functions run once per array per call.
 */
import type { CommonOptions } from './optimizer.js';
import { describeValue } from '../tensor/describe.js';

/** Throws `message` (PyTorch's wording, e.g. "Invalid learning rate: -1") unless `ok`. */
export function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

/** Type checks for option values, before the range checks that use PyTorch's wording. */
export function checkTypes(name: string, options: object, numbers: readonly string[], booleans: readonly string[]): void {
  const o = options as Record<string, unknown>;
  for (const k of numbers) if (typeof o[k] !== 'number') throw new TypeError(`${name}: option ${k} must be a number, got ${describe(o[k])}`);
  for (const k of booleans) if (typeof o[k] !== 'boolean') throw new TypeError(`${name}: option ${k} must be a boolean, got ${describe(o[k])}`);
}

/**
 * The common checks: learning rate and weight decay (PyTorch's wording), then — every optimizer calls this
 * after its own range checks — that every number option is finite. PyTorch accepts lr = inf (its check is
 * 0 ≤ lr), which turns the parameters into ±∞ or NaN on the first step; a NaN fails PyTorch's own range
 * check first where it has one ("Invalid learning rate: NaN").
 */
export function checkCommon(name: string, o: CommonOptions): void {
  checkTypes(name, o, ['lr', 'weightDecay'], ['maximize']);
  check(o.lr >= 0, `Invalid learning rate: ${o.lr}`);
  check(o.weightDecay >= 0, `Invalid weight_decay value: ${o.weightDecay}`);
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new RangeError(`${name}: option ${k} must be a finite number, got ${v}`);
  }
}

/**
 * The pure step functions' argument check: `arr` (when present) must be a Float32Array of `n` values (a
 * plain Array would silently compute in float64). Called once per
 * array per step, it allocates nothing unless it throws.
 */
export function checkLength(fn: string, what: string, arr: Float32Array | null | undefined, n: number): void {
  if (arr != null && !(arr instanceof Float32Array)) throw new TypeError(`${fn}: ${what} must be a Float32Array, got ${describe(arr)}`);
  if (arr != null && arr.length !== n) throw new RangeError(`${fn}: ${what} has ${arr.length} values, param has ${n}`);
}

/** A short description of a value for error messages (never throws, even for a Symbol). */
export const describe = describeValue;
