/**
 * Hoyer sparsity of each sample's activation vector, and its mean and std over samples.
 *
 * For one sample a ∈ ℝᴺ (one row: the activations of N units),
 *
 *     H(a) = (√N − ‖a‖₁ / ‖a‖₂) / (√N − 1),    ‖a‖₁ = Σⱼ |aⱼ|,  ‖a‖₂ = √(Σⱼ aⱼ²)
 *
 * (Hoyer 2004, "Non-negative matrix factorization with sparseness constraints", JMLR 5, eq. 1; one of the
 * fifteen measures Hurley & Rickard 2009, "Comparing measures of sparsity", IEEE Trans. Inf. Theory, compare —
 * it fails their "cloning" criterion, as concatenating a vector with itself changes N and so H; only the Gini
 * index, in gini.ts, meets all six). By Cauchy–Schwarz 1 ≤ ‖a‖₁/‖a‖₂ ≤ √N, so H ∈ [0, 1]: 1 for a one-hot row (exactly, in float64
 * too), 0 for a constant row. H is unchanged by scaling a row by c ≠ 0 and by permuting units. A layer's
 * value is the mean of H over samples — this is population sparseness (across units, per stimulus).
 *
 * Edge cases, each a deliberate choice:
 * - All-zero sample: ‖a‖₂ = 0, H is 0/0. It is undefined, handled by `onUndefined` (default 'skip': NaN in
 *   `perSample`, left out of mean/std, counted in `undefinedCount`). No epsilon is added: an epsilon would
 *   turn 0/0 into an arbitrary number (√N/(√N−1)) and quietly average it in.
 * - N = 1: the denominator √N − 1 is 0 for every sample, so a 1-unit layer is an error (RangeError).
 * - Negative activations (tanh, ReLU pre-activations): `abs: true` (default, as the original and Hoyer's
 *   definition) uses |aⱼ| and H stays in [0, 1]. `abs: false` uses Σⱼ aⱼ instead of ‖a‖₁; then H ranges over
 *   [0, 2√N/(√N − 1)] and is no longer a sparsity — offered only to reproduce code that omitted abs().
 * - NaN or ±Inf anywhere: a RangeError naming the row and column.
 * - Rounding: sums are float64 (exact for each float32 square), so H carries ~1e-16 relative error; values
 *   a rounding step outside the proven bounds [0, 1] (a constant row can give −1e-17) are clamped to them.
 *   A constant row therefore gives 0 up to ~N·1e-16 (exactly 0 when its sums are exact, e.g. c = 0.5).
 * - Float64 input whose squares under- or overflow (|a| < 1e-154 or > 1e154) is recomputed with the row
 *   scaled by its largest magnitude, as hypot does; float32 input never needs this.
 *
 * Differences from the original notebooks (PROTOCOL.md §2): they computed H in float32 with torch on the
 * stacked 10,000 × N matrix (≈1e-7 relative error; ours is float64), let an all-zero row's 0/0 NaN into the
 * torch.mean (we skip and count it by default; `onUndefined: 'nan'` reproduces theirs), and reported only
 * the sample std (divisor n − 1) — we report that as `stdSample` and the population std beside it.
 *
 * Cost: one pass over the matrix, float64 accumulators in four independent add chains (8 elements a step), no
 * allocation per sample; with a Float32Array input this runs near memory speed.
 */
import { checkBatchUnits, matrixView, nonFiniteError, type MatrixInput, type MatrixView } from './matrix.js';
import { PerSampleAccumulator, type AccumulatorInternals } from './per-sample.js';
import { booleanOption, checkPolicy, optionsObject, type Summary, type UndefinedPolicy } from './summary.js';
import { describeValue } from '../tensor/describe.js';

export interface HoyerOptions {
  /** Use |aⱼ| in ‖a‖₁ (default true; see the module comment for abs: false). */
  abs?: boolean;
  /** Undefined (all-zero) samples: 'skip' (default), 'nan' or 'error'. */
  onUndefined?: UndefinedPolicy;
}

export interface HoyerAccumulatorOptions extends HoyerOptions {
  /** Keep every per-sample value (O(samples) memory). Default false: only the running moments are kept. */
  keepPerSample?: boolean;
}

export interface HoyerResult extends Summary {
  /** H of every sample in row order; NaN where undefined. */
  perSample: Float64Array;
  /** Rows seen: count + undefinedCount. */
  samples: number;
  /** Σ over all samples of ‖a‖₁ (Σ|a|, or Σa with abs: false): the layer's total activation for eq. 5.2. */
  activationSum: number;
}

