/**
 * The fraction of each sample's activations below a threshold, with mean and both stds over samples.
 *
 *     F_t(a) = #{ j : |aⱼ| < t } / N          (`inclusive: true` counts |aⱼ| ≤ t)
 *
 * This is 1 − ℓ₀^ε / N in Hurley & Rickard 2009 ("Comparing measures of sparsity"), the ε-thresholded ℓ₀
 * count normalised by N: the most intuitive sparsity measure (what fraction of units are "off"), but it
 * depends on the choice of t and ignores how far below or above t each activation is, which is why
 * Hurley & Rickard rank it below Hoyer and Gini. Always defined for N ≥ 1; in [0, 1]. The mean over samples
 * equals the fraction of all activations below t (every row has the same N); `countBelow` gives that count
 * exactly.
 *
 * `abs` (default true) compares magnitudes, so a tanh unit at −0.9 is "on"; `abs: false` compares signed
 * values. NaN or ±Inf input is a RangeError naming the row and column (a NaN would otherwise silently count
 * as "not below").
 */
import { checkBatchUnits, matrixView, nonFiniteError, type MatrixInput, type MatrixView } from './matrix.js';
import { PerSampleAccumulator, type AccumulatorInternals } from './per-sample.js';
import { booleanOption, optionsObject, type Summary } from './summary.js';
import { describeValue } from '../tensor/describe.js';

export interface FractionBelowOptions {
  /** Compare |a| (default true) or a. */
  abs?: boolean;
  /** Count a = t as below (≤ instead of <). Default false. */
  inclusive?: boolean;
}

export interface FractionBelowAccumulatorOptions extends FractionBelowOptions {
  keepPerSample?: boolean;
}

export interface FractionBelowResult extends Summary {
  /** F_t of every sample. */
  perSample: Float64Array;
  samples: number;
  /** Activations below the threshold over all samples (mean = countBelow / (samples · N)). */
  countBelow: number;
  threshold: number;
}

export interface FractionBelowStreamResult extends Omit<FractionBelowResult, 'perSample'> {
  perSample: Float64Array | null;
}

export class FractionBelowAccumulator extends PerSampleAccumulator {
  readonly threshold: number;
  readonly abs: boolean;
  readonly inclusive: boolean;
  private countBelow = 0;

  constructor(units: number, threshold: number, opts: FractionBelowAccumulatorOptions = {}, internal?: AccumulatorInternals) {
    const fn = internal?.fn ?? 'FractionBelowAccumulator';
    if (!Number.isSafeInteger(units) || units < 1) {
      throw new RangeError(`${fn}: needs at least 1 unit (column), got ${describeValue(units)}`);
    }
    if (typeof threshold !== 'number' || !Number.isFinite(threshold)) {
      throw new RangeError(`${fn}: threshold must be a finite number, got ${describeValue(threshold)}`);
    }
    opts = optionsObject(fn, opts);
    super('FractionBelowAccumulator', units, booleanOption(fn, 'keepPerSample', opts.keepPerSample, false), internal);
    this.threshold = threshold;
    this.abs = booleanOption(fn, 'abs', opts.abs, true);
    this.inclusive = booleanOption(fn, 'inclusive', opts.inclusive, false);
  }

  override addView(m: MatrixView): void {
    const fn = this.fn;
    checkBatchUnits(fn, m, this.units);
    const st = this.state;
    const buf = st.reserve(m.rows);
    const { data, rows, rowStride, colStride: cs } = m;
    const N = this.units;
    const t = this.threshold;
    const rowBase = st.samples;
    let n = st.n;
    let mean = st.mean;
    let m2 = st.m2;
    let below = this.countBelow;
    const abs = this.abs;
    const inclusive = this.inclusive;
    for (let r = 0; r < rows; r++) {
      let k = 0;
      let check = 0; // x·0 is 0 for finite x and NaN for NaN/±Inf
      let p = m.offset + r * rowStride;
      if (abs && !inclusive) {
        for (let j = 0; j < N; j++, p += cs) {
          const v = data[p];
          check += v * 0;
          k += Math.abs(v) < t ? 1 : 0;
        }
      } else {
        for (let j = 0; j < N; j++, p += cs) {
          const v = data[p];
          const x = abs ? Math.abs(v) : v;
          check += v * 0;
          k += x < t || (inclusive && x === t) ? 1 : 0;
        }
      }
      if (check !== 0) throw nonFiniteError(fn, m, r, r + 1, rowBase);
      below += k;
      const f = k / N;
      n++;
      const d = f - mean;
      mean += d / n;
      m2 += d * (f - mean);
      if (buf) buf[rowBase + r] = f;
    }
    st.commit(n, mean, m2, 0, rowBase + rows);
    this.countBelow = below;
  }

  result(): FractionBelowStreamResult {
    return this.resultInternal(false);
  }

  /** @internal */
  resultInternal(transfer: boolean): FractionBelowStreamResult {
    this.requireSamples();
    return {
      perSample: this.state.perSample(transfer),
      ...this.state.summary('skip'),
      samples: this.state.samples,
      countBelow: this.countBelow,
      threshold: this.threshold,
    };
  }

  reset(): void {
    this.state.reset();
    this.countBelow = 0;
  }
}

/** Fraction of each row's activations below `threshold` (see the module comment), with mean and stds. */
export function fractionBelow(activations: MatrixInput, threshold: number, opts: FractionBelowOptions = {}): FractionBelowResult {
  const m = matrixView(activations, 'fractionBelow');
  const acc = new FractionBelowAccumulator(m.cols, threshold, { ...optionsObject('fractionBelow', opts), keepPerSample: true }, { fn: 'fractionBelow', capacity: m.rows });
  acc.addView(m);
  return acc.resultInternal(true) as FractionBelowResult;
}
