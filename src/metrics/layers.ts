/**
 * One number for a network with several hidden layers, from one number per layer.
 *
 * - `aggregateLayers(v)` — the dissertation's eq. 5.1, used for all its multi-layer results (Table 5.3):
 *   the plain mean over the M layers, (1/M) Σ_k v_k. It is applied alike to the sparsity mean, the
 *   selectivity mean and the selectivity std of each layer (so the "std" it yields is a mean of stds, not a
 *   std of the pooled units).
 * - `activationWeighted(v, T)` — the dissertation's proposal eq. 5.2 (Sec. 5.4.6, never used for its
 *   results): weight each layer by its share of the total activation,
 *
 *       ratio_k = T_k / Σ_i T_i,    value = Σ_k ratio_k · v_k,
 *
 *   where T_k = Σ of the activation values of layer k (over its N units, and over the same samples for
 *   every layer — `HoyerResult.activationSum` or `activationTotal()` give it). A wide or very active layer
 *   counts more. T_k must be ≥ 0 (sums of |a| for signed activations) and not all 0.
 *
 * "NaN never silently averaged in": a NaN or infinite layer value (an undefined metric) is an error naming
 * the layer, not a NaN result.
 */
import { matrixView, nonFiniteError, type MatrixInput } from './matrix.js';
import { booleanOption, optionsObject, requireSamples } from './summary.js';
import { describeValue } from '../tensor/describe.js';

function checkValues(fn: string, values: readonly number[] | ArrayLike<number>, name: string): void {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new TypeError(`${fn}: ${name} must be an array of numbers, got ${describeValue(values)}`);
  }
  if (values.length === 0) throw new RangeError(`${fn}: ${name} is empty; there must be at least one layer`);
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`${fn}: ${name}[${k}] (layer ${k}) is ${describeValue(v)}; every layer's value must be a finite number`);
    }
  }
}

/** Eq. 5.1: the plain mean of the per-layer values. */
export function aggregateLayers(values: readonly number[] | ArrayLike<number>): number {
  checkValues('aggregateLayers', values, 'values');
  let s = 0;
  for (let k = 0; k < values.length; k++) s += values[k];
  return s / values.length;
}

/** The weights of eq. 5.2: T_k / Σ_i T_i. */
export function activationRatios(layerActivationTotals: readonly number[] | ArrayLike<number>): Float64Array {
  const fn = 'activationRatios';
  checkValues(fn, layerActivationTotals, 'layerActivationTotals');
  let total = 0;
  for (let k = 0; k < layerActivationTotals.length; k++) {
    const t = layerActivationTotals[k];
    if (t < 0) {
      throw new RangeError(
        `${fn}: layerActivationTotals[${k}] (layer ${k}) is ${t}; activation totals must be ≥ 0 (use sums of |a| for signed activations)`,
      );
    }
    total += t;
  }
  if (!(total > 0) || !Number.isFinite(total)) {
    throw new RangeError(`${fn}: the layer activation totals add up to ${total}; the weights need a positive finite total`);
  }
  const out = new Float64Array(layerActivationTotals.length);
  for (let k = 0; k < out.length; k++) out[k] = layerActivationTotals[k] / total;
  return out;
}

/** Eq. 5.2: Σ_k (T_k / Σ_i T_i) · v_k. */
export function activationWeighted(
  values: readonly number[] | ArrayLike<number>,
  layerActivationTotals: readonly number[] | ArrayLike<number>,
): number {
  const fn = 'activationWeighted';
  checkValues(fn, values, 'values');
  if (layerActivationTotals?.length !== values.length) {
    throw new RangeError(
      `${fn}: values has ${values.length} layers but layerActivationTotals has ${layerActivationTotals?.length}`,
    );
  }
  const w = activationRatios(layerActivationTotals);
  let s = 0;
  for (let k = 0; k < w.length; k++) s += w[k] * values[k];
  return s;
}

/**
 * T for eq. 5.2: the sum of all activations of a layer's matrix ([samples, units]) in float64; `abs`
 * (default true) sums |a|. Equal, up to float64 rounding, to `hoyerSparsity(…).activationSum` with the same `abs`.
 */
export function activationTotal(activations: MatrixInput, opts: { abs?: boolean } = {}): number {
  const fn = 'activationTotal';
  const m = matrixView(activations, fn);
  const abs = booleanOption(fn, 'abs', optionsObject(fn, opts).abs, true);
  const { data, rows, cols, rowStride, colStride: cs } = m;
  requireSamples(fn, rows);
  if (cols === 0) throw new RangeError(`${fn}: the activations have 0 units (columns)`);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0, p = m.offset + r * rowStride; c < cols; c++, p += cs) s += abs ? Math.abs(data[p]) : data[p];
    if (!Number.isFinite(s)) throw nonFiniteError(fn, m, r, r + 1);
    total += s;
  }
  return total;
}
