import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { incompleteBeta, oneSampleT, permutationTest, ranks, sem, spearman, studentTTwoSided, welchT } from '../../src/experiments/stats.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/stats/stats.json', import.meta.url), 'utf8')) as {
  welch: Array<{ a: number[]; b: number[]; t: number; p: number }>;
  spearman: Array<{ x: number[]; y: number[]; rho: number; p: number }>;
  t_tail: Array<{ t: number; df: number; p: number }>;
  one_sample: Array<{ values: number[]; t: number; p: number }>;
};

// Tolerance: scipy evaluates the same closed forms in float64; the t tail goes through a continued fraction
// converged to 1e-16 per step and a Lanczos log-gamma accurate to ~1e-15, so 1e-10 relative is far above the
// arithmetic's error and far below any difference that would change a verdict.
const close = (actual: number, expected: number, rel = 1e-10) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1e-300, Math.abs(expected)));

describe('stats against scipy 1.10 (tools/reference/stats.py)', () => {
  it('Welch t and p equal scipy.stats.ttest_ind(equal_var=False)', () => {
    expect(fixture.welch.length).toBeGreaterThanOrEqual(12);
    for (const c of fixture.welch) {
      const r = welchT(c.a, c.b);
      close(r.statistic, c.t, 1e-12);
      close(r.p, c.p);
    }
  });
  it("Spearman's rho and p equal scipy.stats.spearmanr", () => {
    expect(fixture.spearman.length).toBeGreaterThanOrEqual(10);
    for (const c of fixture.spearman) {
      const r = spearman(c.x, c.y);
      close(r.rho, c.rho, 1e-12);
      close(r.p, c.p);
    }
  });
  it('Student t two-sided tail equals 2·t.sf(|t|, df), fractional df included', () => {
    for (const c of fixture.t_tail) close(studentTTwoSided(c.t, c.df), c.p);
  });
  it('the one-sample (paired) t-test equals scipy.stats.ttest_1samp; zero variance is explicit', () => {
    expect(fixture.one_sample.length).toBeGreaterThanOrEqual(10);
    for (const c of fixture.one_sample) {
      const r = oneSampleT(c.values);
      close(r.statistic, c.t);
      close(r.p, c.p);
    }
    expect(oneSampleT([0.25, 0.25, 0.25])).toMatchObject({ statistic: Infinity, p: 0, note: 'zero variance' });
    expect(oneSampleT([0, 0]).note).toMatch(/no difference/);
    expect(() => oneSampleT([1])).toThrow(/oneSampleT: expected at least 2 values, got 1/);
  });
});

describe('stats by hand', () => {
  it('I_x(1, 1) = x and I_x(a, b) = 1 − I_(1−x)(b, a)', () => {
    close(incompleteBeta(0.3, 1, 1), 0.3, 1e-14);
    close(incompleteBeta(0.2, 2.5, 4), 1 - incompleteBeta(0.8, 4, 2.5), 1e-12);
  });
  it('t with 1 degree of freedom is Cauchy: P(|T| ≥ 1) = 1/2', () => {
    close(studentTTwoSided(1, 1), 0.5, 1e-12);
  });
  it('SEM is the sample std over √n', () => {
    // values 1, 2, 3: mean 2, sample variance (1 + 0 + 1)/2 = 1, SEM = 1/√3
    close(sem([1, 2, 3]), 1 / Math.sqrt(3), 1e-15);
  });
  it('the exact permutation test at 3 vs 3 bottoms out at p = 2/20', () => {
    // Complete separation: only the observed split and its mirror are as extreme, 2 of C(6,3) = 20.
    expect(permutationTest([1, 2, 3], [10, 11, 12]).p).toBe(0.1);
    // Identical groups: every split is at least as extreme as a zero difference.
    expect(permutationTest([1, 2, 3], [1, 2, 3]).p).toBe(1);
  });
  it('ranks average ties', () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });
  it('exact Spearman p for a perfect monotone trend of 5 is 2/120', () => {
    const r = spearman([1, 2, 3, 4, 5], [2, 4, 8, 16, 32]);
    expect(r.rho).toBe(1);
    expect(r.pExact).toBeCloseTo(2 / 120, 15);
  });
  it('degenerate and bad input', () => {
    expect(welchT([1, 1], [2, 2]).note).toMatch(/zero variance/);
    expect(spearman([1, 1, 1], [1, 2, 3]).note).toMatch(/constant/);
    expect(() => welchT([1], [2, 3])).toThrow(/welchT: a: expected at least 2 values, got 1/);
    expect(() => welchT([1, NaN], [2, 3])).toThrow(/welchT: a\[1\]: expected a finite number, got NaN/);
    expect(() => spearman([1, 2, 3], [1, 2, 3, 4])).toThrow(/same length/);
  });
});
