/**
 * Property-based tests over the public entry points of sparsity-lab/metrics (contract: test/helpers/fuzz.ts):
 * valid matrices (any layout, any batching) give finite results in the documented ranges; invalid data,
 * shapes, labels and options throw ours; every metric treats an empty matrix the same way (an error).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CcmasAccumulator, FractionBelowAccumulator, GiniAccumulator, HoyerAccumulator, TrevesRollsAccumulator,
  activationRatios, activationTotal, activationWeighted, aggregateLayers, ccmasSelectivity, fractionBelow, giniIndex, hoyerSparsity, trevesRollsSparseness,
} from '../../src/metrics/index.js';
import { badCount, expectOurError, fuzz, nonFinite, notANumber } from '../helpers/fuzz.js';

/** A [rows, units] matrix of non-negative activations (as after a sigmoid or ReLU), some rows sparse. */
const matrix = (minRows = 1) =>
  fc.record({ rows: fc.integer({ min: minRows, max: 12 }), units: fc.integer({ min: 2, max: 9 }), seed: fc.integer({ min: 0, max: 1e6 }) }).chain(({ rows, units }) =>
    fc.record({
      rows: fc.constant(rows),
      units: fc.constant(units),
      data: fc.array(fc.oneof(fc.constant(0), fc.float({ min: 0, max: 1e3, noNaN: true })), { minLength: rows * units, maxLength: rows * units }).map((a) => Float32Array.from(a)),
      // At least two classes present (CCMAS compares a class with the others).
      labels: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: rows, maxLength: rows }).map((l) => l.map((k, i) => (i < 2 ? i : k))),
    }),
  );

/** Alternating labels 0, 1, … for as many rows as `m` claims (none when it claims nothing sensible). */
function labelsFor(m: unknown): number[] {
  const shape = (m as { shape?: unknown } | null | undefined)?.shape;
  const rows = Array.isArray(shape) && Number.isSafeInteger(shape[0]) && shape[0] >= 0 && shape[0] < 1e6 ? (shape[0] as number) : 0;
  return Array.from({ length: rows }, (_, i) => i % 2);
}

const ALL_ONE_SHOT: Array<[string, (m: { data: unknown; shape: unknown }) => unknown]> = [
  ['hoyerSparsity', (m) => hoyerSparsity(m as never)],
  ['giniIndex', (m) => giniIndex(m as never)],
  ['fractionBelow', (m) => fractionBelow(m as never, 0.1)],
  ['trevesRollsSparseness', (m) => trevesRollsSparseness(m as never)],
  ['ccmasSelectivity', (m) => ccmasSelectivity(m as never, labelsFor(m), 2, { emptyClass: 'exclude' })],
  ['activationTotal', (m) => activationTotal(m as never)],
];

