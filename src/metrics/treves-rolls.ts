/**
 * Lifetime sparseness of each unit across samples (Treves–Rolls), with mean and both stds over units.
 *
 * For unit j with responses r₁ⱼ … r_Sⱼ over S samples (rₛⱼ = |aₛⱼ| by default), the Treves–Rolls activity
 * ratio (Treves & Rolls 1991, "What determines the capacity of autoassociative memories in the brain?",
 * Network 2(4); Rolls & Tovee 1995) is
 *
 *     A_j = ( Σₛ rₛⱼ / S )² / ( Σₛ rₛⱼ² / S )          ∈ [1/S, 1]
 *
 * — 1 when the unit responds equally to every sample, 1/S when it responds to one. `perUnit` holds the
 * normalised lifetime sparseness of Vinje & Gallant 2000 (Science 287), which runs the other way so that,
 * like Hoyer, 1 means sparse:
 *
 *     S_j = (1 − A_j) / (1 − 1/S)                         ∈ [0, 1]
 *
 * and `activityRatio` holds A_j itself. Note the axis: Hoyer and Gini measure population sparseness (one
 * sample, across units); this measures lifetime sparseness (one unit, across samples). In fact S_j is
 * Hoyer's formula with the squared ratio: A_j = (‖r‖₁/‖r‖₂)² / S over the unit's column.
 *
 * Edge cases: a unit that is always 0 is 0/0 — undefined (`onUndefined`, default 'skip'); fewer than 2
 * samples is an error (1 − 1/S = 0); NaN or ±Inf input is a RangeError naming the row and column. With
 * `abs: false` and signed input A_j ∈ [0, 1] and S_j can exceed 1 (up to S/(S − 1)); values a rounding step
 * outside the proven bounds are clamped (with abs only).
 *
 * Streaming: the state is Σₛ rₛⱼ and Σₛ rₛⱼ² per unit in float64 (O(N) memory); each sum gets its additions
 * in row order, so any batching gives a bit-identical result.
 */
import { checkBatchUnits, matrixView, nonFiniteError, type MatrixInput, type MatrixView } from './matrix.js';
import { booleanOption, checkPolicy, optionsObject, requireSamples, summarize, type Summary, type UndefinedPolicy } from './summary.js';
import { describeValue } from '../tensor/describe.js';

export interface TrevesRollsOptions {
  /** Use |a| as the response (default true). */
  abs?: boolean;
  /** Undefined (always-zero) units: 'skip' (default), 'nan' or 'error'. */
  onUndefined?: UndefinedPolicy;
}

export interface TrevesRollsResult extends Summary {
  /** Vinje–Gallant normalised lifetime sparseness S_j of every unit; NaN where undefined. */
  perUnit: Float64Array;
  /** Treves–Rolls activity ratio A_j of every unit; NaN where undefined. */
  activityRatio: Float64Array;
  samples: number;
}

export class TrevesRollsAccumulator {
  readonly units: number;
  readonly abs: boolean;
  readonly onUndefined: UndefinedPolicy;
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  private backup: Float64Array | null = null;
  private rows = 0;
  private readonly fn: string;
  private readonly resultFn: string;

  constructor(units: number, opts: TrevesRollsOptions = {}, internal?: { fn: string }) {
    const fn = internal?.fn ?? 'TrevesRollsAccumulator';
    this.fn = internal?.fn ?? 'TrevesRollsAccumulator.add';
    this.resultFn = internal?.fn ?? 'TrevesRollsAccumulator.result';
    if (!Number.isSafeInteger(units) || units < 1) {
      throw new RangeError(`${fn}: units must be a positive integer, got ${describeValue(units)}`);
    }
    if (units > 2 ** 30) throw new RangeError(`${fn}: ${units} units are too many to allocate per-unit sums for`);
    opts = optionsObject(fn, opts);
    this.units = units;
    this.abs = booleanOption(fn, 'abs', opts.abs, true);
    this.onUndefined = checkPolicy(fn, opts.onUndefined);
    this.sum = new Float64Array(units);
    this.sumSq = new Float64Array(units);
  }

  get samples(): number {
    return this.rows;
  }

  add(batch: MatrixInput): void {
    this.addView(matrixView(batch, this.fn, 'batch'));
  }

