import { describe, expect, it } from 'vitest';
import { fma32 } from '../../src/optim/index.js';
import { Rng } from '../../src/tensor/random.js';

/**
 * fma32(a, b, c) is the correctly rounded float32 of a·b + c — checked against exact rational arithmetic
 * (BigInt), not against another floating-point formula: random triples over many magnitudes, halfway
 * cases built on purpose (where double arithmetic rounds twice and goes wrong), float32 subnormal results,
 * the overflow threshold, and the IEEE special values.
 */
const f32 = Math.fround;
const bits = new Uint32Array(1);
const fview = new Float32Array(bits.buffer);

/** A float32 as sign·mantissa·2^exponent with integer mantissa (exact). */
function decompose(x: number): [bigint, number] {
  fview[0] = x;
  const u = bits[0];
  const e = (u >>> 23) & 255;
  const m = u & 0x7fffff;
  const sign = u >>> 31 ? -1n : 1n;
  return e === 0 ? [sign * BigInt(m), -149] : [sign * BigInt(m | 0x800000), e - 150];
}

/** The exact a·b + c rounded to float32 (ties to even), for finite float32 a, b, c. */
function exactFma32(a: number, b: number, c: number): number {
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  // Everything on the grid 2^-298 (the smallest float32 product).
  const n = ma * mb * (1n << BigInt(ea + eb + 298)) + mc * (1n << BigInt(ec + 298));
  if (n === 0n) return a * b + c; // exact zero: the sign rules of IEEE addition, which double arithmetic follows exactly
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const top = abs.toString(2).length - 1 - 298; // floor(log2 |x|)
  const ulpExp = Math.max(top - 23, -149);
  const shift = BigInt(ulpExp + 298);
  let m = abs >> shift;
  const rem = abs - (m << shift);
  if (shift > 0n) {
    const half = 1n << (shift - 1n);
    if (rem > half || (rem === half && (m & 1n) === 1n)) m += 1n;
  }
  let v = Number(m) * 2 ** ulpExp;
  if (v >= 2 ** 128) v = Infinity;
  return neg ? -v : v;
}

function same(x: number, y: number): boolean {
  return Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
}

