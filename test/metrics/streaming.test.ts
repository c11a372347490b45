import { describe, expect, it } from 'vitest';
import {
  ccmasSelectivity,
  CcmasAccumulator,
  fractionBelow,
  FractionBelowAccumulator,
  giniIndex,
  GiniAccumulator,
  hoyerSparsity,
  HoyerAccumulator,
  trevesRollsSparseness,
  TrevesRollsAccumulator,
  type MatrixInput,
} from '../../src/metrics/index.js';
import { Rng, Tensor } from '../../src/tensor/index.js';

/**
 * Streaming equals batch: every accumulator, fed the rows of a matrix in any batching (one row at a time,
 * random sizes, empty batches, strided Tensor views of a larger buffer), gives the one-shot function's result
 * bit for bit — the accumulators update their float64 state in row order, so batching cannot change the
 * rounding. Failed batches leave the state untouched.
 */
const rng = new Rng(31337);
const rows = 503; // prime, so no batch size divides it
const cols = 19;
const C = 5;
const X = new Float32Array(rows * cols);
const labels = new Int32Array(rows);
for (let r = 0; r < rows; r++) {
  labels[r] = rng.int(C);
  for (let c = 0; c < cols; c++) X[r * cols + c] = rng.random() < 0.4 ? 0 : rng.random();
}
X.fill(0, 17 * cols, 18 * cols); // an all-zero row: undefined for Hoyer and Gini
const whole: MatrixInput = { data: X, shape: [rows, cols] };

function identical(a: Record<string, any>, b: Record<string, any>): void {
  for (const key of Object.keys(a)) {
    const x = a[key];
    const y = b[key];
    if (typeof x === 'number') expect(Object.is(x, y), `${key}: ${y} vs ${x}`).toBe(true);
    else if (ArrayBuffer.isView(x) || Array.isArray(x)) {
      const xs = Array.from(x as ArrayLike<number>);
      const ys = Array.from(y as ArrayLike<number>);
      expect(ys.length).toBe(xs.length);
      xs.forEach((v, i) => expect(Object.is(v, ys[i]), `${key}[${i}]: ${ys[i]} vs ${v}`).toBe(true));
    }
  }
}

/** Batch boundaries: every row alone, random sizes (0 included), and one strided Tensor view per batch. */
function splits(): number[][] {
  const random: number[] = [0];
  while (random[random.length - 1] < rows) random.push(Math.min(rows, random[random.length - 1] + rng.int(60)));
  return [Array.from({ length: rows + 1 }, (_, i) => i), random, [0, 0, rows, rows]];
}

/** Feed rows [a, b) as a Tensor view into a transposed copy, to exercise strided batches too. */
const T = new Float32Array(rows * cols);
for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) T[c * rows + r] = X[r * cols + c];
const tview = new Tensor(T, [cols, rows]).transpose();
const batch = (a: number, b: number, strided: boolean): MatrixInput =>
  strided ? tview.slice(a, b) : { data: X.subarray(a * cols, b * cols), shape: [b - a, cols] };

type Acc = { add(b: MatrixInput, l?: ArrayLike<number>): void; result(): any; reset(): void; samples: number };

const metrics: Array<[string, () => any, () => Acc]> = [
  ['Hoyer', () => hoyerSparsity(whole), () => new HoyerAccumulator(cols, { keepPerSample: true })],
  ['Hoyer abs: false', () => hoyerSparsity(whole, { abs: false }), () => new HoyerAccumulator(cols, { abs: false, keepPerSample: true })],
  ['CCMAS', () => ccmasSelectivity(whole, labels, C), () => new CcmasAccumulator(cols, C)],
  ['CCMAS eps 0 abs', () => ccmasSelectivity(whole, labels, C, { eps: 0, abs: true }), () => new CcmasAccumulator(cols, C, { eps: 0, abs: true })],
  ['Gini', () => giniIndex(whole), () => new GiniAccumulator(cols, { keepPerSample: true })],
  ['Treves–Rolls', () => trevesRollsSparseness(whole), () => new TrevesRollsAccumulator(cols)],
  ['fraction below 0.2', () => fractionBelow(whole, 0.2), () => new FractionBelowAccumulator(cols, 0.2, { keepPerSample: true })],
];

describe.each(metrics)('%s accumulator', (_name, batchFn, make) => {
  const expected = batchFn();

  it('equals the one-shot function bit for bit under every batching, contiguous or strided', () => {
    let strided = false;
    for (const cuts of splits()) {
      const acc = make();
      for (let i = 1; i < cuts.length; i++) {
        acc.add(batch(cuts[i - 1], cuts[i], strided), labels.subarray(cuts[i - 1], cuts[i]));
        strided = !strided;
      }
      expect(acc.samples).toBe(rows);
      identical(expected, acc.result());
    }
  });

  it('leaves its state untouched when a batch fails, then carries on', () => {
    const acc = make();
    acc.add(batch(0, 200, false), labels.subarray(0, 200));
    const before = acc.result();
    const bad = X.slice(200 * cols, 260 * cols);
    bad[7 * cols + 4] = NaN;
    expect(() => acc.add({ data: bad, shape: [60, cols] }, labels.subarray(200, 260))).toThrow(
      /NaN at row 207 overall \(row 7 of this batch\), column 4/,
    );
    expect(acc.samples).toBe(200);
    identical(before, acc.result());
    acc.add(batch(200, rows, true), labels.subarray(200, rows));
    identical(expected, acc.result());
  });

  it('reset() returns it to a fresh state', () => {
    const acc = make();
    acc.add(batch(0, 50, false), labels.subarray(0, 50));
    acc.reset();
    expect(acc.samples).toBe(0);
    acc.add(whole, labels);
    identical(expected, acc.result());
  });
});

describe('per-sample accumulators keep O(1) state by default', () => {
  it('perSample is null unless keepPerSample, while mean and stds are unchanged', () => {
    const full = hoyerSparsity(whole);
    for (const acc of [new HoyerAccumulator(cols), new GiniAccumulator(cols), new FractionBelowAccumulator(cols, 0.2)]) {
      acc.add(whole);
      const r = acc.result();
      expect(r.perSample).toBeNull();
      expect(r.samples).toBe(rows);
    }
    const h = new HoyerAccumulator(cols);
    for (let a = 0; a < rows; a += 50) h.add(batch(a, Math.min(rows, a + 50), false));
    const r = h.result();
    expect([r.mean, r.stdSample, r.stdPopulation, r.count, r.undefinedCount]).toEqual([
      full.mean, full.stdSample, full.stdPopulation, full.count, full.undefinedCount,
    ]);
    expect(r.undefinedCount).toBe(1);
  });

  it("policy 'error' in a stream names the row overall and keeps the state", () => {
    const h = new HoyerAccumulator(cols, { onUndefined: 'error' });
    h.add(batch(0, 10, false));
    expect(() => h.add(batch(10, 20, false))).toThrow(/row 17 overall \(row 7 of this batch\) is all zeros/);
    expect(h.samples).toBe(10);
    expect(() => h.add({ data: new Float32Array(cols + 1), shape: [1, cols + 1] })).toThrow(
      /HoyerAccumulator.add: batch has 20 units \(columns\), the accumulator was made for 19/,
    );
  });
});
