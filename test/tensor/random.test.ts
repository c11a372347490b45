import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/tensor/random.js';

describe('Rng', () => {
  it('the same seed gives the same stream; another seed a different one; number and string seeds agree', () => {
    const a = new Rng(1), b = new Rng(1), c = new Rng(2), d = new Rng('1');
    const take = (r: Rng) => Array.from({ length: 20 }, () => r.random());
    const sa = take(a);
    expect(take(b)).toEqual(sa);
    expect(take(d)).toEqual(sa);
    expect(take(c)).not.toEqual(sa);
  });

  it('state() / fromState() continue the exact sequence, through JSON, including a cached normal', () => {
    const r = new Rng('state');
    r.random();
    r.normal(); // leaves the second Box–Muller value cached
    const saved = JSON.parse(JSON.stringify(r.state()));
    expect(saved.spareNormal).not.toBeNull();
    const expected = [r.normal(), r.random(), r.uniform(-2, 3), r.int(17), r.normal(), r.normal()];
    const s = Rng.fromState(saved);
    expect([s.normal(), s.random(), s.uniform(-2, 3), s.int(17), s.normal(), s.normal()]).toEqual(expected);
    // Restoring does not disturb the original.
    const again = Rng.fromState(saved);
    expect(again.normal()).toBe(expected[0]);
  });

  it('uniform samples lie in [low, high) with the right mean and variance', () => {
    const r = new Rng(3);
    const n = 100_000;
    let sum = 0, sq = 0, min = Infinity, max = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = r.uniform(-2, 6);
      sum += v;
      sq += v * v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(-2);
    expect(max).toBeLessThan(6);
    const mean = sum / n, variance = sq / n - mean * mean;
    // Uniform(−2, 6): mean 2 (s.e. 8/√(12n) = 0.0073), variance 64/12 = 5.33 (relative s.e. ≈ 0.3%).
    expect(Math.abs(mean - 2)).toBeLessThan(0.03);
    expect(Math.abs(variance / (64 / 12) - 1)).toBeLessThan(0.015);
  });

  it('normal samples have the requested mean and std, and symmetric tails', () => {
    const r = new Rng(4);
    const xs = r.fillNormal(new Float64Array(100_000), 3, 2);
    let sum = 0, sq = 0, above = 0;
    for (const v of xs) {
      sum += v;
      sq += v * v;
      if (v > 3 + 2 * 1.96) above++;
    }
    const n = xs.length, mean = sum / n, sd = Math.sqrt(sq / n - mean * mean);
    expect(Math.abs(mean - 3)).toBeLessThan(4 * 2 / Math.sqrt(n));
    expect(Math.abs(sd / 2 - 1)).toBeLessThan(0.01);
    // P(Z > 1.96) = 0.025; s.e. of the fraction √(0.025·0.975/n) = 5e-4.
    expect(Math.abs(above / n - 0.025)).toBeLessThan(0.002);
  });

  it('fillUniform into a Float32Array never stores high (a value rounding up to it is replaced)', () => {
    // On [1, 1 + 2⁻²²) the float32 grid has spacing 2⁻²³: a quarter of the float64 samples round up to 1 + 2⁻²².
    const high = 1 + 2 ** -22;
    const a = new Rng(5).fillUniform(new Float32Array(10_000), 1, high);
    expect(Math.max(...a)).toBe(1 + 2 ** -23);
    expect(a.filter((v) => v === 1 + 2 ** -23).length).toBeGreaterThan(5000); // replaced values included
    // The stream of draws is the same as without the correction: the next draw agrees.
    const r1 = new Rng(5), r2 = new Rng(5);
    r1.fillUniform(new Float32Array(100), 1, high);
    r2.fillUniform(new Float64Array(100), 1, high);
    expect(r1.random()).toBe(r2.random());
    // A high that is not a float32: the largest float32 below 1/3 is fround(1/3) (which is below 1/3).
    const b = new Rng(6).fillUniform(new Float32Array(100_000), 1 / 3 - 1e-7, 1 / 3);
    expect(b.reduce((m, v) => Math.max(m, v), 0)).toBe(0.3333333134651184);
  });

  it('int, shuffle and permutation', () => {
    const r = new Rng(7);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 50_000; i++) counts[r.int(5)]++;
    // Each count ~ Binomial(50000, 0.2): s.d. ≈ 89.
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(450);
    expect(() => r.int(0)).toThrow('Rng.int: n must be a positive integer, got 0');
    expect(() => r.int(2.5)).toThrow('Rng.int: n must be a positive integer, got 2.5');
    const p = r.permutation(100);
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(new Rng(8).permutation(50))).toEqual(Array.from(new Rng(8).permutation(50)));
    // Fisher–Yates is uniform: each of the 6 orders of 3 items about equally often.
    const orders = new Map<string, number>();
    const s = new Rng(9);
    for (let i = 0; i < 12_000; i++) {
      const key = s.shuffle([0, 1, 2]).join('');
      orders.set(key, (orders.get(key) ?? 0) + 1);
    }
    expect(orders.size).toBe(6);
    for (const c of orders.values()) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });

  it('rejects a non-finite seed', () => {
    expect(() => new Rng(NaN)).toThrow('Rng: seed must be a finite number or a string, got NaN');
    expect(() => new Rng(Infinity)).toThrow('Rng: seed must be a finite number or a string, got Infinity');
  });
});