describe('metrics: valid inputs (properties)', () => {
  it('Hoyer, Gini, fraction-below in [0, 1], Treves–Rolls in [0, 1], CCMAS in [0, 1]; undefined values only where the maths is 0/0', () => {
    fc.assert(
      fc.property(matrix(2), ({ rows, units, data, labels }) => {
        const m = { data, shape: [rows, units] };
        const h = hoyerSparsity(m);
        const g = giniIndex(m);
        const f = fractionBelow(m, 0.5);
        for (const [name, r] of [['hoyer', h], ['gini', g], ['fraction', f]] as const) {
          for (let i = 0; i < rows; i++) {
            const v = r.perSample[i];
            const allZero = data.subarray(i * units, (i + 1) * units).every((x) => x === 0);
            if (allZero && name !== 'fraction') expect(v, `${name} row ${i} (all zero)`).toBeNaN();
            else expect(v >= -1e-12 && v <= 1 + 1e-12, `${name} row ${i} = ${v}`).toBe(true);
          }
          expect(r.count + r.undefinedCount).toBe(rows);
        }
        const t = trevesRollsSparseness(m);
        for (const v of t.perUnit) if (!Number.isNaN(v)) expect(v >= -1e-12 && v <= 1 + 1e-12, `treves ${v}`).toBe(true);
        const c = ccmasSelectivity(m, labels, 3, { emptyClass: 'exclude', eps: 1e-7 });
        for (const v of c.perUnit) if (!Number.isNaN(v)) expect(v >= -1e-12 && v <= 1 + 1e-12, `ccmas ${v}`).toBe(true);
        expect(activationTotal(m)).toBeCloseTo(h.activationSum, 6);
      }),
      fuzz(150),
    );
  });

  it('accumulators fed any batching (including empty batches) give the one-shot result bit for bit', () => {
    fc.assert(
      fc.property(matrix(2), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 6 }), ({ rows, units, data, labels }, cuts) => {
        const hoyer = new HoyerAccumulator(units);
        const gini = new GiniAccumulator(units);
        const frac = new FractionBelowAccumulator(units, 0.5);
        const tr = new TrevesRollsAccumulator(units);
        const cc = new CcmasAccumulator(units, 3, { emptyClass: 'exclude' });
        let start = 0;
        for (const step of [...cuts, rows]) {
          const end = Math.min(rows, start + step);
          const batch = { data: data.subarray(start * units, end * units), shape: [end - start, units] };
          hoyer.add(batch);
          gini.add(batch);
          frac.add(batch);
          tr.add(batch);
          cc.add(batch, labels.slice(start, end));
          start = end;
        }
        const m = { data, shape: [rows, units] };
        const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
        expect(same(hoyer.result().mean, hoyerSparsity(m).mean)).toBe(true);
        expect(same(gini.result().mean, giniIndex(m).mean)).toBe(true);
        expect(same(frac.result().mean, fractionBelow(m, 0.5).mean)).toBe(true);
        expect(same(tr.result().mean, trevesRollsSparseness(m).mean)).toBe(true);
        expect(same(cc.result().mean, ccmasSelectivity(m, labels, 3, { emptyClass: 'exclude' }).mean)).toBe(true);
      }),
      fuzz(100),
    );
  });

  it('layer combinations: finite weights give a finite combination within the range of the values', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }).chain((v) => fc.tuple(fc.constant(v), fc.array(fc.double({ min: 0.01, max: 1e6, noNaN: true }), { minLength: v.length, maxLength: v.length }))), ([values, totals]) => {
        const a = aggregateLayers(values);
        const w = activationWeighted(values, totals);
        const lo = Math.min(...values) - 1e-12, hi = Math.max(...values) + 1e-12;
        expect(a >= lo && a <= hi).toBe(true);
        expect(w >= lo && w <= hi).toBe(true);
        const r = activationRatios(totals);
        expect(Math.abs(r.reduce((s, x) => s + x, 0) - 1)).toBeLessThan(1e-12);
      }),
      fuzz(100),
    );
  });
});

