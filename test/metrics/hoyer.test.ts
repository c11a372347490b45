import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { HoyerAccumulator, hoyerSparsity } from '../../src/metrics/index.js';
import { Rng, Tensor } from '../../src/tensor/index.js';

const row = (values: number[]) => ({ data: Float32Array.from(values), shape: [1, values.length] });
const h1 = (values: number[], opts = {}) => hoyerSparsity(row(values), opts).perSample[0];

function randomMatrix(rng: Rng, rows: number, cols: number, zeroFraction = 0): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = rng.random() < zeroFraction ? 0 : rng.random();
  return out;
}

describe('hoyerSparsity: hand-derived values', () => {
  it('[0, 3, 0, 4]: (√4 − 7/5)/(√4 − 1) = 0.6', () => {
    // ‖a‖₁ = 7, ‖a‖₂ = √25 = 5
    expect(h1([0, 3, 0, 4])).toBeCloseTo(0.6, 15);
  });

  it('[1, 1, 0, 0]: (2 − 2/√2)/1 = 2 − √2', () => {
    expect(h1([1, 1, 0, 0])).toBeCloseTo(2 - Math.SQRT2, 15);
  });

  it('[3, 4] (N = 2): (√2 − 7/5)/(√2 − 1)', () => {
    expect(h1([3, 4])).toBeCloseTo((Math.SQRT2 - 1.4) / (Math.SQRT2 - 1), 15);
  });

  it('a one-hot row is exactly 1 for any value, position and N', () => {
    // ‖a‖₁ = |c| and √(c²) = |c| exactly (c² of a float32 is exact in float64), so the ratio is exactly 1.
    for (const N of [2, 3, 7, 256, 1000]) {
      for (const c of [1, 0.3, 1e-20, 7.5e12, -0.9]) {
        for (const pos of [0, N >> 1, N - 1]) {
          const v = new Array(N).fill(0);
          v[pos] = c;
          expect(h1(v)).toBe(1);
        }
      }
    }
  });

  it('a constant row is 0: exactly when its sums are exact, within float64 rounding otherwise', () => {
    expect(h1([0.5, 0.5, 0.5, 0.5])).toBe(0);
    const rng = new Rng(3);
    for (const N of [2, 7, 256, 1000]) {
      for (let t = 0; t < 5; t++) {
        const c = rng.uniform(0.01, 10);
        const h = h1(new Array(N).fill(c));
        // ≥ 0 by the clamp; the unclamped rounding error is ~N·2⁻⁵³ ≤ 1.2e-13 for N = 1000.
        expect(h).toBeGreaterThanOrEqual(0);
        expect(h).toBeLessThan(1e-13);
      }
    }
  });
});

describe('hoyerSparsity: properties', () => {
  const rng = new Rng(20240601);
  const rows = 40;
  const cols = 37;
  const X = randomMatrix(rng, rows, cols, 0.5);
  const base = hoyerSparsity({ data: X, shape: [rows, cols] }).perSample;

  it('is unchanged, bit for bit, by scaling a row by a power of two', () => {
    for (const c of [0.25, 8, 2 ** 40]) {
      const Y = X.map((x) => x * c);
      const h = hoyerSparsity({ data: Y, shape: [rows, cols] }).perSample;
      for (let r = 0; r < rows; r++) expect(h[r]).toBe(base[r]);
    }
  });

  it('is unchanged by scaling a row by any c > 0 (up to the float32 rounding of c·a)', () => {
    for (const c of [1e-3, 0.7, 3.3, 1e4]) {
      const Y = X.map((x) => x * c);
      const h = hoyerSparsity({ data: Y, shape: [rows, cols] }).perSample;
      // Each c·a is rounded to float32 (relative 2⁻²⁴ ≈ 6e-8); H moves by at most a few times that.
      for (let r = 0; r < rows; r++) expect(Math.abs(h[r] - base[r])).toBeLessThan(1e-6);
    }
  });

  it('is unchanged by permuting the units (up to float64 summation order)', () => {
    const perm = rng.permutation(cols);
    const Y = new Float32Array(X.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) Y[r * cols + c] = X[r * cols + perm[c]];
    const h = hoyerSparsity({ data: Y, shape: [rows, cols] }).perSample;
    for (let r = 0; r < rows; r++) expect(Math.abs(h[r] - base[r])).toBeLessThan(1e-14);
  });

  it('stays in [0, 1] for non-negative input of many shapes and sparsities', () => {
    for (const [r, c, z] of [[50, 2, 0], [50, 3, 0.5], [30, 256, 0.95], [30, 256, 0], [20, 1000, 0.99]] as const) {
      const h = hoyerSparsity({ data: randomMatrix(rng, r, c, z), shape: [r, c] }, { onUndefined: 'skip' }).perSample;
      for (const v of h) if (v === v) expect(v >= 0 && v <= 1).toBe(true);
    }
  });

  it('uses |a| by default, so a signed matrix equals its absolute value bit for bit', () => {
    const S = X.map((x, i) => (i % 3 === 0 ? -x : x));
    const h = hoyerSparsity({ data: S, shape: [rows, cols] }).perSample;
    for (let r = 0; r < rows; r++) expect(h[r]).toBe(base[r]);
  });

  it('abs: false uses Σa, which can exceed 1 on signed input (documented: no longer a sparsity)', () => {
    // [1, −1, 0, 0]: Σa = 0, ‖a‖₂ = √2 → (2 − 0)/(2 − 1) = 2; with |a|: (2 − 2/√2) = 2 − √2.
    expect(h1([1, -1, 0, 0], { abs: false })).toBe(2);
    expect(h1([1, -1, 0, 0])).toBeCloseTo(2 - Math.SQRT2, 15);
  });
});

