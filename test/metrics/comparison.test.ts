import { describe, expect, it } from 'vitest';
import {
  activationRatios,
  activationTotal,
  activationWeighted,
  aggregateLayers,
  fractionBelow,
  giniIndex,
  hoyerSparsity,
  trevesRollsSparseness,
} from '../../src/metrics/index.js';
import { Rng } from '../../src/tensor/index.js';

const row = (values: number[]) => ({ data: Float32Array.from(values), shape: [1, values.length] });
const col = (values: number[]) => ({ data: Float32Array.from(values), shape: [values.length, 1] });

describe('giniIndex (Hurley & Rickard sorted formula)', () => {
  it('[0, 0, 1, 3] = 0.625', () => {
    // sorted c = (0, 0, 1, 3), ‖c‖₁ = 4, weights (N − k + ½)/N = 3.5/4, 2.5/4, 1.5/4, 0.5/4
    // Σ (c_k/4)·w_k = (1/4)(1.5/4) + (3/4)(0.5/4) = 3/16 → G = 1 − 2·3/16 = 0.625
    expect(giniIndex(row([0, 0, 1, 3])).perSample[0]).toBe(0.625);
    expect(giniIndex(row([3, 0, -1, 0])).perSample[0]).toBe(0.625); // magnitudes, any order
  });

  it('one-hot = 1 − 1/N, constant = 0, N = 1 gives 0; invariant to scale and permutation', () => {
    expect(giniIndex(row([0, 0, 5, 0])).perSample[0]).toBe(0.75);
    expect(giniIndex(row([0.5, 0.5, 0.5, 0.5])).perSample[0]).toBe(0);
    expect(giniIndex(row([0.7])).perSample[0]).toBe(0);
    const rng = new Rng(5);
    const v = Array.from({ length: 33 }, () => rng.random());
    const g = giniIndex(row(v)).perSample[0];
    expect(giniIndex(row(v.map((x) => 8 * x))).perSample[0]).toBe(g);
    expect(Math.abs(giniIndex(row(rng.shuffle(v.slice()))).perSample[0] - g)).toBeLessThan(1e-15);
    expect(g > 0 && g < 1).toBe(true);
  });

  it('an all-zero row is undefined (skipped and counted); NaN input names row and column', () => {
    const r = giniIndex({ data: Float32Array.from([0, 0, 1, 3, 0, 0, 0, 0]), shape: [2, 4] });
    expect(r.undefinedCount).toBe(1);
    expect(r.mean).toBe(0.625);
    expect(() => giniIndex({ data: Float32Array.from([0, 0, 0, 0, 0, 0, 0, 0]), shape: [2, 4] }, { onUndefined: 'error' })).toThrow(
      /giniIndex: row 0 is all zeros/,
    );
    expect(() => giniIndex({ data: Float32Array.from([0, 1, 1, NaN]), shape: [2, 2] })).toThrow(/NaN at row 1, column 1/);
    expect(() => giniIndex({ data: [], shape: [2, 0] })).toThrow(/at least 1 unit/);
  });
});

describe('trevesRollsSparseness (lifetime, per unit across samples)', () => {
  it('hand values: a unit active for one of S samples is 1, a constant unit 0, [1, 1, 0, 0] is 2/3', () => {
    // S = 4. [1,0,0,0]: A = (1/4)² / (1/4) = 1/4 = 1/S → S_j = (1 − 1/4)/(1 − 1/4) = 1
    // [.5,.5,.5,.5]: A = 1 → 0.   [1,1,0,0]: A = (1/2)²/(1/2) = 1/2 → (1/2)/(3/4) = 2/3
    const m = { data: Float32Array.from([1, 0.5, 1, 0, 0.5, 1, 0, 0.5, 0, 0, 0.5, 0]), shape: [4, 3] };
    const r = trevesRollsSparseness(m);
    expect(r.perUnit[0]).toBe(1);
    expect(r.activityRatio[0]).toBe(0.25);
    expect(r.perUnit[1]).toBe(0);
    expect(r.perUnit[2]).toBeCloseTo(2 / 3, 15);
    expect(r.activityRatio[2]).toBe(0.5);
  });

  it('an always-zero unit is undefined; fewer than 2 samples is an error; NaN names row and column', () => {
    const r = trevesRollsSparseness({ data: Float32Array.from([1, 0, 0, 0]), shape: [2, 2] });
    expect(Number.isNaN(r.perUnit[1])).toBe(true);
    expect(r.undefinedCount).toBe(1);
    expect(r.mean).toBe(1);
    expect(() => trevesRollsSparseness({ data: Float32Array.from([1, 0, 0, 0]), shape: [2, 2] }, { onUndefined: 'error' })).toThrow(
      /unit 1 is 0 for every sample/,
    );
    expect(() => trevesRollsSparseness(row([1, 2, 3]))).toThrow(/at least 2 samples.*got 1/);
    expect(() => trevesRollsSparseness(col([1, Infinity, 3]))).toThrow(/Infinity at row 1, column 0/);
  });

  it('uses |a| by default; abs: false on signed input can exceed 1 (documented)', () => {
    expect(trevesRollsSparseness(col([1, -1, 0, 0])).perUnit[0]).toBeCloseTo(2 / 3, 15);
    // signed: A = 0²/… = 0 → S_j = 1/(1 − 1/4) = 4/3
    expect(trevesRollsSparseness(col([1, -1, 0, 0]), { abs: false }).perUnit[0]).toBeCloseTo(4 / 3, 15);
  });
});

