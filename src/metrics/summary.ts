/**
 * Mean and both standard deviations of a metric's values, and the policy for values that are undefined.
 *
 * Numerics. Per-sample metrics (Hoyer, Gini, fraction below) are summarised with Welford's update
 * (n ← n+1; d = x − μ; μ ← μ + d/n; M2 ← M2 + d·(x − μ)) in float64, one sample at a time in row order.
 * Unlike the textbook Σx, Σx² formula it does not cancel catastrophically when the std is small next to
 * the mean (Hoyer values cluster, e.g. 0.45 ± 0.01), and because it is a pure function of the ordered
 * sequence of samples, a streaming accumulator fed the same rows in any batching gives bit-identical
 * results to the one-shot function. Per-unit metrics (CCMAS, Treves–Rolls) hold all their values anyway
 * and use the two-pass formula (mean first, then Σ(x − μ)²).
 *
 * Both stds are reported under explicit names: `stdSample` divides by n − 1 (torch.std's default, what the
 * original notebooks reported for Hoyer), `stdPopulation` by n (numpy.std's default, what they reported for
 * CCMAS). With n = 1, `stdSample` is NaN (as in torch); with n = 0 defined values (every sample undefined) every statistic is NaN; an input with no samples at all is an error before this point (see requireSamples).
 */

/**
 * What to do with a value that is undefined (0/0: an all-zero sample for Hoyer or Gini, an always-zero unit
 * for CCMAS with eps = 0 or for Treves–Rolls):
 * - `'skip'` (default): the value is NaN in `perSample`/`perUnit`, it is left out of mean and std, and
 *   `undefinedCount` says how many were left out — never silently averaged in, never silently dropped.
 * - `'nan'`: as the original PyTorch code behaved — one undefined value makes mean and stds NaN.
 * - `'error'`: throw, naming the first undefined sample (row) or unit (column).
 */
import { describeValue } from '../tensor/describe.js';

export type UndefinedPolicy = 'skip' | 'nan' | 'error';

export interface Summary {
  /** Mean of the defined values (NaN when there are none, or with policy 'nan' and undefinedCount > 0). */
  mean: number;
  /** Standard deviation with divisor n − 1 (Bessel-corrected; torch.std's default). */
  stdSample: number;
  /** Standard deviation with divisor n (numpy.std's default). */
  stdPopulation: number;
  /** Number of defined values, the n of mean and std. */
  count: number;
  /** Number of undefined values (NaN in the per-sample/per-unit array). */
  undefinedCount: number;
}

/** An options argument: `undefined` means none; anything but a plain object is an error. */
export function optionsObject<T extends object>(fn: string, opts: T | undefined): T {
  if (opts === undefined) return {} as T;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new TypeError(`${fn}: options must be an object, got ${describeValue(opts)}`);
  return opts;
}

/** A boolean option: `undefined` gives `fallback`; anything but true/false is an error (no truthiness). */
export function booleanOption(fn: string, name: string, v: unknown, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new TypeError(`${fn}: option ${name} must be a boolean, got ${describeValue(v)}`);
  return v;
}

/**
 * The empty-input policy, the same for every metric: a matrix with no samples (rows), or an accumulator
 * that was fed none, has nothing to summarise, and asking for its result is an error — never a NaN mean
 * with count 0. (Adding an empty batch to an accumulator is fine: it changes nothing.)
 */
export function requireSamples(fn: string, samples: number, needs = 1, why = ''): void {
  if (samples >= needs) return;
  const where = fn.endsWith('.add') ? `${fn.slice(0, -4)}.result` : fn;
  if (samples === 0) throw new RangeError(`${where}: no samples (the activations have 0 rows); every metric needs at least ${needs} sample${needs > 1 ? 's' : ''}${why}`);
  throw new RangeError(`${where}: needs at least ${needs} samples${why}, got ${samples}`);
}

export function checkPolicy(fn: string, policy: unknown): UndefinedPolicy {
  if (policy === undefined) return 'skip';
  if (policy !== 'skip' && policy !== 'nan' && policy !== 'error') {
    throw new RangeError(`${fn}: onUndefined must be 'skip', 'nan' or 'error', got ${describeValue(policy)}`);
  }
  return policy;
}

/** The summary from Welford's state (n, μ, M2). */
export function summaryFromMoments(n: number, mean: number, m2: number, undefinedCount: number, policy: UndefinedPolicy): Summary {
  if (n === 0 || (policy === 'nan' && undefinedCount > 0)) {
    return { mean: NaN, stdSample: NaN, stdPopulation: NaN, count: n, undefinedCount };
  }
  return {
    mean,
    stdSample: n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN,
    stdPopulation: Math.sqrt(m2 / n),
    count: n,
    undefinedCount,
  };
}

/** Two-pass summary of `values`, where NaN marks an undefined value. */
export function summarize(values: ArrayLike<number>, policy: UndefinedPolicy): Summary {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) {
      sum += v;
      n++;
    }
  }
  const undefinedCount = values.length - n;
  if (n === 0) return summaryFromMoments(0, 0, 0, undefinedCount, policy);
  const mean = sum / n;
  let m2 = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) m2 += (v - mean) * (v - mean);
  }
  return summaryFromMoments(n, mean, m2, undefinedCount, policy);
}

/**
 * The streaming state shared by the per-sample metrics: Welford moments, the undefined count, the number of
 * rows seen, and (only when asked) a growing buffer of every per-sample value.
 *
 * A kernel reads the fields into locals, works on its batch, and calls `commit` only once the whole batch
 * succeeded — so a batch that throws (NaN input, policy 'error') leaves the state exactly as it was.
 */
export class SampleMoments {
  n = 0;
  mean = 0;
  m2 = 0;
  undefinedCount = 0;
  /** Rows seen (defined + undefined). */
  samples = 0;
  private buffer: Float64Array | null;

  constructor(keepPerSample: boolean, capacity = 0) {
    this.buffer = keepPerSample ? new Float64Array(capacity) : null;
  }

  get keepsPerSample(): boolean {
    return this.buffer !== null;
  }

  /**
   * The buffer with room for `more` values after the committed ones (grown by doubling, so allocation is
   * amortised over batches), or null when per-sample values are not kept.
   */
  reserve(more: number): Float64Array | null {
    if (this.buffer === null) return null;
    const need = this.samples + more;
    if (need > this.buffer.length) {
      const grown = new Float64Array(Math.max(need, 2 * this.buffer.length, 64));
      grown.set(this.buffer.subarray(0, this.samples));
      this.buffer = grown;
    }
    return this.buffer;
  }

  commit(n: number, mean: number, m2: number, undefinedCount: number, samples: number): void {
    this.n = n;
    this.mean = mean;
    this.m2 = m2;
    this.undefinedCount = undefinedCount;
    this.samples = samples;
  }

  /** The per-sample values so far: a copy, or the buffer itself when `transfer` (the one-shot functions). */
  perSample(transfer = false): Float64Array | null {
    if (this.buffer === null) return null;
    if (transfer && this.buffer.length === this.samples) return this.buffer;
    return this.buffer.slice(0, this.samples);
  }

  summary(policy: UndefinedPolicy): Summary {
    return summaryFromMoments(this.n, this.mean, this.m2, this.undefinedCount, policy);
  }

  reset(): void {
    this.commit(0, 0, 0, 0, 0);
  }
}
