import { describe, expect, it } from 'vitest';
import { ccmasSelectivity, CcmasAccumulator } from '../../src/metrics/index.js';
import { Rng, Tensor } from '../../src/tensor/index.js';

const mat = (rows: number[][]) => ({ data: Float32Array.from(rows.flat()), shape: [rows.length, rows[0].length] });
const f = Math.fround;

describe('ccmasSelectivity: hand-derived values', () => {
  it('one unit with class means 0.9, 0.1, 0.2: (0.9 − 0.15)/(0.9 + 0.15) = 0.714285…', () => {
    // u_max = 0.9, u_−max = (0.1 + 0.2)/2 = 0.15 (float32 inputs: computed from fround'ed values)
    const r = ccmasSelectivity({ data: [0.9, 0.1, 0.2], shape: [3, 1] }, [0, 1, 2], 3, { eps: 0 });
    expect(r.perUnit[0]).toBeCloseTo(0.75 / 1.05, 15);
    const withEps = ccmasSelectivity({ data: [0.9, 0.1, 0.2], shape: [3, 1] }, [0, 1, 2], 3);
    expect(withEps.perUnit[0]).toBeCloseTo(0.75 / (1.05 + 1e-7), 15);
    expect(withEps.perUnit[0]).not.toBe(r.perUnit[0]);
  });

  it('two units, two classes, two samples each: class means, preference, mean and both stds', () => {
    // class 0: [0.8, 0.2], [0.6, 0.2]   class 1: [0.1, 0.4], [0.3, 0.4]
    // unit 0: μ = (0.7, 0.2) → (0.7 − 0.2)/(0.7 + 0.2) = 5/9;  unit 1: μ = (0.2, 0.4) → 0.2/0.6 = 1/3
    // mean = 4/9; deviations ±1/9 → stdPopulation = 1/9, stdSample = √2/9
    const r = ccmasSelectivity(mat([[0.8, 0.2], [0.1, 0.4], [0.6, 0.2], [0.3, 0.4]]), [0, 1, 0, 1], 2, { eps: 0 });
    expect(r.perUnit[0]).toBeCloseTo(5 / 9, 7);
    expect(r.perUnit[1]).toBeCloseTo(1 / 3, 7);
    expect(Array.from(r.preferredClass)).toEqual([0, 1]);
    expect(r.classCounts).toEqual([2, 2]);
    expect(r.classMeans[0]).toBe((f(0.8) + f(0.6)) / 2);
    expect(r.classMeans[1 * 2 + 1]).toBe((f(0.4) + f(0.4)) / 2);
    expect(r.mean).toBeCloseTo(4 / 9, 7);
    expect(r.stdPopulation).toBeCloseTo(1 / 9, 7);
    expect(r.stdSample).toBeCloseTo(Math.SQRT2 / 9, 7);
    expect(r.count).toBe(2);
    expect(r.samples).toBe(4);
  });

  it('a unit driven by one class only has selectivity 1 (eps 0); equal class means give 0', () => {
    const r = ccmasSelectivity(mat([[0.7, 0.3], [0, 0.3], [0, 0.3]]), [0, 1, 2], 3, { eps: 0 });
    expect(r.perUnit[0]).toBe(1);
    expect(r.perUnit[1]).toBe(0);
  });
});

