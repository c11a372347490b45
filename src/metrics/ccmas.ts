/**
 * CCMAS — class-conditional mean activity selectivity — of each unit, and its mean and std over units.
 *
 * For unit j and the C classes, let μ_kj be the mean activation of unit j over the samples of class k.
 * With u_max = max_k μ_kj (at the unit's preferred class k*) and u_−max = the mean of the other class means,
 * (1/(C−1)) Σ_{k≠k*} μ_kj,
 *
 *     selectivity_j = (u_max − u_−max) / (u_max + u_−max + ε)
 *
 * (Morcos, Barrett, Rabinowitz & Botvinick 2018, "On the importance of single directions for
 * generalization", ICLR — "class selectivity index"; the dissertation's eq. 4.2 with ε = 1e-7). For
 * non-negative activations it lies in [0, 1]: 0 when every class drives the unit equally, 1 when only one
 * class does. A layer's value is the mean over units; `stdPopulation` (divisor n) is what the original
 * reported, `stdSample` is beside it. This is a per-unit (lifetime-style) measure, unlike Hoyer's
 * per-sample one.
 *
 * Edge cases, each a deliberate choice:
 * - ε: default 1e-7 (the dissertation's text), configurable, 0 allowed, negative or non-finite rejected.
 * - A unit that is always 0: with ε > 0 its selectivity is 0/ε = 0; with ε = 0 it is 0/0 — undefined,
 *   handled by `onUndefined` (default 'skip': NaN in `perUnit`, left out of mean/std, counted in
 *   `undefinedCount`). Any unit whose denominator is exactly 0, or whose quotient is not finite, is
 *   undefined the same way.
 * - A class with no samples has no mean. Default `emptyClass: 'error'` (a test set normally holds every
 *   class; a missing one usually means wrong labels or numClasses) names the empty classes.
 *   `emptyClass: 'exclude'` computes u_max and u_−max over the P classes that have samples, dividing by
 *   P − 1 instead of C − 1; `classesUsed` reports P. Fewer than 2 classes with samples is always an error.
 * - Negative activations (tanh layers): the formula is applied as is (`abs: false`, the original's
 *   behaviour), and then selectivity can leave [0, 1], change sign, or blow up where u_max + u_−max ≈ 0 —
 *   it is no longer a selectivity. `abs: true` averages |a| instead (the dissertation's footnote suggests
 *   abs for tanh), which keeps it in [0, 1].
 * - NaN or ±Inf anywhere: a RangeError naming the row and column; a label that is not an integer in
 *   [0, numClasses): a RangeError naming its index and value.
 *
 * Differences from the original notebooks (PROTOCOL.md §2): they summed the activations of each class with
 * Python's sum over float32 tensors (float32 accumulation over ~1,000 samples, ~1e-6 relative error; ours is
 * float64), computed u_−max as (Σ_k μ_kj − u_max)/9 with C − 1 = 9 hard-coded (we sum the other class means
 * directly, which avoids the cancellation and agrees to ~1e-16), used ε = 0, 1e-6 or 1e-7 depending on the
 * notebook, and a class without samples raised ZeroDivisionError.
 *
 * Cost: one pass over the matrix adding each row into its class's row of a C × N float64 table
 * (20 KB for 10 × 256, it stays in L1); the per-unit work is O(C·N) at `result()`.
 */
import { matrixView, nonFiniteError, type MatrixInput, type MatrixView } from './matrix.js';
import { booleanOption, checkPolicy, optionsObject, requireSamples, summarize, type Summary, type UndefinedPolicy } from './summary.js';
import { describeValue } from '../tensor/describe.js';

export interface CcmasOptions {
  /** ε added to the denominator. Default 1e-7; 0 allowed. */
  eps?: number;
  /** Average |a| instead of a (default false, as the original; see the module comment). */
  abs?: boolean;
  /** A class without samples: 'error' (default) or 'exclude' it from u_max and u_−max. */
  emptyClass?: 'error' | 'exclude';
  /** Undefined units (0/0): 'skip' (default), 'nan' or 'error'. */
  onUndefined?: UndefinedPolicy;
}

