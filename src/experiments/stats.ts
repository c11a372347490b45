/**
 * Small-sample statistics for judging the dissertation's findings at n = 3 seeds per group.
 *
 * - `welchT(a, b)`: Welch's unequal-variance t-test, two-sided. t = (ā − b̄) / √(s²ₐ/nₐ + s²_b/n_b) with sample
 *   variances (divisor n − 1); Welch–Satterthwaite degrees of freedom
 *   ν = (s²ₐ/nₐ + s²_b/n_b)² / ((s²ₐ/nₐ)²/(nₐ−1) + (s²_b/n_b)²/(n_b−1)); p = 2·(1 − F_t(|t|; ν)).
 *   Equals `scipy.stats.ttest_ind(a, b, equal_var=False)` (fixture test: 1e-12 relative).
 * - `permutationTest(a, b)`: the exact two-sided permutation test of the difference of means, enumerating every
 *   split of the pooled values (C(6, 3) = 20 at 3 vs 3). Its smallest possible p is 2 / C(nₐ+n_b, nₐ) — 0.1 at
 *   3 vs 3 — so at n = 3 it can never reach 0.05; it is reported beside Welch's t as the assumption-free check.
 * - `spearman(x, y)`: Spearman's ρ (Pearson correlation of average ranks, ties averaged), with scipy's p-value
 *   (t = ρ·√((n−2)/(1−ρ²)), ν = n − 2, two-sided) and, for n ≤ 9, the exact permutation p-value over all n! orders.
 *
 * Degenerate inputs are reported, not hidden: a group of fewer than 2 values, or zero variance in both groups,
 * gives `p = NaN` with a `note`; non-finite values are an error naming the argument.
 */

export interface TestResult {
  statistic: number;
  p: number;
  note?: string;
}

export interface WelchResult extends TestResult {
  df: number;
  meanA: number;
  meanB: number;
  difference: number;
}

export interface SpearmanResult {
  rho: number;
  /** scipy.stats.spearmanr's p (Student t approximation with n − 2 degrees of freedom). */
  p: number;
  /** Exact permutation p-value (all n! orderings), for n ≤ 9; null above. */
  pExact: number | null;
  n: number;
  note?: string;
}

function checkSample(name: string, values: ReadonlyArray<number>, min: number): void {
  if (!Array.isArray(values) && !ArrayBuffer.isView(values)) {
    throw new TypeError(`${name}: expected an array of numbers, got ${values === null ? 'null' : typeof values}`);
  }
  if (values.length < min) throw new RangeError(`${name}: expected at least ${min} values, got ${values.length}`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`${name}[${i}]: expected a finite number, got ${String(v)}`);
    }
  }
}

export function mean(values: ReadonlyArray<number>): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** Sample variance (divisor n − 1). */
export function sampleVariance(values: ReadonlyArray<number>): number {
  const m = mean(values);
  let s = 0;
  for (const v of values) s += (v - m) * (v - m);
  return s / (values.length - 1);
}

/** Standard error of the mean: sample std / √n (the convention of every ±SEM in the results). */
export function sem(values: ReadonlyArray<number>): number {
  return Math.sqrt(sampleVariance(values) / values.length);
}

// --- Student t distribution through the regularized incomplete beta function ---

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), |relative error| < 1e-15 for x > 0.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) return h;
  }
  return h;
}

/** I_x(a, b), the regularized incomplete beta function. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Two-sided tail probability P(|T| ≥ |t|) of Student's t with `df` degrees of freedom (df may be fractional). */
export function studentTTwoSided(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

export function welchT(a: ReadonlyArray<number>, b: ReadonlyArray<number>): WelchResult {
  checkSample('welchT: a', a, 2);
  checkSample('welchT: b', b, 2);
  const meanA = mean(a);
  const meanB = mean(b);
  const va = sampleVariance(a) / a.length;
  const vb = sampleVariance(b) / b.length;
  const difference = meanA - meanB;
  if (va + vb === 0) {
    return { statistic: NaN, p: NaN, df: NaN, meanA, meanB, difference, note: 'both groups have zero variance' };
  }
  const statistic = difference / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  return { statistic, p: studentTTwoSided(statistic, df), df, meanA, meanB, difference };
}

export interface OneSampleResult extends TestResult {
  df: number;
  mean: number;
}

/**
 * One-sample Student t-test of mean(values) = mu, two-sided (scipy.stats.ttest_1samp). Applied to per-seed
 * differences it is the paired t-test (scipy.stats.ttest_rel): the findings use it with one value per run,
 * so every value is an independent replicate. Zero variance: statistic ±∞ and p = 0 when the mean differs
 * from mu (NaN and a note when it equals it).
 */
export function oneSampleT(values: ReadonlyArray<number>, mu = 0): OneSampleResult {
  checkSample('oneSampleT', values, 2);
  const m = mean(values);
  const df = values.length - 1;
  const se = Math.sqrt(sampleVariance(values) / values.length);
  if (se === 0) {
    if (m === mu) return { statistic: NaN, p: NaN, df, mean: m, note: 'zero variance and no difference' };
    return { statistic: m > mu ? Infinity : -Infinity, p: 0, df, mean: m, note: 'zero variance' };
  }
  const statistic = (m - mu) / se;
  return { statistic, p: studentTTwoSided(statistic, df), df, mean: m };
}

/** Every k-subset of {0, …, n−1}, in lexicographic order. */
function* combinations(n: number, k: number): Generator<number[]> {
  const idx = Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield idx.slice();
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i]++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
  }
}