describe('fractionBelow', () => {
  it('counts |a| < t per sample; abs: false compares signed values; inclusive counts a = t', () => {
    // |[-0.5, 0.05, 0.2, 0]| < 0.1: 0.05 and 0 → 2/4; signed: −0.5, 0.05, 0 → 3/4
    expect(fractionBelow(row([-0.5, 0.05, 0.2, 0]), 0.1).perSample[0]).toBe(0.5);
    expect(fractionBelow(row([-0.5, 0.05, 0.2, 0]), 0.1, { abs: false }).perSample[0]).toBe(0.75);
    expect(fractionBelow(row([0.25, 0.5]), 0.25).perSample[0]).toBe(0);
    expect(fractionBelow(row([0.25, 0.5]), 0.25, { inclusive: true }).perSample[0]).toBe(0.5);
  });

  it('reports countBelow, whose share equals the mean over samples', () => {
    const r = fractionBelow({ data: Float32Array.from([0, 1, 1, 0, 0, 1]), shape: [2, 3] }, 0.5);
    expect(r.countBelow).toBe(3);
    expect(r.mean).toBe(0.5);
    expect(Array.from(r.perSample)).toEqual([1 / 3, 2 / 3]);
  });

  it('rejects NaN input (it would silently count as "not below") and a bad threshold', () => {
    expect(() => fractionBelow({ data: Float32Array.from([0, 1, NaN, 0]), shape: [2, 2] }, 0.5)).toThrow(/NaN at row 1, column 0/);
    expect(() => fractionBelow(row([1]), NaN)).toThrow(/threshold must be a finite number, got NaN/);
  });
});

describe('layer aggregation', () => {
  it('eq. 5.1 is the plain mean over layers', () => {
    expect(aggregateLayers([0.2, 0.4, 0.9])).toBeCloseTo(0.5, 15);
    expect(aggregateLayers([0.3])).toBe(0.3);
  });

  it('eq. 5.2 weights each layer by its share of the total activation', () => {
    // totals 1 and 3 → ratios 1/4, 3/4 → 0.25·0.2 + 0.75·0.4 = 0.35
    expect(Array.from(activationRatios([1, 3]))).toEqual([0.25, 0.75]);
    expect(activationWeighted([0.2, 0.4], [1, 3])).toBeCloseTo(0.35, 15);
    // equal totals reduce eq. 5.2 to eq. 5.1
    expect(activationWeighted([0.2, 0.4, 0.9], [7, 7, 7])).toBeCloseTo(aggregateLayers([0.2, 0.4, 0.9]), 15);
  });

  it('never averages in an undefined layer, and rejects meaningless weights', () => {
    expect(() => aggregateLayers([0.2, NaN])).toThrow(/values\[1\] \(layer 1\) is NaN/);
    expect(() => aggregateLayers([])).toThrow(/at least one layer/);
    expect(() => activationWeighted([0.2, 0.4], [1])).toThrow(/values has 2 layers but layerActivationTotals has 1/);
    expect(() => activationWeighted([0.2, 0.4], [1, -1])).toThrow(/layerActivationTotals\[1\] \(layer 1\) is -1; activation totals must be ≥ 0/);
    expect(() => activationWeighted([0.2, 0.4], [0, 0])).toThrow(/add up to 0/);
    expect(() => activationWeighted([0.2, Infinity], [1, 1])).toThrow(/values\[1\] \(layer 1\) is Infinity/);
  });

  it("activationTotal sums |a| (a with abs: false) and agrees with Hoyer's activationSum", () => {
    const rng = new Rng(8);
    const data = rng.fillUniform(new Float32Array(40 * 30), -1, 1);
    const m = { data, shape: [40, 30] };
    expect(Math.abs(activationTotal(m) - hoyerSparsity(m).activationSum)).toBeLessThan(1e-12);
    expect(Math.abs(activationTotal(m, { abs: false }) - hoyerSparsity(m, { abs: false }).activationSum)).toBeLessThan(1e-12);
    expect(activationTotal({ data: Float32Array.from([-1, 2]), shape: [1, 2] })).toBe(3);
    expect(() => activationTotal({ data: Float32Array.from([-1, NaN]), shape: [1, 2] })).toThrow(/NaN at row 0, column 1/);
  });
});