describe('hoyerSparsity: summary and edge cases', () => {
  // Rows: one-hot (1), constant 0.5 (0), [0,3,0,4]·0.1 (0.6 up to float32 rounding of 0.3, 0.4), all zero.
  const M = { data: Float32Array.from([0, 0, 2, 0, 0.5, 0.5, 0.5, 0.5, 0, 0.3, 0, 0.4, 0, 0, 0, 0]), shape: [4, 4] };

  it("skips an all-zero row by default: NaN in perSample, counted, left out of mean and std", () => {
    const r = hoyerSparsity(M);
    expect(r.samples).toBe(4);
    expect(r.count).toBe(3);
    expect(r.undefinedCount).toBe(1);
    expect(Number.isNaN(r.perSample[3])).toBe(true);
    const v = [r.perSample[0], r.perSample[1], r.perSample[2]];
    expect(v[0]).toBe(1);
    expect(v[1]).toBe(0);
    expect(v[2]).toBeCloseTo(0.6, 7);
    const mean = (v[0] + v[1] + v[2]) / 3;
    const ss = v.reduce((s, x) => s + (x - mean) ** 2, 0);
    expect(r.mean).toBeCloseTo(mean, 15);
    expect(r.stdSample).toBeCloseTo(Math.sqrt(ss / 2), 15);
    expect(r.stdPopulation).toBeCloseTo(Math.sqrt(ss / 3), 15);
  });

  it("onUndefined: 'nan' reproduces the original (NaN mean and std), still counting", () => {
    const r = hoyerSparsity(M, { onUndefined: 'nan' });
    expect(Number.isNaN(r.mean) && Number.isNaN(r.stdSample) && Number.isNaN(r.stdPopulation)).toBe(true);
    expect(r.undefinedCount).toBe(1);
    expect(r.perSample[0]).toBe(1);
  });

  it("onUndefined: 'error' names the row", () => {
    expect(() => hoyerSparsity(M, { onUndefined: 'error' })).toThrow(/row 3 is all zeros.*0\/0/);
    expect(() => hoyerSparsity(M, { onUndefined: 'maybe' as any })).toThrow(/onUndefined must be 'skip', 'nan' or 'error', got "maybe"/);
  });

  it('one sample: stdSample is NaN (divisor n − 1 = 0), stdPopulation 0; no samples: an error (the empty-input policy)', () => {
    const one = hoyerSparsity(row([0, 3, 0, 4]));
    expect(one.count).toBe(1);
    expect(Number.isNaN(one.stdSample)).toBe(true);
    expect(one.stdPopulation).toBe(0);
    expect(() => hoyerSparsity({ data: new Float32Array(0), shape: [0, 5] })).toThrow('hoyerSparsity: no samples (the activations have 0 rows); every metric needs at least 1 sample');
    const allZero = hoyerSparsity({ data: new Float32Array(6), shape: [2, 3] });
    expect(allZero.undefinedCount).toBe(2);
    expect(Number.isNaN(allZero.mean)).toBe(true);
  });

  it('N = 1 (and N = 0) is an error naming the units', () => {
    expect(() => hoyerSparsity({ data: Float32Array.from([1, 2]), shape: [2, 1] })).toThrow(/at least 2 units.*got 1.*√N − 1 is 0/);
    expect(() => hoyerSparsity({ data: new Float32Array(0), shape: [3, 0] })).toThrow(/at least 2 units.*got 0/);
    expect(() => new HoyerAccumulator(1)).toThrow(/HoyerAccumulator: .*at least 2 units/);
  });

  it('NaN or ±Inf input is an error naming the row and column', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const data = new Float32Array(20).fill(0.5);
      data[2 * 5 + 3] = bad;
      expect(() => hoyerSparsity({ data, shape: [4, 5] })).toThrow(new RegExp(`holds ${bad} at row 2, column 3`));
    }
  });

  it('float64 input whose squares under- or overflow is computed by rescaling the row', () => {
    for (const c of [1e-200, 1e200]) {
      const r = hoyerSparsity({ data: Float64Array.from([c, c, 0, 0]), shape: [1, 4] });
      expect(r.perSample[0]).toBeCloseTo(2 - Math.SQRT2, 15);
      expect(r.undefinedCount).toBe(0);
    }
    // Σ|a| itself overflowing float64 is reported, not returned as Infinity.
    expect(() => hoyerSparsity({ data: Float64Array.from([1e308, 1e308, 0]), shape: [1, 3] })).toThrow(/sums overflowed.*rescale/);
  });

  it('reports activationSum = Σ|a| (Σa with abs: false)', () => {
    const S = { data: Float32Array.from([0.5, -0.25, 1, 0, 0, 2]), shape: [2, 3] };
    expect(hoyerSparsity(S).activationSum).toBe(3.75);
    expect(hoyerSparsity(S, { abs: false }).activationSum).toBe(3.25);
  });
});

