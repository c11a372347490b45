/**
 * Property-based tests over the public entry points of sparsity-lab/data (contract: test/helpers/fuzz.ts):
 * samplers with random valid options visit every index as documented, IDX round-trips, arbitrary bytes
 * never crash parseIdx with an engine error, and invalid labels/options/indices throw ours.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DataFileError, classCounts, classRestrictedSampler, consecutiveSameClassSampler, encodeIdx, epochBatches, makeSampler, parseIdx,
  pixelsToUnitFloat32, sequentialSampler, shuffledSampler, sortedByClassSampler, subset, uniformBatchEnds, type Dataset,
} from '../../src/data/index.js';
import { badCount, expectOurError, fuzz, nonFinite, notANumber } from '../helpers/fuzz.js';

const labelsArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 60 });

function dataset(labels: number[], features = 3): Dataset {
  const images = new Float32Array(labels.length * features).map((_, i) => (i % 7) / 7);
  return { name: 'toy', images, labels: Uint8Array.from(labels), count: labels.length, features, rows: 1, cols: features, numClasses: 5 };
}

describe('data: valid inputs (properties)', () => {
  it('shuffled, sequential and sorted samplers: every epoch is a permutation of 0..n−1 in batches of batchSize (the last may be short)', () => {
    fc.assert(
      fc.property(labelsArb, fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: 5 }), (labels, batchSize, seed, epoch) => {
        for (const s of [shuffledSampler(labels, { batchSize, seed }), sequentialSampler(labels, { batchSize }), sortedByClassSampler(labels, { batchSize })]) {
          const { order, ends } = epochBatches(s, epoch);
          expect(Array.from(order).sort((a, b) => a - b)).toEqual(labels.map((_, i) => i));
          expect(ends[ends.length - 1]).toBe(labels.length);
          for (let b = 0; b < ends.length; b++) expect(ends[b] - (b ? ends[b - 1] : 0)).toBe(b < ends.length - 1 ? batchSize : labels.length - (ends.length - 1) * batchSize);
        }
        // Same seed, same order; the sorted sampler's batches follow the class order.
        expect(shuffledSampler(labels, { batchSize, seed }).epochOrder(epoch)).toEqual(shuffledSampler(labels, { batchSize, seed }).epochOrder(epoch));
        const sorted = Array.from(sortedByClassSampler(labels, { batchSize }).epochOrder(epoch), (i) => labels[i]);
        expect(sorted).toEqual([...sorted].sort((a, b) => a - b));
      }),
      fuzz(150),
    );
  });

  it('consecutive and class-restricted samplers: batches drawn from one class (or classesPerBatch classes), indices valid', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 8, maxLength: 80 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1e6 }), (labels, n, seed) => {
        const s = consecutiveSameClassSampler(labels, { n, seed });
        const { order, ends } = epochBatches(s, 1);
        for (const i of order) expect(i >= 0 && i < labels.length).toBe(true);
        for (let b = 0; b < ends.length; b++) {
          const cls = new Set(Array.from(order.subarray(b ? ends[b - 1] : 0, ends[b]), (i) => labels[i]));
          expect(cls.size).toBe(1);
        }
        const present = new Set(labels).size;
        if (present >= 2) {
          // 'original' mode: every batch from exactly classesPerBatch classes ('all-images' mixes its leftovers).
          const cr = classRestrictedSampler(labels, { classesPerBatch: 2, batchSize: 4, seed, exhaust: 'original' });
          const plan = epochBatches(cr, 0);
          for (let b = 0; b < plan.ends.length; b++) {
            const cls = new Set(Array.from(plan.order.subarray(b ? plan.ends[b - 1] : 0, plan.ends[b]), (i) => labels[i]));
            expect(cls.size).toBeLessThanOrEqual(2);
          }
        }
      }),
      fuzz(100),
    );
  });

  it('IDX: encode → parse round-trips every type; subset and classCounts agree with the labels', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }), fc.constantFrom('ubyte', 'sbyte', 'short', 'int', 'float', 'double'), (dims, type) => {
        const n = dims.reduce((a, b) => a * b, 1);
        const data = Array.from({ length: n }, (_, i) => (type === 'ubyte' ? i % 256 : type === 'sbyte' ? (i % 256) - 128 : i - 3));
        const back = parseIdx(encodeIdx({ dims, type: type as never, data }), 'round-trip');
        expect(back.dims).toEqual(dims);
        expect(Array.from(back.data as ArrayLike<number>)).toEqual(data);
      }),
      fuzz(100),
    );
    fc.assert(
      fc.property(labelsArb, (labels) => {
        const counts = classCounts(labels, 5);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(labels.length);
        const ds = dataset(labels);
        const rev = subset(ds, labels.map((_, i) => labels.length - 1 - i));
        expect(Array.from(rev.labels)).toEqual([...labels].reverse());
        expect(pixelsToUnitFloat32(Uint8Array.of(0, 255, 51))).toEqual(Float32Array.of(0, 1, 0.2));
      }),
      fuzz(60),
    );
  });
});

describe('data: invalid inputs throw our errors (properties)', () => {
  it('parseIdx on arbitrary bytes (and truncations/corruptions of valid files) returns a consistent array or throws DataFileError', () => {
    const valid = encodeIdx({ dims: [2, 3], type: 'short', data: [1, 2, 3, 4, 5, 6] });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.integer({ min: 0, max: valid.length - 1 }).map((k) => valid.slice(0, k)),
          fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, b]) => {
            const v = valid.slice();
            v[at] = b;
            return v;
          }),
        ),
        (bytes) => {
          let out;
          try {
            out = parseIdx(bytes, 'fuzz.idx');
          } catch (e) {
            expect(e, String(e)).toBeInstanceOf(DataFileError);
            expect((e as Error).message).toMatch(/^fuzz\.idx/);
            return;
          }
          expect((out.data as ArrayLike<number>).length).toBe(out.dims.reduce((a, b) => a * b, 1));
        },
      ),
      fuzz(400),
    );
    expectOurError(() => parseIdx(null as never, 'x'), 'parseIdx(null)');
    expectOurError(() => parseIdx([0, 0, 8, 1] as never, 'x'), 'parseIdx(plain array)');
  });

  it('samplers: bad labels, batch sizes, seeds, epochs and specs', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom<unknown>(null, undefined, 3, 'abc', {}, []),
          fc.tuple(fc.oneof(badCount, notANumber, fc.constant(70000)), fc.integer({ min: 0, max: 3 })).map(([bad, at]) => {
            const l: unknown[] = [0, 1, 2, 1];
            l[at] = bad;
            return l;
          }),
        ),
        (labels) => {
          expectOurError(() => shuffledSampler(labels as number[], { batchSize: 2, seed: 1 }), 'shuffledSampler labels');
          expectOurError(() => sortedByClassSampler(labels as number[], { batchSize: 2 }), 'sortedByClassSampler labels');
          expectOurError(() => consecutiveSameClassSampler(labels as number[], { n: 2, seed: 1 }), 'consecutiveSameClassSampler labels');
          expectOurError(() => classRestrictedSampler(labels as number[], { classesPerBatch: 2, batchSize: 2, seed: 1 }), 'classRestrictedSampler labels');
          if (!(Array.isArray(labels) && labels.length === 0)) expectOurError(() => classCounts(labels as number[], 3), 'classCounts'); // counts of no labels are zeros
        },
      ),
      fuzz(150),
    );
    const labels = [0, 1, 2, 1, 0, 2];
    fc.assert(
      fc.property(badCount, fc.oneof(nonFinite, fc.constantFrom<unknown>(null, undefined, {}, [], true)), (bad, seed) => {
        expectOurError(() => shuffledSampler(labels, { batchSize: bad as number, seed: 1 }), 'batchSize');
        expectOurError(() => sequentialSampler(labels, { batchSize: bad as number }), 'sequential batchSize');
        expectOurError(() => consecutiveSameClassSampler(labels, { n: bad as number, seed: 1 }), 'consecutive n');
        expectOurError(() => classRestrictedSampler(labels, { classesPerBatch: bad as number, batchSize: 2, seed: 1 }), 'classesPerBatch');
        expectOurError(() => shuffledSampler(labels, { batchSize: 2, seed: seed as number }), `seed ${String(seed)}`);
        expectOurError(() => shuffledSampler(labels, { batchSize: 2, seed: 1 }).epochOrder(bad as number), 'epoch');
        expectOurError(() => uniformBatchEnds(6, bad as number), 'uniformBatchEnds batchSize');
        expectOurError(() => uniformBatchEnds(bad as number, 2), 'uniformBatchEnds length');
      }),
      fuzz(100),
    );
    fc.assert(
      fc.property(fc.constantFrom<unknown>(null, 1, 'shuffled', {}, { kind: 'random' }, { kind: 'shuffled' }, { kind: 'shuffled', batchSize: 2, seed: 1, shuffle: true }, { kind: 'sequential', batchSize: '2' }, { kind: 'shuffled', batchSize: 2, seed: 1, dropLast: 'yes' }), (spec) => {
        expectOurError(() => makeSampler(spec as never, labels), 'makeSampler');
      }),
      fuzz(30),
    );
    expectOurError(() => shuffledSampler(labels, null as never), 'null options');
  });

  it('subset and pixelsToUnitFloat32: bad indices, ranges and buffers', () => {
    const ds = dataset([0, 1, 2, 3]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.oneof(badCount, fc.constant(4), notANumber), { minLength: 1, maxLength: 3 }),
          fc.tuple(fc.oneof(badCount, fc.constant(5)), fc.integer({ min: 0, max: 4 })).map(([a, b]) => ({ start: a, end: b })),
          fc.constantFrom<unknown>(null, undefined, 3, 'ab'),
        ),
        (idx) => {
          expectOurError(() => subset(ds, idx as never), 'subset');
        },
      ),
      fuzz(100),
    );
    fc.assert(
      fc.property(fc.constantFrom<unknown>(null, undefined, [0, 255], new Int8Array(2), 'ab'), fc.constantFrom<unknown>(new Float32Array(3), [0, 0], new Float64Array(2), 'x', null), (bytes, out) => {
        expectOurError(() => pixelsToUnitFloat32(bytes as Uint8Array), 'pixelsToUnitFloat32 bytes');
        expectOurError(() => pixelsToUnitFloat32(Uint8Array.of(1, 2), out as Float32Array), 'pixelsToUnitFloat32 out');
      }),
      fuzz(30),
    );
  });
});