describe('metrics: invalid inputs throw our errors (properties)', () => {
  it('empty matrices: every metric and every accumulator throws the same "no samples" error (one policy)', () => {
    for (const [name, f] of ALL_ONE_SHOT) {
      const e = expectOurError(() => f({ data: new Float32Array(0), shape: [0, 4] }), name);
      expect(e.message).toMatch(new RegExp(`^${name}: no samples \\(the activations have 0 rows\\)`));
    }
    const accs: Array<[string, { add(b: unknown, l?: unknown): void; result(): unknown }]> = [
      ['HoyerAccumulator', new HoyerAccumulator(4)],
      ['GiniAccumulator', new GiniAccumulator(4)],
      ['FractionBelowAccumulator', new FractionBelowAccumulator(4, 0.1)],
      ['TrevesRollsAccumulator', new TrevesRollsAccumulator(4)],
      ['CcmasAccumulator', new CcmasAccumulator(4, 2)],
    ];
    for (const [name, acc] of accs) {
      acc.add({ data: new Float32Array(0), shape: [0, 4] }, []); // an empty batch is fine
      const e = expectOurError(() => acc.result(), `${name}.result`);
      expect(e.message).toMatch(new RegExp(`^${name}.result: no samples`));
    }
  });

  it('data: null, strings, NaN, ±∞ anywhere; wrong containers; shapes that do not fit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_ONE_SHOT),
        fc.oneof(
          // A bad element at a random position of a plain array or a Float32Array.
          fc.tuple(fc.oneof(notANumber, nonFinite), fc.integer({ min: 0, max: 7 }), fc.boolean()).map(([bad, at, typed]) => {
            if (typed && typeof bad !== 'number') return null;
            const a: unknown[] = [0.5, 0, 1, 2, 0, 3, 0.25, 1];
            a[at] = bad;
            return { data: typed ? Float32Array.from(a as number[]) : a, shape: [4, 2] };
          }),
          fc.constantFrom<unknown>(
            null, undefined, 5, 'm', {}, [],
            { data: null, shape: [1, 2] }, { data: 'ab', shape: [1, 2] }, { data: { length: 2 }, shape: [1, 2] }, { data: new DataView(new ArrayBuffer(8)), shape: [1, 2] },
            { data: new Float32Array(6), shape: [2, 2] }, { data: new Float32Array(6), shape: [6] }, { data: new Float32Array(6), shape: [1, 2, 3] }, { data: new Float32Array(6), shape: '2,3' },
            { data: new Float32Array(6), shape: [2, 3], strides: [3, 1], offset: 1 }, { data: new Float32Array(6), shape: [2, 3], strides: [3.5, 1] },
          ),
          fc.tuple(badCount, fc.boolean()).map(([bad, first]) => ({ data: new Float32Array(6), shape: first ? [bad, 3] : [2, bad] })),
        ),
        ([name, f], m) => {
          if (m === null) return;
          expectOurError(() => f(m as never), `${name}(${String(typeof m)})`);
        },
      ),
      fuzz(300),
    );
  });

  it('options: wrong types and values', () => {
    const m = { data: Float32Array.of(1, 0, 0, 1), shape: [2, 2] };
    fc.assert(
      fc.property(fc.constantFrom<unknown>(null, 1, 'x', { abs: 'yes' }, { onUndefined: 'ignore' }, { onUndefined: null }, { keepPerSample: 1 }), (opts) => {
        if (!(opts && typeof opts === 'object' && 'keepPerSample' in opts)) expectOurError(() => hoyerSparsity(m, opts as never), 'hoyerSparsity options');
        expectOurError(() => new HoyerAccumulator(2, opts as never), 'HoyerAccumulator options');
        if (!(opts && typeof opts === 'object' && ('abs' in opts || 'keepPerSample' in opts))) expectOurError(() => giniIndex(m, opts as never), 'giniIndex options');
      }),
      fuzz(30),
    );
    fc.assert(
      fc.property(fc.oneof(notANumber.filter((x) => x !== undefined), nonFinite, fc.double({ min: -10, max: -1e-12, noNaN: true })), (eps) => {
        expectOurError(() => ccmasSelectivity(m, [0, 1], 2, { eps: eps as number }), 'ccmas eps');
        if (typeof eps !== 'number' || !Number.isFinite(eps)) expectOurError(() => fractionBelow(m, eps as number), 'fractionBelow threshold');
      }),
      fuzz(40),
    );
    fc.assert(
      fc.property(badCount, (n) => {
        expectOurError(() => ccmasSelectivity(m, [0, 1], n as number), 'ccmas numClasses');
        expectOurError(() => new HoyerAccumulator(n as number), 'HoyerAccumulator units');
        expectOurError(() => new CcmasAccumulator(n as number, 2), 'CcmasAccumulator units');
        expectOurError(() => new TrevesRollsAccumulator(n as number), 'TrevesRollsAccumulator units');
        expectOurError(() => new GiniAccumulator(n as number), 'GiniAccumulator units');
        expectOurError(() => new FractionBelowAccumulator(n as number, 0.1), 'FractionBelowAccumulator units');
      }),
      fuzz(60),
    );
  });

  it('ccmas labels: wrong count, out of range, fractional, null, not an array', () => {
    const m = { data: Float32Array.of(1, 0, 0, 1, 0.5, 0.5), shape: [3, 2] };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom<unknown>(null, undefined, 3, 'abc', {}),
          fc.array(fc.integer({ min: 0, max: 1 }), { maxLength: 6 }).filter((a) => a.length !== 3),
          fc.tuple(fc.oneof(badCount, fc.constant(2), notANumber), fc.integer({ min: 0, max: 2 })).map(([bad, at]) => {
            const l: unknown[] = [0, 1, 1];
            l[at] = bad;
            return l;
          }),
        ),
        (labels) => {
          expectOurError(() => ccmasSelectivity(m, labels as number[], 2), 'ccmas labels');
        },
      ),
      fuzz(150),
    );
  });

  it('layer combinations: empty, non-finite, negative or all-zero totals, mismatched lengths, non-numbers', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom<unknown>(null, undefined, 'ab', {}, []),
          fc.array(fc.oneof(notANumber, nonFinite), { minLength: 1, maxLength: 3 }),
        ),
        (bad) => {
          expectOurError(() => aggregateLayers(bad as number[]), 'aggregateLayers');
          expectOurError(() => activationRatios(bad as number[]), 'activationRatios');
          expectOurError(() => activationWeighted(bad as number[], [1, 1, 1]), 'activationWeighted values');
        },
      ),
      fuzz(60),
    );
    expectOurError(() => activationRatios([0, 0]), 'all-zero totals');
    expectOurError(() => activationRatios([1, -1]), 'negative total');
    expectOurError(() => activationWeighted([0.5, 0.5], [1]), 'mismatched lengths');
  });
});
