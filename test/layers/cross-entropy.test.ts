import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss } from '../../src/layers/index.js';
import { fromArray, zeros } from '../../src/tensor/tensor.js';
import { loadCase } from './fixtures.js';

describe('CrossEntropyLoss', () => {
  it('hand-derived: logits [0, 0], label 0 → ln 2, gradient softmax − onehot = [−½, ½]', () => {
    const ce = new CrossEntropyLoss();
    expect(ce.forward(fromArray([[0, 0]]), [0])).toBeCloseTo(Math.LN2, 15);
    expect(ce.backward().toArray()).toEqual([[-0.5, 0.5]]);
  });

  it("hand-derived batch of two, reductions 'mean' and 'sum'", () => {
    // Row 0: [0, 0], label 0: ℓ = ln 2, softmax [½, ½].
    // Row 1: [0, t] with t = fround(ln 3), label 1: ℓ = ln(1 + eᵗ) − t ≈ ln(4/3), softmax ≈ [¼, ¾].
    const t = Math.fround(Math.log(3));
    const logits = fromArray([[0, 0], [0, t]]);
    const l1 = Math.log(1 + Math.exp(t)) - t;
    const mean = new CrossEntropyLoss();
    expect(mean.forward(logits, [0, 1])).toBeCloseTo((Math.LN2 + l1) / 2, 14);
    // 'mean' divides the gradient by the batch size 2: [[(½ − 1)/2, ½/2], [¼/2, (¾ − 1)/2]].
    expect(mean.backward().toArray()).toEqual([[-0.25, 0.25], [0.125, -0.125]]);
    const sum = new CrossEntropyLoss({ reduction: 'sum' });
    expect(sum.forward(logits, [0, 1])).toBeCloseTo(Math.LN2 + l1, 14);
    expect(sum.backward().toArray()).toEqual([[-0.5, 0.5], [0.25, -0.25]]);
  });

  it('stable for logits of ±1e4 (a naive softmax overflows to ∞/∞)', () => {
    // lse([1e4, −1e4]) = 1e4 + log(1 + e^−2e4) = 1e4. Label 1: ℓ = 1e4 − (−1e4) = 2e4, gradient [1, −1].
    const ce = new CrossEntropyLoss();
    expect(ce.forward(fromArray([[1e4, -1e4]]), [1])).toBe(2e4);
    expect(ce.backward().toArray()).toEqual([[1, -1]]);
    // Label 0: ℓ = 0 and the gradient vanishes.
    expect(ce.forward(fromArray([[1e4, -1e4]]), [0])).toBe(0);
    expect(ce.backward().toArray()).toEqual([[0, 0]]);
    // Ten equal logits of 1e4: ℓ = (1e4 + ln 10) − 1e4 = ln 10, up to the float64 rounding of 1e4 + ln 10 (ulp 1.8e-12).
    expect(ce.forward(fromArray([new Array(10).fill(1e4)]), [3])).toBeCloseTo(Math.log(10), 10);
  });

  it('equal logits give exactly log C at any magnitude (1e15, 1e30, −1e30, 3e38): no cancellation against the row maximum', () => {
    // (m + log Σ) − z_y at m = 1e15 rounds m + log 3 to a multiple of 0.125 and returned 1.125; the shifted
    // form log Σ e^(z − m) − (z_y − m) is log 3 + 0, the same float64 value as Math.log(3).
    const ce = new CrossEntropyLoss();
    for (const v of [0, 1, 1e4, 1e15, 1e30, -1e30, 3e38]) {
      expect(ce.forward(fromArray([[v, v, v]]), [1]), `three logits of ${v}`).toBe(Math.log(3));
      const third = Math.fround(1 / 3);
      expect(ce.backward().toArray()).toEqual([[third, Math.fround(-2 / 3), third]]);
      expect(ce.forward(fromArray([new Array(10).fill(v)]), [9]), `ten logits of ${v}`).toBe(Math.log(10));
    }
  });

  it('unequal logits at 1e15 and 1e30: loss from the exact differences', () => {
    const ce = new CrossEntropyLoss({ reduction: 'sum' });
    // Row [b, b, b − u] with b = fround(1e15) and u = 2^26 its float32 ulp: label 0 gives log(2 + e^−u) = log 2,
    // label 2 gives log(2 + e^−u) + u = u + log 2 (the old (m + log Σ) − z_y rounded m + log 2 to a multiple of 0.125).
    const b = Math.fround(1e15), u = 2 ** 26;
    expect(Math.fround(b - u)).toBe(b - u);
    expect(ce.forward(fromArray([[b, b, b - u]]), [0])).toBe(Math.LN2);
    expect(ce.forward(fromArray([[b, b, b - u]]), [2])).toBe(Math.LN2 + u);
    // [1e30, 0, −1e30], label 1: ℓ = 0 − (0 − 1e30) = fround(1e30) exactly (the other terms are e^−1e30 = 0).
    expect(ce.forward(fromArray([[1e30, 0, -1e30]]), [1])).toBe(Math.fround(1e30));
    expect(ce.backward().toArray()).toEqual([[1, -1, 0]]);
  });

  it('matches PyTorch 1.13 on logits up to ±1e4 (fixture cross_entropy_1e4, tools/reference/foundation.py)', () => {
    const c = loadCase('cross_entropy_1e4');
    const ce = new CrossEntropyLoss({ reduction: c.reduction });
    const logits = fromArray(Array.from({ length: c.batch }, (_, i) => c.input.slice(i * c.features, (i + 1) * c.features)));
    // Loss: PyTorch's is a float32 mean of float32 terms (≤ 3 roundings of ≤ 6e-8 relative each); ours is float64.
    const loss = ce.forward(logits, c.labels!);
    expect(Math.abs(loss - c.loss!) / Math.abs(c.loss!)).toBeLessThanOrEqual(2e-7);
    // Gradient: both round softmax − onehot to float32 after scaling; PyTorch's exp/log in float32 adds a few
    // ulps relative to the gradient's magnitude, bounded here by 1e-6·max|g| + 1e-7 absolute per element.
    const g = ce.backward().data;
    const ref = c.inputGrad;
    const big = Math.max(...ref.map(Math.abs));
    for (let i = 0; i < ref.length; i++) expect(Math.abs(g[i] - ref[i]), `grad[${i}] ${g[i]} vs ${ref[i]}`).toBeLessThanOrEqual(1e-6 * big + 1e-7);
  });

  it('accepts labels as number[], Int32Array or Uint8Array; NaN logits give a NaN loss (as PyTorch)', () => {
    const ce = new CrossEntropyLoss();
    const logits = fromArray([[1, 2, 3], [3, 2, 1]]);
    const a = ce.forward(logits, [2, 0]);
    expect(ce.forward(logits, Int32Array.of(2, 0))).toBe(a);
    expect(ce.forward(logits, Uint8Array.of(2, 0))).toBe(a);
    expect(ce.forward(fromArray([[NaN, 0]]), [0])).toBeNaN();
  });

  it('reuses its gradient buffer per batch size', () => {
    const ce = new CrossEntropyLoss();
    ce.forward(zeros([4, 3]), [0, 1, 2, 0]);
    const g4 = ce.backward();
    ce.forward(zeros([2, 3]), [0, 1]);
    expect(ce.backward().shape).toEqual([2, 3]);
    ce.forward(zeros([4, 3]), [2, 2, 2, 2]);
    expect(ce.backward()).toBe(g4);
  });

  describe('bad input: the error names the loss, what was expected and what came', () => {
    const logits = () => fromArray([[0.5, 1, 2], [0, 0, 0]]);
    it('label count differs from the batch size', () => {
      expect(() => new CrossEntropyLoss().forward(logits(), [0])).toThrow('CrossEntropyLoss: expected 2 labels (one per row of logits [2, 3]), got 1');
      expect(() => new CrossEntropyLoss().forward(logits(), [0, 1, 2])).toThrow('expected 2 labels (one per row of logits [2, 3]), got 3');
    });
    it('labels out of range', () => {
      expect(() => new CrossEntropyLoss().forward(logits(), [0, 3])).toThrow('CrossEntropyLoss: label 1 must be an integer class index in [0, 2], got 3');
      expect(() => new CrossEntropyLoss().forward(logits(), [-1, 0])).toThrow('label 0 must be an integer class index in [0, 2], got -1');
    });
    it('labels that are not integers', () => {
      expect(() => new CrossEntropyLoss().forward(logits(), [0, 1.5])).toThrow('label 1 must be an integer class index in [0, 2], got 1.5');
      expect(() => new CrossEntropyLoss().forward(logits(), [NaN, 1])).toThrow('label 0 must be an integer class index in [0, 2], got NaN');
      expect(() => new CrossEntropyLoss().forward(logits(), ['1', 0] as any)).toThrow('label 0 must be an integer class index in [0, 2], got "1"');
      expect(() => new CrossEntropyLoss().forward(logits(), 1 as any)).toThrow('CrossEntropyLoss: labels must be an array of 2 integers, got number');
    });
    it('logits of the wrong rank', () => {
      expect(() => new CrossEntropyLoss().forward(zeros([3]), [0, 1, 2])).toThrow('CrossEntropyLoss: expected logits of shape [batch, features], got [3]');
    });
    it('a failed forward leaves the previous gradient untouched (nothing half-written)', () => {
      const ce = new CrossEntropyLoss();
      ce.forward(logits(), [2, 0]);
      const before = ce.backward().toArray();
      expect(() => ce.forward(fromArray([[9, 9, 9], [1, 1, 1]]), [2, 7])).toThrow('label 1');
      expect(ce.backward().toArray()).toEqual(before);
    });
    it('backward before forward; an unknown reduction', () => {
      expect(() => new CrossEntropyLoss().backward()).toThrow('CrossEntropyLoss: backward called before forward');
      expect(() => new CrossEntropyLoss({ reduction: 'none' as any })).toThrow(`CrossEntropyLoss: reduction must be 'mean' or 'sum', got "none"`);
    });
  });
});