describe('fma32 rounds a·b + c once, like PyTorch\'s fused CPU kernels', () => {
  it('hand-derived: T·T + 2^-60 with T = 1 + 2^-12', () => {
    // T·T = 1 + 2^-11 + 2^-24: exactly halfway between 1 + 2^-11 and 1 + 2^-11 + 2^-23 (float32 spacing at
    // 1 is 2^-23). + 2^-60 puts the exact sum above halfway: one rounding goes up. In double, 2^-60 is
    // below half an ulp (2^-53), the sum rounds to the halfway point, and then ties-to-even goes down.
    const T = 1 + 2 ** -12;
    expect(fma32(T, T, 2 ** -60)).toBe(1 + 2 ** -11 + 2 ** -23);
    expect(f32(T * T + 2 ** -60)).toBe(1 + 2 ** -11); // what two roundings give
    expect(fma32(T, T, -(2 ** -60))).toBe(1 + 2 ** -11); // below halfway: down
    expect(fma32(T, T, 0)).toBe(1 + 2 ** -11); // exactly halfway: ties to even
    expect(fma32(-T, T, -(2 ** -60))).toBe(-(1 + 2 ** -11 + 2 ** -23));
    // A product whose low bits only a fused operation keeps: (1 + 2^-23)(1 − 2^-23) − 1 = −2^-46.
    expect(fma32(1 + 2 ** -23, 1 - 2 ** -23, -1)).toBe(-(2 ** -46));
  });

  it('equals exact rational arithmetic on 20 000 random triples over many magnitudes', () => {
    const rng = new Rng(11);
    const r = (): number => f32((rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(1, 2) * 2 ** rng.int(60) * 2 ** -30);
    for (let i = 0; i < 20000; i++) {
      const a = r();
      const b = r();
      const c = rng.uniform() < 0.5 ? f32(a * b * rng.uniform(-4, 4)) : r();
      const got = fma32(a, b, c);
      if (!same(got, exactFma32(a, b, c))) expect({ a, b, c, got }).toEqual({ a, b, c, got: exactFma32(a, b, c) });
    }
  });

  it('equals exact arithmetic on 5 000 constructed halfway cases (where double arithmetic fails)', () => {
    const rng = new Rng(12);
    let doubleWrong = 0;
    let n = 0;
    while (n < 5000) {
      // Odd factors of 12–13 bits whose product has exactly 25 bits: a float32 halfway point.
      const x = 2 * (2048 + rng.int(6144)) + 1;
      const y = 2 * (2048 + rng.int(6144)) + 1;
      const prod = x * y;
      if (prod < 2 ** 24 || prod >= 2 ** 25) continue;
      n++;
      const sx = 2 ** (rng.int(40) - 20 - 13);
      const sy = 2 ** (rng.int(40) - 20 - 13);
      const a = f32((rng.uniform() < 0.5 ? -1 : 1) * x * sx);
      const b = f32(y * sy);
      const p = a * b;
      // A nudge below half a double ulp of the product, either way, or none (a true tie).
      const kind = rng.int(3);
      const c = kind === 2 ? 0 : f32((kind === 0 ? 1 : -1) * Math.abs(p) * 2 ** -(55 + rng.int(20)));
      const want = exactFma32(a, b, c);
      if (f32(p + c) !== want) doubleWrong++;
      const got = fma32(a, b, c);
      if (!same(got, want)) expect({ a, b, c, got }).toEqual({ a, b, c, got: want });
    }
    expect(doubleWrong).toBeGreaterThan(1000); // the cases do tell one rounding from two
  });

  it('float32 subnormal results, signed zeros, the overflow threshold and special values', () => {
    const cases: Array<[number, number, number]> = [
      [3 * 2 ** -76, 2 ** -74, 0], // 3·2^-150: halfway between subnormals, ties to even
      [3 * 2 ** -76, 2 ** -74, 2 ** -149],
      [f32(1.5), 2 ** -149, -(2 ** -149)],
      [0, 5, -0], [-0, 5, -0], [0, -5, 0], [2, 3, -6], [-2, 3, 6],
      // (2^25 − 1)·2^103 = 2^128 − 2^103: halfway between FLT_MAX and 2^128 (overflow).
      [18631 * 2 ** 60, 1801 * 2 ** 43, 0],
      [18631 * 2 ** 60, 1801 * 2 ** 43, -(2 ** 40)],
      [18631 * 2 ** 60, 1801 * 2 ** 43, 2 ** 40],
      [-18631 * 2 ** 60, 1801 * 2 ** 43, 2 ** 40],
      [3e38, 3e38, -1], [1e30, 1e-30, 3e38],
    ];
    for (const [a, b, c] of cases) {
      const [fa, fb, fc] = [f32(a), f32(b), f32(c)];
      expect([fa, fb, fc, fma32(fa, fb, fc)]).toEqual([fa, fb, fc, exactFma32(fa, fb, fc)]);
    }
    expect(fma32(18631 * 2 ** 60, 1801 * 2 ** 43, -(2 ** 40))).toBe(3.4028234663852886e38); // FLT_MAX
    for (const [a, b, c, want] of [
      [NaN, 1, 1, NaN], [1, NaN, 1, NaN], [1, 1, NaN, NaN], [Infinity, 0, 1, NaN], [Infinity, 1, -Infinity, NaN],
      [Infinity, 2, 1, Infinity], [-Infinity, 2, 1, -Infinity], [1, 1, -Infinity, -Infinity],
    ] as const) {
      expect(same(fma32(a, b, c), want), `${a}·${b} + ${c}`).toBe(true);
    }
  });
});