describe('ccmasSelectivity: edge cases', () => {
  const X = mat([[0.5, 0], [0.1, 0], [0.2, 0], [0.4, 0]]);
  const L = [0, 1, 2, 0];

  it('a unit that is always 0 is 0 with eps > 0 and undefined (skipped, counted) with eps = 0', () => {
    const withEps = ccmasSelectivity(X, L, 3);
    expect(withEps.perUnit[1]).toBe(0);
    expect(withEps.undefinedCount).toBe(0);
    const r = ccmasSelectivity(X, L, 3, { eps: 0 });
    expect(Number.isNaN(r.perUnit[1])).toBe(true);
    expect(r.undefinedCount).toBe(1);
    expect(r.count).toBe(1);
    expect(r.mean).toBe(r.perUnit[0]);
    expect(Number.isNaN(ccmasSelectivity(X, L, 3, { eps: 0, onUndefined: 'nan' }).mean)).toBe(true);
    expect(() => ccmasSelectivity(X, L, 3, { eps: 0, onUndefined: 'error' })).toThrow(/unit 1 has u_max \+ u_−max \+ ε = 0/);
  });

  it('a class with no samples is an error by default, naming it', () => {
    expect(() => ccmasSelectivity(X, [0, 2, 2, 0], 3)).toThrow(/class 1 has no samples \(of 3 classes, 4 samples\).*emptyClass: 'exclude'/);
    expect(() => ccmasSelectivity(X, [0, 0, 0, 0], 4)).toThrow(/classes 1, 2, 3 have no samples/);
  });

  it("emptyClass: 'exclude' averages u_−max over the P − 1 other present classes", () => {
    // class 0: 0.5, 0.4 → μ 0.45; class 2: 0.1, 0.2 → μ 0.15; class 1 empty. P = 2.
    // (0.45 − 0.15)/(0.45 + 0.15) = 0.5 (up to float32 inputs)
    const r = ccmasSelectivity(X, [0, 2, 2, 0], 3, { eps: 0, emptyClass: 'exclude' });
    expect(r.classesUsed).toBe(2);
    expect(r.classCounts).toEqual([2, 0, 2]);
    expect(r.perUnit[0]).toBeCloseTo(0.5, 7);
    expect(Number.isNaN(r.classMeans[1 * 2 + 0])).toBe(true);
    expect(() => ccmasSelectivity(X, [1, 1, 1, 1], 3, { emptyClass: 'exclude' })).toThrow(/only 1 class has samples \(of 3\); CCMAS needs at least 2/);
  });

  it('negative activations can leave [0, 1] (documented); abs: true keeps it inside', () => {
    // class means −0.5 and 0.1: u_max 0.1, u_−max −0.5 → 0.6 / −0.4 = −1.5
    const S = mat([[-0.5], [0.1]]);
    expect(ccmasSelectivity(S, [0, 1], 2, { eps: 0 }).perUnit[0]).toBeCloseTo(-1.5, 7);
    // |·|: means 0.5, 0.1 → 0.4/0.6
    expect(ccmasSelectivity(S, [0, 1], 2, { eps: 0, abs: true }).perUnit[0]).toBeCloseTo(2 / 3, 7);
  });

  it('rejects bad labels, classes, eps and activations with errors naming them', () => {
    expect(() => ccmasSelectivity(X, [0, 1, 3, 0], 3)).toThrow(/labels\[2\] is 3; labels must be integers in \[0, 3\)/);
    expect(() => ccmasSelectivity(X, [0, 1.5, 2, 0], 3)).toThrow(/labels\[1\] is 1.5/);
    expect(() => ccmasSelectivity(X, [0, -1, 2, 0], 3)).toThrow(/labels\[1\] is -1/);
    expect(() => ccmasSelectivity(X, [0, NaN, 2, 0], 3)).toThrow(/labels\[1\] is NaN/);
    expect(() => ccmasSelectivity(X, [0, 1, 2], 3)).toThrow(/labels has 3 entries, activations have 4 rows/);
    expect(() => ccmasSelectivity(X, L, 1)).toThrow(/numClasses must be an integer ≥ 2.*got 1/);
    expect(() => ccmasSelectivity(X, L, 3, { eps: -1e-7 })).toThrow(/eps must be a finite number ≥ 0, got -1e-7/);
    expect(() => ccmasSelectivity(X, L, 3, { eps: NaN })).toThrow(/eps must be/);
    expect(() => ccmasSelectivity(X, L, 3, { emptyClass: 'drop' as any })).toThrow(/emptyClass must be 'error' or 'exclude'/);
    const bad = mat([[0.5, 0], [0.1, 0], [0.2, NaN], [0.4, 0]]);
    expect(() => ccmasSelectivity(bad, L, 3)).toThrow(/ccmasSelectivity: activations holds NaN at row 2, column 1/);
    expect(() => ccmasSelectivity({ data: [], shape: [0, 0] }, [], 3)).toThrow(/units must be a positive integer, got 0/);
  });
});

