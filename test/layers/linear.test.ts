import { describe, expect, it } from 'vitest';
import { Linear } from '../../src/layers/index.js';
import { Rng } from '../../src/tensor/random.js';
import { fromArray, zeros } from '../../src/tensor/tensor.js';

describe('Linear', () => {
  it('hand-derived forward and backward (2 → 1)', () => {
    // W = [[1, 2]], b = [0.5], x = [[3, 4]]: y = 1·3 + 2·4 + 0.5 = 11.5.
    // With dy = [[1]]: dX = dy·W = [[1, 2]]; dW = dyᵀ·x = [[3, 4]]; db = Σ dy = [1].
    const lin = new Linear(2, 1, { rng: new Rng(0) });
    lin.weight.assign([1, 2]);
    lin.bias!.assign([0.5]);
    const y = lin.forward(fromArray([[3, 4]]));
    expect(y.toArray()).toEqual([[11.5]]);
    const dx = lin.backward(fromArray([[1]]));
    expect(dx.toArray()).toEqual([[1, 2]]);
    expect(Array.from(lin.weight.grad)).toEqual([3, 4]);
    expect(Array.from(lin.bias!.grad)).toEqual([1]);
  });

  it('hand-derived batch of two (3 → 2): PyTorch layout W [out, in]', () => {
    // W = [[1, 0, -1], [2, 1, 0]], b = [0, 1]; X = [[1, 2, 3], [0, -1, 1]].
    // Y = X·Wᵀ + b = [[1-3, 2+2+1], [0-1, 0-1+1]] = [[-2, 5], [-1, 0]].
    // dY = [[1, 0], [0, 2]]: dX = dY·W = [[1, 0, -1], [4, 2, 0]];
    // dW = dYᵀ·X = [[1, 2, 3], [0, -2, 2]]; db = column sums of dY = [1, 2].
    const lin = new Linear(3, 2, { rng: new Rng(0) });
    lin.weight.assign([1, 0, -1, 2, 1, 0]);
    lin.bias!.assign([0, 1]);
    expect(lin.forward(fromArray([[1, 2, 3], [0, -1, 1]])).toArray()).toEqual([[-2, 5], [-1, 0]]);
    expect(lin.backward(fromArray([[1, 0], [0, 2]])).toArray()).toEqual([[1, 0, -1], [4, 2, 0]]);
    expect(Array.from(lin.weight.grad)).toEqual([1, 2, 3, 0, -2, 2]);
    expect(Array.from(lin.bias!.grad)).toEqual([1, 2]);
  });

  it('gradients accumulate across backward calls until zeroGrad', () => {
    const lin = new Linear(3, 2, { rng: new Rng(1) });
    const x = fromArray([[1, 2, 3], [0, -1, 1]]);
    const dy = fromArray([[1, 0], [0, 2]]);
    lin.forward(x);
    lin.backward(dy);
    const w1 = lin.weight.grad.slice(), b1 = lin.bias!.grad.slice();
    lin.forward(x);
    lin.backward(dy);
    // Small integers: 2·g is exact.
    expect(Array.from(lin.weight.grad)).toEqual(Array.from(w1, (v) => 2 * v));
    expect(Array.from(lin.bias!.grad)).toEqual(Array.from(b1, (v) => 2 * v));
    lin.zeroGrad();
    expect(lin.weight.grad.every((v) => v === 0) && lin.bias!.grad.every((v) => v === 0)).toBe(true);
  });

  it('backwardParams adds exactly what backward adds, and computes no input gradient', () => {
    const rng = new Rng(2);
    const a = new Linear(5, 4, { rng: new Rng(9) });
    const b = new Linear(5, 4, { rng: new Rng(9) });
    const x = zeros([3, 5]);
    rng.fillUniform(x.data, -1, 1);
    const dy = zeros([3, 4]);
    rng.fillUniform(dy.data, -1, 1);
    a.forward(x);
    a.backward(dy);
    b.forward(x);
    b.backwardParams(dy);
    expect(Array.from(b.weight.grad)).toEqual(Array.from(a.weight.grad));
    expect(Array.from(b.bias!.grad)).toEqual(Array.from(a.bias!.grad));
  });

  it('without bias: only the weight is a parameter, and Y = X·Wᵀ', () => {
    const lin = new Linear(2, 2, { rng: new Rng(0), bias: false });
    expect(lin.bias).toBeNull();
    expect(lin.parameters().map((p) => p.name)).toEqual(['linear.weight']);
    lin.weight.assign([1, 2, 3, 4]);
    // [[1, 1]]·[[1, 2], [3, 4]]ᵀ = [[3, 7]].
    expect(lin.forward(fromArray([[1, 1]])).toArray()).toEqual([[3, 7]]);
  });

  it('reuses one output buffer per batch size, accepts a batch that is a row slice of a larger tensor', () => {
    const lin = new Linear(2, 1, { rng: new Rng(0) });
    lin.weight.assign([1, 1]);
    lin.bias!.assign([0]);
    const data = fromArray([[1, 2], [3, 4], [5, 6]]);
    const y2 = lin.forward(data.slice(1, 3));
    expect(y2.toArray()).toEqual([[7], [11]]);
    const y1 = lin.forward(data.slice(0, 1));
    expect(y1.toArray()).toEqual([[3]]);
    expect(lin.forward(data.slice(0, 2))).toBe(y2);
    expect(y2.data.length).toBe(2); // exactly [2, 1]: no stale rows of other batch sizes
  });

  describe('default initialisation (torch.nn.Linear: W and b uniform on (−1/√in, 1/√in))', () => {
    it('bounds and uniform statistics of 784 × 256 weights', () => {
      const lin = new Linear(784, 256, { rng: new Rng(1) });
      const bound = 1 / Math.sqrt(784); // = 1/28
      const w = lin.weight.data;
      let min = Infinity, max = -Infinity, sum = 0, sq = 0;
      const bins = new Array(10).fill(0);
      for (const v of w) {
        min = Math.min(min, v);
        max = Math.max(max, v);
        sum += v;
        sq += v * v;
        bins[Math.min(9, Math.floor(((v + bound) / (2 * bound)) * 10))]++;
      }
      const n = w.length;
      expect(min).toBeGreaterThanOrEqual(-bound);
      expect(max).toBeLessThanOrEqual(bound);
      // The extremes come within 0.01% of the bound (n = 200,704 draws: the gap has mean 2b/n).
      expect(min).toBeLessThan(-bound * 0.9999);
      expect(max).toBeGreaterThan(bound * 0.9999);
      // Uniform(−b, b): mean 0 with standard error b/√(3n) = 4.6e-5; variance b²/3 with relative s.e. √(4/5n) ≈ 0.2%.
      expect(Math.abs(sum / n)).toBeLessThan(4 * bound / Math.sqrt(3 * n));
      expect(Math.abs(sq / n / (bound * bound / 3) - 1)).toBeLessThan(0.01);
      // Ten equal bins: χ² with 9 degrees of freedom; 27.9 is its 0.999 quantile.
      const e = n / 10;
      const chi2 = bins.reduce((s, o) => s + (o - e) ** 2 / e, 0);
      expect(chi2).toBeLessThan(27.9);
      // The bias uses the same bound.
      for (const v of lin.bias!.data) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
      expect(Math.max(...Array.from(lin.bias!.data, Math.abs))).toBeGreaterThan(0.9 * bound);
    });

    it('the same seed gives the same weights; another seed different ones', () => {
      const a = new Linear(30, 20, { rng: new Rng(42) });
      const b = new Linear(30, 20, { rng: new Rng(42) });
      const c = new Linear(30, 20, { rng: new Rng(43) });
      expect(Array.from(b.weight.data)).toEqual(Array.from(a.weight.data));
      expect(Array.from(b.bias!.data)).toEqual(Array.from(a.bias!.data));
      expect(Array.from(c.weight.data)).not.toEqual(Array.from(a.weight.data));
    });

    it('draws the weights first (row-major), then the bias, from the given Rng', () => {
      const lin = new Linear(4, 3, { rng: new Rng('order') });
      const rng = new Rng('order');
      const b = 1 / Math.sqrt(4);
      const expected = rng.fillUniform(new Float32Array(12 + 3), -b, b);
      expect(Array.from(lin.weight.data)).toEqual(Array.from(expected.subarray(0, 12)));
      expect(Array.from(lin.bias!.data)).toEqual(Array.from(expected.subarray(12)));
    });
  });

  describe('bad input', () => {
    const lin = () => new Linear(4, 3, { rng: new Rng(0), name: 'fc' });
    it('wrong input width names the layer, the expected and the actual shape', () => {
      expect(() => lin().forward(zeros([2, 5]))).toThrow('fc: expected input of shape [batch, 4], got [2, 5]');
    });
    it('wrong rank, empty batch, non-contiguous input', () => {
      expect(() => lin().forward(zeros([4]))).toThrow('fc: expected input of shape [batch, 4], got [4]');
      expect(() => lin().forward(zeros([0, 4]))).toThrow('fc: input has an empty batch (shape [0, 4])');
      expect(() => lin().forward(zeros([4, 2]).transpose())).toThrow('fc: input must be contiguous');
    });
    it('NaN or ±Inf in the input names the layer, the position and the value', () => {
      const x = zeros([3, 4]);
      x.set(2, 1, NaN);
      expect(() => lin().forward(x)).toThrow('fc: input must be finite, got NaN at [2, 1]');
      x.set(2, 1, 0);
      x.set(0, 3, -Infinity);
      expect(() => lin().forward(x)).toThrow('fc: input must be finite, got -Infinity at [0, 3]');
    });
    it('backward before forward, and a gradient of the wrong shape', () => {
      const l = lin();
      expect(() => l.backward(zeros([2, 3]))).toThrow('fc: backward called before forward');
      l.forward(zeros([2, 4]));
      expect(() => l.backward(zeros([2, 4]))).toThrow('fc: gradOutput has shape [2, 4], expected [2, 3]');
      expect(() => l.backward(zeros([3, 3]))).toThrow('fc: gradOutput has shape [3, 3], expected [2, 3]');
      expect(l.weight.grad.every((v) => v === 0)).toBe(true); // nothing was accumulated by the failed calls
    });
    it('constructor arguments', () => {
      expect(() => new Linear(0, 3, { rng: new Rng(0) })).toThrow('Linear: inFeatures must be a positive integer, got 0');
      expect(() => new Linear(3, 2.5, { rng: new Rng(0) })).toThrow('Linear: outFeatures must be a positive integer, got 2.5');
      expect(() => new Linear(3, 2, {} as any)).toThrow('Linear: options.rng (an Rng) is required');
    });
    it('Parameter.assign checks the length and finiteness before writing anything', () => {
      const l = lin();
      const before = l.weight.data.slice();
      expect(() => l.weight.assign([1, 2])).toThrow('Parameter fc.weight: expected 12 values for shape [3, 4], got 2');
      expect(() => l.weight.assign([...new Array(11).fill(1), NaN])).toThrow('Parameter fc.weight: value 11 must be a finite number, got NaN');
      expect(Array.from(l.weight.data)).toEqual(Array.from(before));
    });
  });
});
