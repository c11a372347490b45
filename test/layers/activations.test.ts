import { describe, expect, it } from 'vitest';
import { LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from '../../src/layers/index.js';
import { fromArray, zeros } from '../../src/tensor/tensor.js';

describe('activation layers', () => {
  it('Sigmoid forward/backward through the layer (σ(0) = 0.5, σ′(0) = 0.25)', () => {
    const s = new Sigmoid();
    expect(s.forward(fromArray([[0, 800, -800]])).toArray()).toEqual([[0.5, 1, 0]]);
    expect(s.backward(fromArray([[1, 1, 1]])).toArray()).toEqual([[0.25, 0, 0]]);
  });

  it('ReLU, Tanh, Softmax, LogSoftmax forward/backward', () => {
    const r = new ReLU();
    r.forward(fromArray([[-1, 3]]));
    expect(r.backward(fromArray([[5, 5]])).toArray()).toEqual([[0, 5]]);
    const t = new Tanh();
    t.forward(fromArray([[0]]));
    expect(t.backward(fromArray([[2]])).toArray()).toEqual([[2]]); // tanh′(0) = 1
    const sm = new Softmax();
    expect(sm.forward(fromArray([[0, Math.log(3)]])).toArray()).toEqual([[0.25, 0.75]]);
    const ls = new LogSoftmax();
    expect(ls.forward(fromArray([[1e4, 1e4]])).toArray()).toEqual([[Math.fround(-Math.LN2), Math.fround(-Math.LN2)]]);
    // dx = dy − softmax·Σdy = [1, 0] − [0.5, 0.5]·1.
    expect(ls.backward(fromArray([[1, 0]])).toArray()).toEqual([[0.5, -0.5]]);
  });

  it('any width; buffers are reused per batch size and backward refers to the latest forward', () => {
    const s = new Sigmoid();
    const y3 = s.forward(zeros([3, 5]));
    const y1 = s.forward(fromArray([[0, 0]]));
    expect(y1.shape).toEqual([1, 2]);
    expect(s.backward(fromArray([[4, 8]])).toArray()).toEqual([[1, 2]]);
    const again = s.forward(zeros([1, 2]));
    expect(again).toBe(y1);
    expect(y3.shape).toEqual([3, 5]);
  });

  it('bad input: names the layer and the shapes', () => {
    const s = new Sigmoid({ name: 'act' });
    expect(() => s.backward(zeros([1, 2]))).toThrow('act: backward called before forward');
    // Element-wise activations take any shape with a batch axis (N-D layers); rank 0 has none.
    expect(() => s.forward(zeros([]))).toThrow('act: expected input of shape [batch, …] (any shape) (rank ≥ 1), got [] (rank 0)');
    expect(() => s.forward(zeros([0, 3]))).toThrow('act: input has an empty batch (shape [0, 3])');
    const x = zeros([2, 2]);
    x.set(1, 0, Infinity);
    expect(() => s.forward(x)).toThrow('act: input must be finite, got Infinity at [1, 0]');
    s.forward(zeros([2, 3]));
    expect(() => s.backward(zeros([3, 2]))).toThrow('act: gradOutput has shape [3, 2], expected [2, 3]');
    expect(() => new ReLU({ name: '' })).toThrow('relu: name must be a non-empty string');
  });
});