describe('ccmasSelectivity: properties', () => {
  const rng = new Rng(99);
  const rows = 120;
  const cols = 17;
  const C = 4;
  const X = new Float32Array(rows * cols);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    labels[r] = r % C; // every class present
    for (let c = 0; c < cols; c++) X[r * cols + c] = rng.random() * (c % C === labels[r] ? 1 : 0.3);
  }
  const m = { data: X, shape: [rows, cols] };
  const base = ccmasSelectivity(m, labels, C, { eps: 0 });

  it('is unchanged by permuting the samples together with their labels (up to summation order)', () => {
    const perm = rng.permutation(rows);
    const Y = new Float32Array(X.length);
    const L = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      Y.set(X.subarray(perm[r] * cols, (perm[r] + 1) * cols), r * cols);
      L[r] = labels[perm[r]];
    }
    const p = ccmasSelectivity({ data: Y, shape: [rows, cols] }, L, C, { eps: 0 }).perUnit;
    for (let j = 0; j < cols; j++) expect(Math.abs(p[j] - base.perUnit[j])).toBeLessThan(1e-14);
  });

  it('is unchanged by renaming the classes, and by scaling by a power of two (eps 0, bit for bit)', () => {
    const renamed = labels.map((k) => (k + 1) % C);
    const a = ccmasSelectivity(m, renamed, C, { eps: 0 }).perUnit;
    for (let j = 0; j < cols; j++) expect(Math.abs(a[j] - base.perUnit[j])).toBeLessThan(1e-15);
    const s = ccmasSelectivity({ data: X.map((x) => 4 * x), shape: [rows, cols] }, labels, C, { eps: 0 }).perUnit;
    for (let j = 0; j < cols; j++) expect(s[j]).toBe(base.perUnit[j]);
  });

  it('stays in [0, 1] for non-negative input; every unit here prefers its own class', () => {
    for (let j = 0; j < cols; j++) {
      expect(base.perUnit[j] >= 0 && base.perUnit[j] <= 1).toBe(true);
      expect(base.preferredClass[j]).toBe(j % C);
    }
  });

  it('accepts a transposed Tensor view with the same result', () => {
    const T = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) T[c * rows + r] = X[r * cols + c];
    const t = ccmasSelectivity(new Tensor(T, [cols, rows]).transpose(), labels, C, { eps: 0 }).perUnit;
    expect(Array.from(t)).toEqual(Array.from(base.perUnit));
  });
});

describe('CcmasAccumulator', () => {
  it('checks units, and result() reports empty classes until they arrive', () => {
    const acc = new CcmasAccumulator(2, 2, { eps: 0 });
    expect(() => acc.add(mat([[1, 2, 3]]), [0])).toThrow(/CcmasAccumulator.add: activations have 3 units \(columns\), expected 2/);
    acc.add(mat([[0.8, 0.2]]), [0]);
    expect(() => acc.result()).toThrow(/CcmasAccumulator.result: class 1 has no samples/);
    acc.add(mat([[0.2, 0.2]]), [1]);
    expect(acc.result().perUnit[0]).toBeCloseTo(0.6, 7);
    expect(acc.samples).toBe(2);
    acc.reset();
    expect(acc.samples).toBe(0);
    expect(() => acc.result()).toThrow('CcmasAccumulator.result: no samples (the activations have 0 rows)');
  });
});