/** The accumulator's result: `perSample` is null unless it was created with `keepPerSample: true`. */
export interface HoyerStreamResult extends Omit<HoyerResult, 'perSample'> {
  perSample: Float64Array | null;
}

/** H of row `r` recomputed with the row scaled by its largest magnitude (the rare float64 slow path). */
function hoyerRowScaled(m: MatrixView, r: number, abs: boolean, sqrtN: number): number {
  const { data, cols, colStride } = m;
  const base = m.offset + r * m.rowStride;
  let big = 0;
  for (let c = 0, p = base; c < cols; c++, p += colStride) big = Math.max(big, Math.abs(data[p]));
  if (big === 0) return NaN;
  let s1 = 0;
  let s2 = 0;
  for (let c = 0, p = base; c < cols; c++, p += colStride) {
    const x = data[p] / big;
    s1 += abs ? Math.abs(x) : x;
    s2 += x * x;
  }
  return (sqrtN - s1 / Math.sqrt(s2)) / (sqrtN - 1);
}

/**
 * Streaming Hoyer sparsity: `add` batches of rows as they come (e.g. each test minibatch's activations),
 * then `result()`. Never holds the full matrix; holds O(1) state unless `keepPerSample`. Feeding the rows of
 * a matrix in any batching gives a result bit-identical to `hoyerSparsity` on the whole matrix.
 */
export class HoyerAccumulator extends PerSampleAccumulator {
  readonly abs: boolean;
  readonly onUndefined: UndefinedPolicy;
  private readonly sqrtN: number;
  private activationSum = 0;

  /** `internal` is for `hoyerSparsity` (its name in errors, and the exact per-sample capacity). */
  constructor(units: number, opts: HoyerAccumulatorOptions = {}, internal?: AccumulatorInternals) {
    const fn = internal?.fn ?? 'HoyerAccumulator';
    if (!Number.isSafeInteger(units) || units < 2) {
      throw new RangeError(
        `${fn}: Hoyer sparsity needs at least 2 units (columns), got ${describeValue(units)}` +
          (units === 1 ? ' (its denominator √N − 1 is 0 for N = 1)' : ''),
      );
    }
    opts = optionsObject(fn, opts);
    super('HoyerAccumulator', units, booleanOption(fn, 'keepPerSample', opts.keepPerSample, false), internal);
    this.abs = booleanOption(fn, 'abs', opts.abs, true);
    this.onUndefined = checkPolicy(fn, opts.onUndefined);
    this.sqrtN = Math.sqrt(units);
  }