export interface CcmasResult extends Summary {
  /** Selectivity of every unit; NaN where undefined. */
  perUnit: Float64Array;
  /** The class of u_max for every unit (the lowest class index on ties). */
  preferredClass: Int32Array;
  /** μ_kj, class-major: `classMeans[k * units + j]`; NaN for a class without samples. */
  classMeans: Float64Array;
  /** Samples per class. */
  classCounts: number[];
  /** Classes with at least one sample (P; u_−max averages P − 1 class means). */
  classesUsed: number;
  /** Rows seen. */
  samples: number;
}

/**
 * Streaming CCMAS: `add(batch, labels)` as batches come, then `result()`. Holds the C × N class sums and the
 * C class counts (O(C·N) memory, never the matrix). Feeding the rows of a matrix in any batching gives a
 * result bit-identical to `ccmasSelectivity` on the whole matrix (each sum receives the same additions in the
 * same order).
 */
export class CcmasAccumulator {
  readonly units: number;
  readonly numClasses: number;
  readonly eps: number;
  readonly abs: boolean;
  readonly emptyClass: 'error' | 'exclude';
  readonly onUndefined: UndefinedPolicy;
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;
  private backup: Float64Array | null = null;
  private rows = 0;
  private readonly fn: string;
  private readonly resultFn: string;

  /** `internal` is for `ccmasSelectivity` (its name in errors). */
  constructor(units: number, numClasses: number, opts: CcmasOptions = {}, internal?: { fn: string }) {
    const fn = internal?.fn ?? 'CcmasAccumulator';
    this.fn = internal?.fn ?? 'CcmasAccumulator.add';
    this.resultFn = internal?.fn ?? 'CcmasAccumulator.result';
    if (!Number.isSafeInteger(units) || units < 1) {
      throw new RangeError(`${fn}: units must be a positive integer, got ${describeValue(units)}`);
    }
    if (!Number.isSafeInteger(numClasses) || numClasses < 2) {
      throw new RangeError(`${fn}: numClasses must be an integer ≥ 2 (CCMAS compares a class with the others), got ${describeValue(numClasses)}`);
    }
    opts = optionsObject(fn, opts);
    const eps = opts.eps === undefined ? 1e-7 : opts.eps;
    if (typeof eps !== 'number' || !(eps >= 0) || eps === Infinity) {
      throw new RangeError(`${fn}: eps must be a finite number ≥ 0, got ${describeValue(eps)}`);
    }
    const emptyClass = opts.emptyClass === undefined ? 'error' : opts.emptyClass;
    if (emptyClass !== 'error' && emptyClass !== 'exclude') {
      throw new RangeError(`${fn}: emptyClass must be 'error' or 'exclude', got ${describeValue(emptyClass)}`);
    }
    if (units * numClasses > 2 ** 30) {
      throw new RangeError(`${fn}: a ${numClasses} × ${units} (classes × units) table of sums is too large to allocate`);
    }
    this.units = units;
    this.numClasses = numClasses;
    this.eps = eps;
    this.abs = booleanOption(fn, 'abs', opts.abs, false);
    this.emptyClass = emptyClass;
    this.onUndefined = checkPolicy(fn, opts.onUndefined);
    this.sums = new Float64Array(numClasses * units);
    this.counts = new Float64Array(numClasses);
  }

  /** Rows added so far. */
  get samples(): number {
    return this.rows;
  }

  /**
   * Add a batch ([batch, units]) and its labels (one integer class per row). On any error the state is
   * unchanged.
   */
  add(batch: MatrixInput, labels: ArrayLike<number>): void {
    this.addView(matrixView(batch, this.fn, 'batch'), labels);
  }