  /** @internal */
  addView(m: MatrixView): void {
    const fn = this.fn;
    const N = this.units;
    checkBatchUnits(fn, m, N);
    const { sum, sumSq } = this;
    if (this.rows > 0) {
      this.backup ??= new Float64Array(2 * N);
      this.backup.set(sum);
      this.backup.set(sumSq, N);
    }
    const { data, rows, rowStride, colStride: cs } = m;
    const abs = this.abs;
    const cs2 = 2 * cs, cs3 = 3 * cs, cs4 = 4 * cs;
    const N4 = N - (N % 4);
    for (let r = 0; r < rows; r++) {
      const base = m.offset + r * rowStride;
      // Loads before stores, four at a time (see ccmas.ts: V8 cannot rule out aliasing between the arrays).
      for (let j = 0, p = base; j < N4; j += 4, p += cs4) {
        let x0 = data[p], x1 = data[p + cs], x2 = data[p + cs2], x3 = data[p + cs3];
        if (abs) {
          x0 = Math.abs(x0); x1 = Math.abs(x1); x2 = Math.abs(x2); x3 = Math.abs(x3);
        }
        const s0 = sum[j], s1 = sum[j + 1], s2 = sum[j + 2], s3 = sum[j + 3];
        const q0 = sumSq[j], q1 = sumSq[j + 1], q2 = sumSq[j + 2], q3 = sumSq[j + 3];
        sum[j] = s0 + x0; sum[j + 1] = s1 + x1; sum[j + 2] = s2 + x2; sum[j + 3] = s3 + x3;
        sumSq[j] = q0 + x0 * x0; sumSq[j + 1] = q1 + x1 * x1; sumSq[j + 2] = q2 + x2 * x2; sumSq[j + 3] = q3 + x3 * x3;
      }
      for (let j = N4, p = base + N4 * cs; j < N; j++, p += cs) {
        const x = abs ? Math.abs(data[p]) : data[p];
        sum[j] += x;
        sumSq[j] += x * x;
      }
    }
    for (let j = 0; j < N; j++) {
      if (!Number.isFinite(sumSq[j]) || !Number.isFinite(sum[j])) {
        if (this.rows > 0) {
          sum.set(this.backup!.subarray(0, N));
          sumSq.set(this.backup!.subarray(N));
        } else {
          sum.fill(0);
          sumSq.fill(0);
        }
        throw nonFiniteError(fn, m, 0, rows, this.rows);
      }
    }
    this.rows += rows;
  }

  result(): TrevesRollsResult {
    const fn = this.resultFn;
    const S = this.rows;
    requireSamples(fn, S, 2, ' (the lifetime-sparseness normaliser 1 − 1/S is 0 for S = 1)');
    const N = this.units;
    const perUnit = new Float64Array(N);
    const activityRatio = new Float64Array(N);
    const norm = 1 - 1 / S;
    for (let j = 0; j < N; j++) {
      const s1 = this.sum[j];
      const s2 = this.sumSq[j];
      if (s2 === 0) {
        if (this.onUndefined === 'error') {
          throw new RangeError(`${fn}: unit ${j} is 0 for every sample, so its lifetime sparseness is 0/0 (onUndefined: 'error')`);
        }
        perUnit[j] = NaN;
        activityRatio[j] = NaN;
        continue;
      }
      let a = (s1 * s1) / (S * s2);
      if (this.abs) a = a < 1 / S ? 1 / S : a > 1 ? 1 : a;
      activityRatio[j] = a;
      let sp = (1 - a) / norm;
      if (this.abs) sp = sp < 0 ? 0 : sp > 1 ? 1 : sp;
      perUnit[j] = sp;
    }
    return { perUnit, activityRatio, ...summarize(perUnit, this.onUndefined), samples: S };
  }

  reset(): void {
    this.sum.fill(0);
    this.sumSq.fill(0);
    this.rows = 0;
  }
}

/** Lifetime (per-unit, across samples) Treves–Rolls sparseness of every column of `activations`. */
export function trevesRollsSparseness(activations: MatrixInput, opts: TrevesRollsOptions = {}): TrevesRollsResult {
  const fn = 'trevesRollsSparseness';
  const m = matrixView(activations, fn);
  const acc = new TrevesRollsAccumulator(m.cols, opts, { fn });
  acc.addView(m);
  return acc.result();
}
