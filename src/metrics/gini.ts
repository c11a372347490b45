/**
 * Gini index of each sample's activation magnitudes (a population sparseness, like Hoyer), with mean and
 * both stds over samples.
 *
 * Hurley & Rickard 2009 ("Comparing measures of sparsity", IEEE Trans. Inf. Theory 55(10), §III) write it
 * with the magnitudes sorted ascending, c₍₁₎ ≤ c₍₂₎ ≤ … ≤ c₍N₎, cⱼ = |aⱼ|:
 *
 *     G(c) = 1 − 2 Σ_{k=1}^{N} (c₍k₎ / ‖c‖₁) · (N − k + ½) / N
 *
 * It is the only one of their fifteen measures that satisfies all six of their sparsity criteria (Hoyer
 * fails "cloning": concatenating a vector with itself doubles N and changes H, but not G). G = 0 for a constant row and 1 − 1/N for a one-hot row (not 1: the maximum grows
 * towards 1 with N), it is scale- and permutation-invariant, and it always uses magnitudes (there is no
 * `abs` option: sorting signed values is not what the measure means). For N = 1 it is 0.
 *
 * Edge cases: an all-zero row is 0/0 and is undefined (`onUndefined`, default 'skip', as for Hoyer); NaN or
 * ±Inf input is a RangeError naming the row and column; values a rounding step outside [0, 1] are clamped.
 *
 * Cost: a sort of each row (O(N log N) per sample) into one scratch buffer reused for every row — no
 * allocation per sample, but several times slower than Hoyer's single pass.
 */
import { checkBatchUnits, matrixView, nonFiniteError, type MatrixInput, type MatrixView } from './matrix.js';
import { PerSampleAccumulator, type AccumulatorInternals } from './per-sample.js';
import { booleanOption, checkPolicy, optionsObject, type Summary, type UndefinedPolicy } from './summary.js';
import { describeValue } from '../tensor/describe.js';

export interface GiniOptions {
  /** Undefined (all-zero) samples: 'skip' (default), 'nan' or 'error'. */
  onUndefined?: UndefinedPolicy;
}

export interface GiniAccumulatorOptions extends GiniOptions {
  /** Keep every per-sample value (O(samples) memory). Default false. */
  keepPerSample?: boolean;
}

export interface GiniResult extends Summary {
  /** G of every sample in row order; NaN where undefined. */
  perSample: Float64Array;
  samples: number;
}

export interface GiniStreamResult extends Omit<GiniResult, 'perSample'> {
  perSample: Float64Array | null;
}

/** Streaming Gini index over batches of rows; bit-identical to `giniIndex` on the concatenated rows. */
export class GiniAccumulator extends PerSampleAccumulator {
  readonly onUndefined: UndefinedPolicy;
  private readonly scratch: Float64Array;

  constructor(units: number, opts: GiniAccumulatorOptions = {}, internal?: AccumulatorInternals) {
    const fn = internal?.fn ?? 'GiniAccumulator';
    if (!Number.isSafeInteger(units) || units < 1) {
      throw new RangeError(`${fn}: the Gini index needs at least 1 unit (column), got ${describeValue(units)}`);
    }
    opts = optionsObject(fn, opts);
    super('GiniAccumulator', units, booleanOption(fn, 'keepPerSample', opts.keepPerSample, false), internal);
    this.onUndefined = checkPolicy(fn, opts.onUndefined);
    this.scratch = new Float64Array(units);
  }

  override addView(m: MatrixView): void {
    const fn = this.fn;
    checkBatchUnits(fn, m, this.units);
    const st = this.state;
    const buf = st.reserve(m.rows);
    const { data, rows, rowStride, colStride: cs } = m;
    const N = this.units;
    const c = this.scratch;
    const rowBase = st.samples;
    let n = st.n;
    let mean = st.mean;
    let m2 = st.m2;
    let undef = st.undefinedCount;
    for (let r = 0; r < rows; r++) {
      let s1 = 0;
      for (let j = 0, p = m.offset + r * rowStride; j < N; j++, p += cs) {
        const x = Math.abs(data[p]);
        c[j] = x;
        s1 += x;
      }
      if (!Number.isFinite(s1)) throw nonFiniteError(fn, m, r, r + 1, rowBase);
      let g = NaN;
      if (s1 > 0) {
        c.sort();
        let w = 0;
        for (let i = 0; i < N; i++) w += c[i] * (N - i - 0.5);
        g = 1 - (2 * w) / (N * s1);
        g = g < 0 ? 0 : g > 1 ? 1 : g;
        n++;
        const d = g - mean;
        mean += d / n;
        m2 += d * (g - mean);
      } else {
        if (this.onUndefined === 'error') {
          throw new RangeError(
            `${fn}: ${rowBase ? `row ${rowBase + r} overall (row ${r} of this batch)` : `row ${r}`} is all zeros, ` +
              `so its Gini index is 0/0 (onUndefined: 'error')`,
          );
        }
        undef++;
      }
      if (buf) buf[rowBase + r] = g;
    }
    st.commit(n, mean, m2, undef, rowBase + rows);
  }

  result(): GiniStreamResult {
    return this.resultInternal(false);
  }

  /** @internal */
  resultInternal(transfer: boolean): GiniStreamResult {
    this.requireSamples();
    return { perSample: this.state.perSample(transfer), ...this.state.summary(this.onUndefined), samples: this.state.samples };
  }

  reset(): void {
    this.state.reset();
  }
}

/** Gini index (Hurley & Rickard's sorted formula) of every row of `activations`, with mean and stds. */
export function giniIndex(activations: MatrixInput, opts: GiniOptions = {}): GiniResult {
  const m = matrixView(activations, 'giniIndex');
  const acc = new GiniAccumulator(m.cols, { ...optionsObject('giniIndex', opts), keepPerSample: true }, { fn: 'giniIndex', capacity: m.rows });
  acc.addView(m);
  return acc.resultInternal(true) as GiniResult;
}
