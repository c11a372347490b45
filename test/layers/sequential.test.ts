import { describe, expect, it } from 'vitest';
import {
  ActivationRecorder,
  Linear,
  ReLU,
  Sequential,
  Sigmoid,
  Tanh,
  hiddenActivationLayers,
  mlp,
  type Layer,
} from '../../src/layers/index.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor, zeros } from '../../src/tensor/tensor.js';

function input(rng: Rng, batch: number, features: number): Tensor {
  const x = zeros([batch, features]);
  rng.fillUniform(x.data, 0, 1);
  return x;
}

describe('Sequential and mlp', () => {
  it('mlp([784, 256, 10]) is Linear → Sigmoid → Linear with PyTorch-style parameter names', () => {
    const net = mlp([784, 256, 10], { rng: new Rng(1) });
    expect(net.layers.map((l) => l.name)).toEqual(['linear0', 'sigmoid0', 'linear1']);
    expect(net.layers.map((l) => l.constructor.name)).toEqual(['Linear', 'Sigmoid', 'Linear']);
    expect(net.parameters().map((p) => `${p.name} ${p.shape.join('x')}`)).toEqual([
      'linear0.weight 256x784',
      'linear0.bias 256',
      'linear1.weight 10x256',
      'linear1.bias 10',
    ]);
    expect(hiddenActivationLayers(net)).toEqual([net.layers[1]]);
  });

  it('three hidden layers, relu/tanh, no bias', () => {
    const net = mlp([8, 6, 6, 6, 3], { rng: new Rng(1), activation: 'relu', bias: false });
    expect(net.layers.map((l) => l.name)).toEqual(['linear0', 'relu0', 'linear1', 'relu1', 'linear2', 'relu2', 'linear3']);
    expect(net.parameters().length).toBe(4);
    expect(hiddenActivationLayers(net).map((l) => l.name)).toEqual(['relu0', 'relu1', 'relu2']);
    expect(hiddenActivationLayers(mlp([4, 3, 2], { rng: new Rng(1), activation: 'tanh' }))[0]).toBeInstanceOf(Tanh);
  });

  it('the same seed gives the same net; layers draw in order (linear0 first)', () => {
    const a = mlp([5, 4, 3], { rng: new Rng(7) });
    const b = mlp([5, 4, 3], { rng: new Rng(7) });
    expect(b.parameters().map((p) => Array.from(p.data))).toEqual(a.parameters().map((p) => Array.from(p.data)));
    const first = new Linear(5, 4, { rng: new Rng(7) });
    expect(Array.from(a.parameters()[0].data)).toEqual(Array.from(first.weight.data));
  });

  it('forward composes the layers; backward is the chain rule in reverse', () => {
    const rng = new Rng(3);
    const net = mlp([6, 5, 4], { rng });
    const x = input(rng, 3, 6);
    const [l0, s0, l1] = net.layers;
    const manual = l1.forward(s0.forward(l0.forward(x))).clone();
    const y = net.forward(x);
    expect(Array.from(y.data)).toEqual(Array.from(manual.data));
    const dy = input(rng, 3, 4);
    net.zeroGrad();
    const dx = net.backward(dy).clone();
    const grads = net.parameters().map((p) => p.grad.slice());
    net.zeroGrad();
    l0.forward(x); s0.forward(l0.forward(x)); l1.forward(s0.forward(l0.forward(x)));
    const dxManual = l0.backward(s0.backward(l1.backward(dy)));
    expect(Array.from(dx.data)).toEqual(Array.from(dxManual.data));
    expect(net.parameters().map((p) => Array.from(p.grad))).toEqual(grads.map((g) => Array.from(g)));
    // backwardParams gives the same parameter gradients.
    net.zeroGrad();
    net.forward(x);
    net.backwardParams(dy);
    expect(net.parameters().map((p) => Array.from(p.grad))).toEqual(grads.map((g) => Array.from(g)));
  });

  it('batch size may change between calls (1, 50, a short last batch) without mixing results', () => {
    const rng = new Rng(4);
    const net = mlp([20, 16, 10], { rng });
    const x = input(rng, 50, 20);
    const all = net.forward(x).clone();
    const one = net.forward(x.slice(7, 8)).clone();
    const last = net.forward(x.slice(40, 50)).clone();
    // Row results agree with the full batch to float32 rounding (a kernel may sum in another order for 1 row).
    for (let j = 0; j < 10; j++) expect(one.get(0, j)).toBeCloseTo(all.get(7, j), 6);
    for (let j = 0; j < 10; j++) expect(last.get(9, j)).toBeCloseTo(all.get(49, j), 6);
    expect(Array.from(net.forward(x).data)).toEqual(Array.from(all.data));
  });

  it('names: explicit names are kept, the rest are numbered per kind, duplicates are errors', () => {
    const rng = new Rng(0);
    const net = new Sequential([new Linear(3, 3, { rng, name: 'linear0' }), new Sigmoid({ name: 'hidden' }), new Linear(3, 2, { rng }), new ReLU()]);
    expect(net.layers.map((l) => l.name)).toEqual(['linear0', 'hidden', 'linear1', 'relu0']);
    expect(net.parameters()[2].name).toBe('linear1.weight');
    expect(() => new Sequential([new Sigmoid({ name: 'a' }), new ReLU({ name: 'a' })])).toThrow("sequential: two layers are named 'a'");
    expect(() => new Sequential([])).toThrow('sequential: needs at least one layer, got an empty list');
  });

  it('mis-wired Linear widths are an error at construction', () => {
    const rng = new Rng(0);
    expect(() => new Sequential([new Linear(4, 3, { rng }), new Sigmoid(), new Linear(5, 2, { rng })])).toThrow(
      'sequential: linear1 expects 5 input features but linear0 produces 3',
    );
  });

  it('one instance twice is an error (it would share buffers between positions)', () => {
    const s = new Sigmoid();
    const rng = new Rng(0);
    expect(() => new Sequential([s, new Linear(2, 2, { rng }), s])).toThrow("sequential: layer 'sigmoid' appears twice");
  });

  it('a nested Sequential is a layer; parameter names must stay unique', () => {
    const rng = new Rng(5);
    expect(() => new Sequential([mlp([4, 3, 3], { rng }), new Linear(3, 2, { rng })])).toThrow(
      "sequential: two parameters are named 'linear0.weight'; give the layers of nested nets explicit names",
    );
    const inner = mlp([4, 3, 3], { rng });
    const net = new Sequential([inner, new Sigmoid(), new Linear(3, 2, { rng, name: 'head' })]);
    expect(net.layers.map((l) => l.name)).toEqual(['sequential0', 'sigmoid0', 'head']);
    expect(net.parameters().length).toBe(6);
    const x = input(rng, 2, 4);
    expect(net.forward(x).shape).toEqual([2, 2]);
    expect(net.backward(zeros([2, 2])).shape).toEqual([2, 4]);
  });

  describe('bad input', () => {
    const net = () => mlp([4, 3, 2], { rng: new Rng(0) });
    it('wrong input width names the first layer, expected and actual shape (before any value check)', () => {
      const x = zeros([2, 5]);
      x.set(0, 0, NaN);
      expect(() => net().forward(x)).toThrow('linear0: expected input of shape [batch, 4], got [2, 5]');
    });
    it('NaN or Inf in the input: names the net, the first layer, the position and the value; nothing runs', () => {
      const n = net();
      const ok = n.forward(zeros([2, 4]));
      const before = Array.from(ok.data);
      let hookCalls = 0;
      n.layers[0].registerForwardHook(() => hookCalls++);
      const x = zeros([2, 4]);
      x.data.fill(0.5);
      x.set(1, 2, NaN);
      expect(() => n.forward(x)).toThrow('sequential (input to linear0): input must be finite, got NaN at [1, 2]');
      x.set(1, 2, Infinity);
      expect(() => n.forward(x)).toThrow('sequential (input to linear0): input must be finite, got Infinity at [1, 2]');
      expect(hookCalls).toBe(0);
      expect(Array.from(ok.data)).toEqual(before);
    });
    it('internal NaN (e.g. diverged weights) propagates instead of throwing, as in PyTorch', () => {
      const n = net();
      (n.layers[0] as Linear).weight.data[0] = NaN;
      const x = zeros([1, 4]);
      x.data.fill(1);
      expect(Number.isNaN(n.forward(x).data[0])).toBe(true);
    });
    it('rank and wrong gradient shape', () => {
      const n = net();
      // The net's input shape is the first layer's to check (Sequential takes any rank: conv nets are 4-D).
      expect(() => n.forward(zeros([4]))).toThrow('linear0: expected input of shape [batch, 4], got [4]');
      expect(() => n.forward(zeros([]))).toThrow('sequential: expected input of shape [batch, …] (what the first layer takes) (rank ≥ 1), got []');
      n.forward(zeros([2, 4]));
      expect(() => n.backward(zeros([2, 3]))).toThrow('linear1: gradOutput has shape [2, 3], expected [2, 2]');
    });
    it('mlp arguments', () => {
      expect(() => mlp([784], { rng: new Rng(0) })).toThrow('mlp: widths must list at least the input and output widths, got [784]');
      expect(() => mlp([784, 0, 10], { rng: new Rng(0) })).toThrow('mlp: widths[1] must be a positive integer, got 0');
      expect(() => mlp([4, 2], { rng: new Rng(0), activation: 'gelu' as any })).toThrow(`mlp: activation must be 'sigmoid', 'relu' or 'tanh', got "gelu"`);
    });
  });

  describe('forward hooks (activation taps)', () => {
    it('see the layer and its own output buffer on every forward, until removed', () => {
      const rng = new Rng(6);
      const net = mlp([4, 3, 2], { rng });
      const seen: Array<[Tensor, Layer]> = [];
      const h = net.layers[1].registerForwardHook((out, layer) => seen.push([out, layer]));
      const x = input(rng, 5, 4);
      net.forward(x);
      net.forward(x);
      expect(seen.length).toBe(2);
      expect(seen[0][1]).toBe(net.layers[1]);
      expect(seen[0][0]).toBe(seen[1][0]); // the reused buffer, not a copy
      expect(seen[0][0]).toBe(net.layers[1].forward(net.layers[0].forward(x))); // a direct forward fires it too
      expect(seen.length).toBe(3);
      h.remove();
      h.remove(); // idempotent
      net.forward(x);
      expect(seen.length).toBe(3);
    });

    it('one function registered twice fires twice; removing one handle keeps the other; removal during a hook is safe', () => {
      const s = new Sigmoid();
      const calls: string[] = [];
      const f = () => calls.push('f');
      const h1 = s.registerForwardHook(f);
      s.registerForwardHook(f);
      const h3 = s.registerForwardHook(() => {
        calls.push('g');
        h1.remove();
      });
      s.registerForwardHook(() => calls.push('last'));
      s.forward(zeros([1, 1]));
      expect(calls).toEqual(['f', 'f', 'g', 'last']);
      calls.length = 0;
      h3.remove();
      s.forward(zeros([1, 1]));
      expect(calls).toEqual(['f', 'last']);
    });

    it('a hook on the Sequential itself sees the final output', () => {
      const net = mlp([3, 2], { rng: new Rng(0) });
      let out: Tensor | null = null;
      net.registerForwardHook((o) => (out = o));
      const y = net.forward(zeros([1, 3]));
      expect(out).toBe(y);
    });

    it('ActivationRecorder copies consecutive batches into one matrix', () => {
      const rng = new Rng(8);
      const net = mlp([4, 3, 2], { rng });
      const [hidden] = hiddenActivationLayers(net);
      const rec = new ActivationRecorder(hidden, 7);
      const x = input(rng, 7, 4);
      const expected = net.layers[1].forward(net.layers[0].forward(x)).clone();
      rec.reset(); // the direct forward above was recorded too; start over
      net.forward(x.slice(0, 4));
      net.forward(x.slice(4, 7));
      expect(rec.rowsFilled).toBe(7);
      const m = rec.matrix;
      for (let i = 0; i < 7; i++) for (let j = 0; j < 3; j++) expect(m.get(i, j)).toBeCloseTo(expected.get(i, j), 6);
      expect(() => net.forward(x.slice(0, 1))).toThrow('ActivationRecorder(sigmoid0): 7 of 7 rows are filled, a batch of 1 does not fit');
      rec.reset();
      rec.remove();
      net.forward(x);
      expect(rec.rowsFilled).toBe(0);
      expect(() => new ActivationRecorder(hidden, 0)).toThrow('ActivationRecorder(sigmoid0): rows must be a positive integer, got 0');
    });
  });
});
