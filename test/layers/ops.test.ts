import { describe, expect, it } from 'vitest';
import {
  addColumnSums,
  fillRows,
  findNonFinite,
  logSoftmaxRows,
  logSoftmaxRowsBackward,
  relu,
  reluBackward,
  sigmoid,
  sigmoidBackward,
  softmaxRows,
  softmaxRowsBackward,
  tanh,
  tanhBackward,
} from '../../src/tensor/ops.js';
import { fromArray, zeros } from '../../src/tensor/tensor.js';

/** Hand-derived values (each with its arithmetic); results are float32, so expected values are rounded with Math.fround. */
const f = Math.fround;
const row = (values: number[]) => fromArray([values]);
const out = (n: number) => zeros([1, n]);
const arr = (t: { toArray(): any }) => (t.toArray() as number[][])[0];

describe('src/tensor/ops', () => {
  it('sigmoid: values, symmetry, and no overflow at ±800 (where e^x/(1+e^x) is ∞/∞)', () => {
    // σ(0) = 1/2; σ(2) = 1/(1+e^-2) = 0.8807970779778823; σ(-2) = e^-2/(1+e^-2) = 1 − σ(2).
    // σ(±800): 1 and e^-800/(1+e^-800) = 0 (e^-800 underflows); σ(-100) = e^-100 ≈ 3.7e-44, a float32 subnormal.
    const y = sigmoid(out(7), row([0, 2, -2, 800, -800, -100, NaN]));
    expect(arr(y)).toEqual([0.5, f(0.8807970779778823), f(0.11920292202211755), 1, 0, f(Math.exp(-100)), NaN]);
    expect(f(Math.exp(-100))).toBeGreaterThan(0);
    expect(Math.exp(800) / (1 + Math.exp(800))).toBeNaN(); // the naive form this avoids
  });

  it('sigmoid backward: dx = dy·y(1 − y)', () => {
    // y = 0.5, dy = 1 → 0.25; y = 0.25, dy = 2 → 2·0.25·0.75 = 0.375; saturated y = 1 → 0.
    expect(arr(sigmoidBackward(out(3), row([0.5, 0.25, 1]), row([1, 2, 5])))).toEqual([0.25, 0.375, 0]);
  });

  it('relu and its backward (gradient 0 at 0, NaN propagates forward)', () => {
    expect(arr(relu(out(5), row([-1, 0, 2, -0, NaN])))).toEqual([0, 0, 2, 0, NaN]);
    // Backward from the output: passes dy where y > 0.
    expect(arr(reluBackward(out(3), row([0, 2, 0.5]), row([7, 8, 9])))).toEqual([0, 8, 9]);
  });

  it('tanh and its backward dx = dy·(1 − y²)', () => {
    // tanh(0.5) = 0.46211715726000974; tanh(±1e4) = ±1.
    expect(arr(tanh(out(3), row([0.5, 1e4, -1e4])))).toEqual([f(0.46211715726000974), 1, -1]);
    // y = 0.5 → 1 − 0.25 = 0.75 (×dy = 2 → 1.5); y = ±1 → 0.
    expect(arr(tanhBackward(out(2), row([0.5, -1]), row([2, 3])))).toEqual([1.5, 0]);
  });

  it('softmax rows: exact small case and |logits| up to 1e4', () => {
    // softmax([0, ln 3]) = [1, 3]/4 (ln 3 is stored as float32, 2e-8 above ln 3: the results still round to 1/4, 3/4).
    expect(arr(softmaxRows(out(2), row([0, Math.log(3)])))).toEqual([0.25, 0.75]);
    // Equal logits of 1e4 share equally (naively e^1e4 = ∞ and ∞/∞ = NaN); a 2e4 gap gives [1, 0].
    const y = softmaxRows(zeros([3, 4]), fromArray([[1e4, 1e4, 1e4, 1e4], [1e4, -1e4, 0, -1e4], [-1e4, -1e4, -1e4, -1e4]]));
    expect(y.toArray()).toEqual([[0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25]]);
  });

  it('softmax backward: dx = y ⊙ (dy − Σ dy·y)', () => {
    // y = [0.25, 0.75], dy = [1, 0]: Σ dy·y = 0.25, dx = [0.25·0.75, 0.75·(−0.25)] = [0.1875, −0.1875].
    expect(arr(softmaxRowsBackward(out(2), row([0.25, 0.75]), row([1, 0])))).toEqual([0.1875, -0.1875]);
  });

  it('log-softmax rows by log-sum-exp, stable at 1e3 and 1e4', () => {
    // [0, 0] → [−ln 2, −ln 2]; [1000, 0] → [0 − log(1 + e^−1000), −1000] = [0, −1000];
    // [1e4, 1e4] → [−ln 2, −ln 2] (naively log(∞/∞) = NaN).
    const y = logSoftmaxRows(zeros([3, 2]), fromArray([[0, 0], [1000, 0], [1e4, 1e4]]));
    expect(y.toArray()).toEqual([[f(-Math.LN2), f(-Math.LN2)], [0, -1000], [f(-Math.LN2), f(-Math.LN2)]]);
  });

  it('log-softmax backward: dx = dy − softmax·Σ dy', () => {
    // y = log [0.25, 0.75], dy = [1, 0]: Σ dy = 1, dx = [1 − 0.25, 0 − 0.75] = [0.75, −0.75].
    const dx = logSoftmaxRowsBackward(out(2), row([Math.log(0.25), Math.log(0.75)]), row([1, 0]));
    expect(arr(dx)[0]).toBeCloseTo(0.75, 6);
    expect(arr(dx)[1]).toBeCloseTo(-0.75, 6);
  });

  it('in place: out may be the input', () => {
    const x = fromArray([[0, Math.log(3)], [1e4, -1e4]]);
    expect(softmaxRows(x, x).toArray()).toEqual([[0.25, 0.75], [1, 0]]);
    const z = row([0, 2]);
    expect(arr(sigmoid(z, z))).toEqual([0.5, f(0.8807970779778823)]);
  });

  it('fillRows and addColumnSums (the bias broadcast and its gradient)', () => {
    const y = fillRows(zeros([3, 2]), fromArray([1, -2]));
    expect(y.toArray()).toEqual([[1, -2], [1, -2], [1, -2]]);
    // Column sums of [[1, 2], [3, 4], [5, 6]] = [9, 12], added to [1, 1].
    const acc = fromArray([1, 1]);
    addColumnSums(acc, fromArray([[1, 2], [3, 4], [5, 6]]));
    expect(acc.toArray()).toEqual([10, 13]);
    // Operands may be row slices of a larger buffer (non-zero offset).
    const big = fromArray([[9, 9], [1, 2], [3, 4]]);
    expect(addColumnSums(zeros([2]), big.slice(1, 3)).toArray()).toEqual([4, 6]);
  });

  it('findNonFinite returns the first NaN/±∞ position, or −1', () => {
    expect(findNonFinite(fromArray([[1, 2], [3, 4]]))).toBe(-1);
    expect(findNonFinite(fromArray([[1, 2], [Infinity, NaN]]))).toBe(2);
    expect(findNonFinite(fromArray([[1, NaN], [3, 4]]).slice(1, 2))).toBe(-1);
    expect(findNonFinite(fromArray([-Infinity]))).toBe(0);
  });

  it('shape and layout errors name the op, the operand and both shapes', () => {
    expect(() => sigmoid(zeros([2, 3]), zeros([3, 2]))).toThrow('sigmoid: x has shape [3, 2], expected [2, 3] (the shape of out)');
    expect(() => softmaxRows(zeros([2]), zeros([2]))).toThrow('softmaxRows: x must be a matrix [rows, cols], got shape [2]');
    expect(() => tanh(zeros([2, 3]), zeros([3, 2]).transpose())).toThrow('tanh: x must be a contiguous view');
    expect(() => fillRows(zeros([2, 3]), zeros([2]))).toThrow('fillRows: v must have shape [3] (the row length of out), got [2]');
    expect(() => addColumnSums(zeros([2]), zeros([4, 3]))).toThrow('addColumnSums: out must have shape [3] (the row length of a), got [2]');
  });
});