  /** @internal The kernel, on a validated view. */
  addView(m: MatrixView, labels: ArrayLike<number>): void {
    const fn = this.fn;
    const { data, rows, cols, rowStride, colStride: cs } = m;
    const C = this.numClasses;
    if (cols !== this.units) {
      throw new RangeError(`${fn}: activations have ${cols} units (columns), expected ${this.units}`);
    }
    if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
      throw new TypeError(`${fn}: labels must be an array or typed array of class indices, got ${describeValue(labels)}`);
    }
    if (labels.length !== rows) {
      throw new RangeError(`${fn}: labels has ${labels.length} entries, activations have ${rows} rows`);
    }
    for (let r = 0; r < rows; r++) {
      const k = labels[r];
      if (!(Number.isInteger(k) && k >= 0 && k < C)) {
        const at = this.rows ? `labels[${r}] (sample ${this.rows + r} overall)` : `labels[${r}]`;
        throw new RangeError(`${fn}: ${at} is ${describeValue(k)}; labels must be integers in [0, ${C})`);
      }
    }
    const sums = this.sums;
    if (this.rows > 0) {
      this.backup ??= new Float64Array(sums.length);
      this.backup.set(sums);
    }
    const abs = this.abs;
    const cs2 = 2 * cs, cs3 = 3 * cs, cs4 = 4 * cs, cs5 = 5 * cs, cs6 = 6 * cs, cs7 = 7 * cs, cs8 = 8 * cs;
    const cols8 = cols - (cols % 8);
    for (let r = 0; r < rows; r++) {
      const o = labels[r] * cols;
      const end8 = o + cols8;
      const end = o + cols;
      const base = m.offset + r * rowStride;
      const tail = base + cols8 * cs;
      // Eight at a time, all loads before all stores: V8 cannot prove that `sums` and `data` do not alias, so
      // interleaved `sums[i] += data[p]` statements serialise; this form runs ~4× faster and adds the same
      // numbers in the same order (one addition per cell per row). Each loop has its own counters (see hoyer.ts).
      if (abs) {
        for (let i = o, p = base; i < end8; i += 8, p += cs8) {
          const x0 = Math.abs(data[p]), x1 = Math.abs(data[p + cs]), x2 = Math.abs(data[p + cs2]), x3 = Math.abs(data[p + cs3]);
          const x4 = Math.abs(data[p + cs4]), x5 = Math.abs(data[p + cs5]), x6 = Math.abs(data[p + cs6]), x7 = Math.abs(data[p + cs7]);
          const y0 = sums[i], y1 = sums[i + 1], y2 = sums[i + 2], y3 = sums[i + 3];
          const y4 = sums[i + 4], y5 = sums[i + 5], y6 = sums[i + 6], y7 = sums[i + 7];
          sums[i] = y0 + x0; sums[i + 1] = y1 + x1; sums[i + 2] = y2 + x2; sums[i + 3] = y3 + x3;
          sums[i + 4] = y4 + x4; sums[i + 5] = y5 + x5; sums[i + 6] = y6 + x6; sums[i + 7] = y7 + x7;
        }
        for (let i = end8, p = tail; i < end; i++, p += cs) sums[i] += Math.abs(data[p]);
      } else {
        for (let i = o, p = base; i < end8; i += 8, p += cs8) {
          const x0 = data[p], x1 = data[p + cs], x2 = data[p + cs2], x3 = data[p + cs3];
          const x4 = data[p + cs4], x5 = data[p + cs5], x6 = data[p + cs6], x7 = data[p + cs7];
          const y0 = sums[i], y1 = sums[i + 1], y2 = sums[i + 2], y3 = sums[i + 3];
          const y4 = sums[i + 4], y5 = sums[i + 5], y6 = sums[i + 6], y7 = sums[i + 7];
          sums[i] = y0 + x0; sums[i + 1] = y1 + x1; sums[i + 2] = y2 + x2; sums[i + 3] = y3 + x3;
          sums[i + 4] = y4 + x4; sums[i + 5] = y5 + x5; sums[i + 6] = y6 + x6; sums[i + 7] = y7 + x7;
        }
        for (let i = end8, p = tail; i < end; i++, p += cs) sums[i] += data[p];
      }
    }
    // A sum of finite float32 values cannot overflow float64, so a non-finite sum means a NaN/Inf input
    // (or, for float64 input, an overflow): checking the C × N sums once per batch replaces a check per element.
    for (let i = 0; i < sums.length; i++) {
      if (!Number.isFinite(sums[i])) {
        if (this.rows > 0) sums.set(this.backup!);
        else sums.fill(0);
        throw nonFiniteError(fn, m, 0, rows, this.rows);
      }
    }
    for (let r = 0; r < rows; r++) this.counts[labels[r]]++;
    this.rows += rows;
  }

  result(): CcmasResult {
    const fn = this.resultFn;
    requireSamples(fn, this.rows);
    const { units: N, numClasses: C, sums, counts, eps } = this;
    const empty: number[] = [];
    for (let k = 0; k < C; k++) if (counts[k] === 0) empty.push(k);
    const P = C - empty.length;
    if (empty.length > 0 && this.emptyClass === 'error') {
      throw new RangeError(
        `${fn}: class${empty.length > 1 ? 'es' : ''} ${empty.join(', ')} ha${empty.length > 1 ? 've' : 's'} no samples ` +
          `(of ${C} classes, ${this.rows} samples); CCMAS needs every class mean. Pass emptyClass: 'exclude' to ` +
          `average u_−max over the classes present`,
      );
    }
    if (P < 2) {
      throw new RangeError(`${fn}: only ${P} class${P === 1 ? ' has' : 'es have'} samples (of ${C}); CCMAS needs at least 2`);
    }
    const classMeans = new Float64Array(C * N);
    for (let k = 0; k < C; k++) {
      const o = k * N;
      if (counts[k] === 0) classMeans.fill(NaN, o, o + N);
      else for (let j = 0; j < N; j++) classMeans[o + j] = sums[o + j] / counts[k];
    }
    const perUnit = new Float64Array(N);
    const preferredClass = new Int32Array(N);
    for (let j = 0; j < N; j++) {
      let best = -1;
      let umax = -Infinity;
      for (let k = 0; k < C; k++) {
        const v = classMeans[k * N + j];
        if (v > umax) {
          umax = v;
          best = k;
        }
      }
      let others = 0;
      for (let k = 0; k < C; k++) {
        if (k !== best && counts[k] > 0) others += classMeans[k * N + j];
      }
      const uneg = others / (P - 1);
      const den = umax + uneg + eps;
      const s = (umax - uneg) / den;
      preferredClass[j] = best;
      if (den === 0 || !Number.isFinite(s)) {
        if (this.onUndefined === 'error') {
          throw new RangeError(
            `${fn}: unit ${j} has u_max + u_−max + ε = ${den} (u_max ${umax}, u_−max ${uneg}), so its selectivity is ` +
              `undefined (onUndefined: 'error')`,
          );
        }
        perUnit[j] = NaN;
      } else {
        perUnit[j] = s;
      }
    }
    return {
      perUnit,
      ...summarize(perUnit, this.onUndefined),
      preferredClass,
      classMeans,
      classCounts: Array.from(counts),
      classesUsed: P,
      samples: this.rows,
    };
  }

  reset(): void {
    this.sums.fill(0);
    this.counts.fill(0);
    this.rows = 0;
  }
}

/**
 * CCMAS selectivity of every unit (column) of `activations` ([samples, units]) given each sample's class,
 * with mean and both stds over units. See the module comment for the definition and edge cases.
 *
 * @example
 *   // One unit, class means 0.9, 0.1, 0.2 (C = 3): u_max = 0.9, u_−max = (0.1 + 0.2)/2 = 0.15,
 *   // selectivity = 0.75 / 1.05 = 0.714285… (with eps: 0)
 *   ccmasSelectivity({ data: [0.9, 0.1, 0.2], shape: [3, 1] }, [0, 1, 2], 3, { eps: 0 }).perUnit[0]
 */
export function ccmasSelectivity(
  activations: MatrixInput,
  labels: ArrayLike<number>,
  numClasses: number,
  opts: CcmasOptions = {},
): CcmasResult {
  const fn = 'ccmasSelectivity';
  const m = matrixView(activations, fn);
  const acc = new CcmasAccumulator(m.cols, numClasses, opts, { fn });
  acc.addView(m, labels);
  return acc.result();
}