describe('hoyerSparsity: input types', () => {
  const rng = new Rng(7);
  const rows = 9;
  const cols = 13;
  const X = randomMatrix(rng, rows, cols, 0.3);
  const ref = hoyerSparsity({ data: X, shape: [rows, cols] }).perSample;
  const same = (h: Float64Array) => expect(Array.from(h)).toEqual(Array.from(ref));

  it('accepts a Tensor, a transposed Tensor view, a sliced view, an ndarray and plain arrays alike', () => {
    same(hoyerSparsity(new Tensor(X, [rows, cols])).perSample);
    const T = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) T[c * rows + r] = X[r * cols + c];
    same(hoyerSparsity(new Tensor(T, [cols, rows]).transpose()).perSample);
    const padded = new Float32Array((rows + 2) * cols);
    padded.set(X, cols);
    same(hoyerSparsity(new Tensor(padded, [rows + 2, cols]).slice(1, rows + 1)).perSample);
    same(hoyerSparsity(ndarray(X, [rows, cols])).perSample);
    same(hoyerSparsity(ndarray(T, [cols, rows]).transpose(1, 0)).perSample);
    same(hoyerSparsity({ data: Float64Array.from(X), shape: [rows, cols] }).perSample);
    same(hoyerSparsity({ data: Array.from(X), shape: [rows, cols] }).perSample);
  });

  it('rejects malformed input with errors naming the argument', () => {
    expect(() => hoyerSparsity(null as any)).toThrow(/hoyerSparsity: activations must be a Tensor, an ndarray or \{ data, shape \}/);
    expect(() => hoyerSparsity({ data: X, shape: [rows, cols, 1] })).toThrow(/rank-2 \[samples, units\] matrix, got shape \[9, 13, 1\]/);
    expect(() => hoyerSparsity({ data: X, shape: [rows, cols - 1] })).toThrow(/activations.data has 117 elements but shape \[9, 12\] needs 108/);
    expect(() => hoyerSparsity({ data: X, shape: [rows, 2.5] })).toThrow(/non-negative integers/);
    expect(() => hoyerSparsity({ data: 5 as any, shape: [1, 1] })).toThrow(/activations.data must be/);
    expect(() => hoyerSparsity(ndarray(X, [rows, cols], [cols + 1, 1]))).toThrow(/reaches elements 0\.\.124 of data of length 117/);
  });
});