  override addView(m: MatrixView): void {
    const fn = this.fn;
    checkBatchUnits(fn, m, this.units);
    const st = this.state;
    const buf = st.reserve(m.rows);
    const { data, rows, cols, rowStride, colStride: cs } = m;
    const abs = this.abs;
    const sqrtN = this.sqrtN;
    const denom = sqrtN - 1;
    const rowBase = st.samples;
    const cs2 = 2 * cs, cs3 = 3 * cs, cs4 = 4 * cs, cs5 = 5 * cs, cs6 = 6 * cs, cs7 = 7 * cs, cs8 = 8 * cs;
    const cols8 = cols - (cols % 8);
    let n = st.n;
    let mean = st.mean;
    let m2 = st.m2;
    let undef = st.undefinedCount;
    let total = this.activationSum;
    for (let r = 0; r < rows; r++) {
      const base = m.offset + r * rowStride;
      // Eight elements per step into four independent chains per sum: the adds overlap instead of waiting
      // on each other (one chain runs at add latency, ~4× slower). The order of additions depends only on
      // the column index, never on strides or batching, so every input layout gives the same bits.
      // (Each loop declares its own counters: V8 optimises a loop whose induction variable is shared with a
      // following tail loop markedly worse — up to 5× for a plain unrolled sum.)
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
      const tail = base + cols8 * cs;
      if (abs) {
        for (let c = 0, p = base; c < cols8; c += 8, p += cs8) {
          const x0 = data[p], x1 = data[p + cs], x2 = data[p + cs2], x3 = data[p + cs3];
          const x4 = data[p + cs4], x5 = data[p + cs5], x6 = data[p + cs6], x7 = data[p + cs7];
          a0 += Math.abs(x0) + Math.abs(x4); a1 += Math.abs(x1) + Math.abs(x5);
          a2 += Math.abs(x2) + Math.abs(x6); a3 += Math.abs(x3) + Math.abs(x7);
          q0 += x0 * x0 + x4 * x4; q1 += x1 * x1 + x5 * x5; q2 += x2 * x2 + x6 * x6; q3 += x3 * x3 + x7 * x7;
        }
        for (let c = cols8, p = tail; c < cols; c++, p += cs) {
          const x = data[p];
          a0 += Math.abs(x);
          q0 += x * x;
        }
      } else {
        for (let c = 0, p = base; c < cols8; c += 8, p += cs8) {
          const x0 = data[p], x1 = data[p + cs], x2 = data[p + cs2], x3 = data[p + cs3];
          const x4 = data[p + cs4], x5 = data[p + cs5], x6 = data[p + cs6], x7 = data[p + cs7];
          a0 += x0 + x4; a1 += x1 + x5; a2 += x2 + x6; a3 += x3 + x7;
          q0 += x0 * x0 + x4 * x4; q1 += x1 * x1 + x5 * x5; q2 += x2 * x2 + x6 * x6; q3 += x3 * x3 + x7 * x7;
        }
        for (let c = cols8, p = tail; c < cols; c++, p += cs) {
          const x = data[p];
          a0 += x;
          q0 += x * x;
        }
      }
      const s1 = (a0 + a1) + (a2 + a3);
      const s2 = (q0 + q1) + (q2 + q3);
      let h: number;
      if (s2 > 0 && s2 < Infinity && Number.isFinite(s1)) {
        h = (sqrtN - s1 / Math.sqrt(s2)) / denom;
      } else {
        // NaN/Inf input, an all-zero row, or float64 input whose squares under/overflowed.
        if (!(Number.isFinite(s1) && Number.isFinite(s2)) && nonFiniteRow(m, r)) {
          throw nonFiniteError(fn, m, r, r + 1, rowBase);
        }
        h = hoyerRowScaled(m, r, abs, sqrtN);
      }
      total += s1;
      if (h === h) {
        h = h < 0 ? 0 : abs && h > 1 ? 1 : h;
        n++;
        const d = h - mean;
        mean += d / n;
        m2 += d * (h - mean);
      } else {
        if (this.onUndefined === 'error') {
          throw new RangeError(
            `${fn}: ${rowBase ? `row ${rowBase + r} overall (row ${r} of this batch)` : `row ${r}`} is all zeros, ` +
              `so its Hoyer sparsity is 0/0 (onUndefined: 'error')`,
          );
        }
        undef++;
      }
      if (buf) buf[rowBase + r] = h;
    }
    if (!Number.isFinite(total)) throw nonFiniteError(fn, m, 0, rows, rowBase);
    st.commit(n, mean, m2, undef, rowBase + rows);
    this.activationSum = total;
  }

  result(): HoyerStreamResult {
    return this.resultInternal(false);
  }

  /** @internal */
  resultInternal(transfer: boolean): HoyerStreamResult {
    this.requireSamples();
    return {
      perSample: this.state.perSample(transfer),
      ...this.state.summary(this.onUndefined),
      samples: this.state.samples,
      activationSum: this.activationSum,
    };
  }

  reset(): void {
    this.state.reset();
    this.activationSum = 0;
  }
}

function nonFiniteRow(m: MatrixView, r: number): boolean {
  for (let c = 0, p = m.offset + r * m.rowStride; c < m.cols; c++, p += m.colStride) {
    if (!Number.isFinite(m.data[p])) return true;
  }
  return false;
}

/**
 * Hoyer sparsity of every row of `activations` ([samples, units]), with mean and both stds over samples.
 * See the module comment for the definition, edge cases and differences from the original code.
 *
 * @example
 *   hoyerSparsity({ data: new Float32Array([0, 3, 0, 4]), shape: [1, 4] }).perSample[0]
 *   // N = 4: (2 − 7/5) / (2 − 1) = 0.6
 */
export function hoyerSparsity(activations: MatrixInput, opts: HoyerOptions = {}): HoyerResult {
  const m = matrixView(activations, 'hoyerSparsity');
  const acc = new HoyerAccumulator(m.cols, { ...optionsObject('hoyerSparsity', opts), keepPerSample: true }, { fn: 'hoyerSparsity', capacity: m.rows });
  acc.addView(m);
  return acc.resultInternal(true) as HoyerResult;
}