/**
 * Exact two-sided permutation test of mean(a) − mean(b): the fraction of splits of the pooled values whose
 * |difference| is at least the observed one (with a relative tolerance of 1e-12 for float ties).
 * Limited to C(nₐ+n_b, nₐ) ≤ 1e6 splits.
 */
export function permutationTest(a: ReadonlyArray<number>, b: ReadonlyArray<number>): TestResult {
  checkSample('permutationTest: a', a, 1);
  checkSample('permutationTest: b', b, 1);
  const pooled = [...a, ...b];
  const n = pooled.length;
  const k = a.length;
  let splits = 1;
  for (let i = 0; i < k; i++) splits = (splits * (n - i)) / (i + 1);
  if (splits > 1e6) throw new RangeError(`permutationTest: expected at most 1e6 splits, got ${Math.round(splits)}`);
  const total = pooled.reduce((s, v) => s + v, 0);
  const observed = Math.abs(mean(a) - mean(b));
  const tolerance = 1e-12 * Math.max(1, Math.abs(observed));
  let extreme = 0;
  let count = 0;
  for (const subset of combinations(n, k)) {
    let sumA = 0;
    for (const i of subset) sumA += pooled[i];
    const diff = Math.abs(sumA / k - (total - sumA) / (n - k));
    if (diff >= observed - tolerance) extreme++;
    count++;
  }
  return { statistic: mean(a) - mean(b), p: extreme / count };
}

/** Average ranks (1-based), ties given the mean of the ranks they span. */
export function ranks(values: ReadonlyArray<number>): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let m = i; m <= j; m++) out[order[m][1]] = rank;
    i = j + 1;
  }
  return out;
}

function pearson(x: ReadonlyArray<number>, y: ReadonlyArray<number>): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function* permutations(n: number): Generator<number[]> {
  const p = Array.from({ length: n }, (_, i) => i);
  const c = new Array<number>(n).fill(0);
  yield p.slice();
  let i = 0;
  while (i < n) {
    if (c[i] < i) {
      const j = i % 2 === 0 ? 0 : c[i];
      [p[j], p[i]] = [p[i], p[j]];
      yield p.slice();
      c[i]++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
}

export function spearman(x: ReadonlyArray<number>, y: ReadonlyArray<number>): SpearmanResult {
  checkSample('spearman: x', x, 3);
  checkSample('spearman: y', y, 3);
  if (x.length !== y.length) throw new RangeError(`spearman: x and y must have the same length, got ${x.length} and ${y.length}`);
  const n = x.length;
  const rx = ranks(x);
  const ry = ranks(y);
  const rho = pearson(rx, ry);
  if (!Number.isFinite(rho)) return { rho: NaN, p: NaN, pExact: null, n, note: 'a constant variable has no rank correlation' };
  const r = Math.min(1, Math.abs(rho));
  const p = r === 1 ? 0 : studentTTwoSided(r * Math.sqrt((n - 2) / (1 - r * r)), n - 2);
  let pExact: number | null = null;
  if (n <= 9) {
    let extreme = 0;
    let count = 0;
    const permuted = new Array<number>(n);
    for (const perm of permutations(n)) {
      for (let i = 0; i < n; i++) permuted[i] = ry[perm[i]];
      if (Math.abs(pearson(rx, permuted)) >= r - 1e-12) extreme++;
      count++;
    }
    pExact = extreme / count;
  }
  return { rho, p, pExact, n };
}
