import { describe, expect, it } from 'vitest';
import {
  ActivationRecorder,
  Conv2d,
  CrossEntropyLoss,
  Dropout,
  Flatten,
  Linear,
  MaxPool2d,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  cnn,
  hiddenActivationLayers,
  mlp,
} from '../../src/layers/index.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor, zeros } from '../../src/tensor/tensor.js';

/** N-D layer behaviour: shapes, bad input, modes, containers, disposal (values are checked in conv-pytorch.test.ts). */

function rand(shape: number[], seed = 1): Tensor {
  const t = zeros(shape);
  new Rng(seed).fillUniform(t.data, -1, 1);
  return t;
}

describe('output shapes', () => {
  const rng = new Rng(0);
  it('Conv2d follows ⌊(H + 2p − k)/s⌋ + 1 per axis', () => {
    expect(new Conv2d(3, 8, 3, { rng }).outputShape([2, 3, 7, 7])).toEqual([2, 8, 5, 5]);
    expect(new Conv2d(3, 8, [3, 2], { rng, stride: [2, 1], padding: [1, 0] }).outputShape([2, 3, 8, 6])).toEqual([2, 8, 4, 5]);
    expect(new Conv2d(1, 1, 3, { rng, stride: 3, padding: 1 }).outputShape([1, 1, 10, 11])).toEqual([1, 1, 4, 4]);
  });
  it('MaxPool2d: stride defaults to the kernel, floor mode', () => {
    expect(new MaxPool2d(2).outputShape([1, 4, 7, 7])).toEqual([1, 4, 3, 3]);
    expect(new MaxPool2d(3, { stride: 2 }).outputShape([1, 4, 9, 9])).toEqual([1, 4, 4, 4]);
    expect(new MaxPool2d(2).stride).toEqual([2, 2]);
  });
  it('Flatten, Linear, activations; Sequential chains them', () => {
    expect(new Flatten().outputShape([5, 64, 7, 7])).toEqual([5, 3136]);
    const net = cnn({ rng });
    expect(net.outputShape([50, 1, 28, 28])).toEqual([50, 10]);
    expect(net.layers.map((l) => l.name)).toEqual(['conv0', 'relu0', 'maxpool0', 'conv1', 'relu1', 'maxpool1', 'flatten0', 'linear0', 'sigmoid0', 'linear1']);
    expect((net.layers[7] as Linear).inFeatures).toBe(3136);
    expect(() => net.outputShape([50, 1, 32, 28])).toThrow(/linear0: expected input of shape \[batch, 3136\], got \[50, 3584\]/);
    const forward = net.forward(rand([3, 1, 28, 28]));
    expect(forward.shape).toEqual([3, 10]);
  });
});

describe('bad input names the layer and the expected and actual shape', () => {
  const rng = new Rng(0);
  const conv = new Conv2d(3, 4, 3, { rng, padding: 1, name: 'c' });
  it('wrong rank', () => {
    expect(() => conv.forward(rand([2, 3, 5]))).toThrow(/c: expected input of shape \[batch, 3, height, width\] \(rank 4\), got \[2, 3, 5\] \(rank 3\)/);
    expect(() => new MaxPool2d(2, { name: 'p' }).forward(rand([4, 9]))).toThrow(/p: expected input of shape \[batch, channels, height, width\] \(rank 4\), got \[4, 9\]/);
    expect(() => new Flatten({ name: 'f' }).forward(rand([4]))).toThrow(/f: expected input of shape \[batch, …\] with rank ≥ 2 \(start_dim 1\), got \[4\]/);
  });
  it('channel mismatch', () => {
    expect(() => conv.forward(rand([2, 1, 5, 5]))).toThrow(/c: expected input of shape \[batch, 3, height, width\] \(3 channels\), got \[2, 1, 5, 5\] \(1 channels\)/);
  });
  it('kernel larger than the padded input', () => {
    const big = new Conv2d(1, 1, 5, { rng, padding: 1, name: 'big' });
    expect(() => big.forward(rand([1, 1, 2, 2]))).toThrow(/big: kernel 5×5 is larger than the padded input 4×4 \(input \[1, 1, 2, 2\], padding 1×1\)/);
    expect(() => new MaxPool2d(3, { name: 'mp' }).forward(rand([1, 1, 2, 5]))).toThrow(/mp: kernel 3×3 is larger than the padded input 2×5/);
  });
  it('non-integer or non-positive sizes', () => {
    expect(() => new Conv2d(1.5, 2, 3, { rng })).toThrow(/Conv2d: inChannels must be a positive integer, got 1.5/);
    expect(() => new Conv2d(1, 2, 2.5, { rng })).toThrow(/Conv2d: kernelSize must be an integer ≥ 1 or a pair \[h, w\] of them, got 2.5/);
    expect(() => new Conv2d(1, 2, [3, 0], { rng })).toThrow(/kernelSize must be an integer ≥ 1/);
    expect(() => new Conv2d(1, 2, 3, { rng, stride: 0 })).toThrow(/Conv2d: stride must be an integer ≥ 1/);
    expect(() => new Conv2d(1, 2, 3, { rng, padding: -1 })).toThrow(/Conv2d: padding must be an integer ≥ 0/);
    expect(() => new Conv2d(1, 2, 3, {} as never)).toThrow(/options.rng/);
    expect(() => new MaxPool2d([2, 2, 2] as never)).toThrow(/MaxPool2d: kernelSize must be/);
    expect(() => new MaxPool2d(2, { padding: 2 })).toThrow(/padding 2×2 must be at most half the kernel 2×2/);
  });
  it('p outside [0, 1]', () => {
    for (const p of [-0.1, 1.5, NaN, '0.5' as never]) expect(() => new Dropout(p, { rng })).toThrow(/Dropout: p must be a probability in \[0, 1\], got/);
    expect(() => new Dropout(0.5, {} as never)).toThrow(/options.rng/);
  });
  it('a gradient of the wrong shape', () => {
    conv.forward(rand([2, 3, 5, 5]));
    expect(() => conv.backward(rand([2, 4, 5, 4]))).toThrow(/c: gradOutput has shape \[2, 4, 5, 4\], expected \[2, 4, 5, 5\]/);
  });
  it('NaN in a 4-D input is reported with its NCHW position', () => {
    const x = rand([2, 3, 5, 5]);
    x.data[1 * 75 + 2 * 25 + 3 * 5 + 4] = NaN;
    expect(() => new Sequential([new Conv2d(3, 4, 3, { rng })]).forward(x)).toThrow(/got NaN at \[1, 2, 3, 4\] \(row 1 of the batch, element \[2, 3, 4\]/);
  });
  it('softmax stays row-wise (2-D only)', () => {
    expect(() => new Softmax().forward(rand([2, 3, 4, 4]))).toThrow(/expected input of shape \[batch, features\]/);
  });
});

describe('activations work on any shape', () => {
  it('ReLU and Sigmoid on [N, C, H, W] with buffers per shape', () => {
    const relu = new ReLU();
    const x = rand([2, 3, 4, 5]);
    const y = relu.forward(x);
    expect(y.shape).toEqual([2, 3, 4, 5]);
    expect(Array.from(y.data)).toEqual(Array.from(x.data, (v) => (v > 0 ? v : 0)));
    expect(relu.forward(rand([2, 3, 4, 5], 2))).toBe(y);
    expect(relu.forward(rand([2, 60])).shape).toEqual([2, 60]); // same size, other shape: its own buffer
    expect(relu.forward(rand([2, 3, 4, 5], 3))).toBe(y);
    const s = new Sigmoid();
    expect(s.forward(rand([7])).shape).toEqual([7]);
  });
});

describe('Flatten is a view', () => {
  it('shares storage forward and backward, and reuses its view objects', () => {
    const f = new Flatten();
    const x = rand([2, 3, 2, 2]);
    const y = f.forward(x);
    expect(y.shape).toEqual([2, 12]);
    expect(y.data).toBe(x.data);
    expect(f.forward(x)).toBe(y);
    const g = rand([2, 12]);
    const dx = f.backward(g);
    expect(dx.shape).toEqual([2, 3, 2, 2]);
    expect(dx.data).toBe(g.data);
    expect(f.backward(g)).toBe(dx);
  });
});

describe('train() / eval()', () => {
  it('Sequential passes the mode to every layer; Dropout is the identity in eval mode', () => {
    const rng = new Rng(1);
    const net = mlp([6, 5, 3], { rng, dropout: 0.5 });
    expect(net.layers.map((l) => l.name)).toEqual(['linear0', 'sigmoid0', 'dropout0', 'linear1']);
    const drop = net.layers[2] as Dropout;
    expect(net.training && drop.training).toBe(true);
    expect(net.eval()).toBe(net);
    expect(net.training || drop.training || (net.layers[0] as Linear).training).toBe(false);
    const h = net.layers[1].forward(rand([4, 5]));
    expect(drop.forward(h)).toBe(h);
    const g = rand([4, 5]);
    expect(drop.backward(g)).toBe(g);
    net.train();
    expect(drop.training).toBe(true);
    const y = drop.forward(h);
    expect(y).not.toBe(h);
    const zeros_ = Array.from(y.data).filter((v) => v === 0).length;
    expect(zeros_).toBeGreaterThan(0);
    expect(zeros_).toBeLessThan(20);
    expect(() => net.train('yes' as never)).toThrow(/train\(mode\) expects a boolean/);
  });
  it('the same seed gives the same masks; p = 0 draws nothing and is the identity', () => {
    const x = rand([10, 10]);
    const a = new Dropout(0.3, { rng: new Rng(5) }).forward(x).toFloat32Array();
    const b = new Dropout(0.3, { rng: new Rng(5) }).forward(x).toFloat32Array();
    expect(Array.from(a)).toEqual(Array.from(b));
    const rng = new Rng(5);
    const d0 = new Dropout(0, { rng });
    expect(d0.forward(x)).toBe(x);
    expect(rng.random()).toBe(new Rng(5).random());
  });
  it('p = 1 gives zeros and a zero gradient', () => {
    const d = new Dropout(1, { rng: new Rng(1) });
    const x = rand([3, 4]);
    expect(Array.from(d.forward(x).data).every((v) => v === 0)).toBe(true);
    expect(Array.from(d.backward(rand([3, 4], 2)).data).every((v) => v === 0)).toBe(true);
  });
});

describe('containers with mixed 4-D and 2-D layers', () => {
  it('backwardParams gives the same parameter gradients as backward, and skips the first conv\'s input gradient', () => {
    const x = rand([3, 1, 12, 12]);
    const labels = [1, 0, 2];
    const grads = (paramsOnly: boolean): Float32Array[] => {
      const net = cnn({ rng: new Rng(9), input: [1, 12, 12], channels: [3, 4], hidden: 8, classes: 3 });
      const ce = new CrossEntropyLoss();
      ce.forward(net.forward(x), labels);
      if (paramsOnly) net.backwardParams(ce.backward());
      else net.backward(ce.backward());
      return net.parameters().map((p) => p.grad.slice());
    };
    const a = grads(false), b = grads(true);
    expect(a.length).toBe(8);
    a.forEach((g, i) => expect(Array.from(b[i])).toEqual(Array.from(g)));
    expect(a.every((g) => g.some((v) => v !== 0))).toBe(true);
  });
  it('a leading parameter-free layer: backwardParams starts at the first layer with parameters', () => {
    const net = new Sequential([new Flatten(), new Linear(12, 3, { rng: new Rng(1) })]);
    const y = net.forward(rand([2, 3, 2, 2]));
    expect(y.shape).toEqual([2, 3]);
    net.backwardParams(rand([2, 3], 3));
    expect(net.parameters()[0].grad.some((v) => v !== 0)).toBe(true);
  });
  it('hooks and ActivationRecorder on a 4-D layer see [samples, C·H·W] units in NCHW order', () => {
    const net = cnn({ rng: new Rng(2), input: [1, 8, 8], channels: [2, 3], hidden: 5, classes: 3 });
    const pool = net.layers[2];
    const rec = new ActivationRecorder(pool, 6);
    let seen: readonly number[] = [];
    pool.registerForwardHook((out) => (seen = out.shape));
    net.forward(rand([4, 1, 8, 8]));
    net.forward(rand([2, 1, 8, 8], 2));
    expect(seen).toEqual([2, 2, 4, 4]);
    expect(rec.matrix.shape).toEqual([6, 32]);
    rec.remove();
    expect(Array.from(rec.matrix.data.subarray(4 * 32, 6 * 32))).toEqual(Array.from(pool.forward(net.layers[1].forward(net.layers[0].forward(rand([2, 1, 8, 8], 2)))).data));
    expect(hiddenActivationLayers(net).map((l) => l.name)).toEqual(['sigmoid0']);
    rec.dispose();
  });
  it('dispose frees every layer; forward afterwards throws', () => {
    const net = cnn({ rng: new Rng(3), input: [1, 8, 8], channels: [2, 3], hidden: 5, classes: 3 });
    net.forward(rand([2, 1, 8, 8]));
    net.dispose();
    expect(net.parameters().every((p) => p.disposed)).toBe(true);
    expect(() => net.layers[0].forward(rand([2, 1, 8, 8]))).toThrow(/conv0: forward called after dispose/);
    expect(() => net.layers[2].backward(rand([2, 2, 4, 4]))).toThrow(/maxpool0: backward called after dispose/);
  });
  it('buffers are reused per input shape (training and evaluation batch sizes alternate)', () => {
    const conv = new Conv2d(1, 2, 3, { rng: new Rng(1), padding: 1 });
    const a = conv.forward(rand([4, 1, 6, 6]));
    const b = conv.forward(rand([2, 1, 6, 6]));
    expect(b).not.toBe(a);
    expect(conv.forward(rand([4, 1, 6, 6], 5))).toBe(a);
  });
});

describe('initialisation as PyTorch', () => {
  it('Conv2d weights and bias uniform on ±1/√(in·kh·kw), weights drawn first', () => {
    const conv = new Conv2d(32, 64, 3, { rng: new Rng(4) });
    const bound = 1 / Math.sqrt(32 * 9);
    const w = conv.weight.data;
    expect(conv.weight.shape).toEqual([64, 32, 3, 3]);
    expect(Math.max(...w)).toBeLessThan(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...w)).toBeGreaterThan(0.99 * bound);
    const rng = new Rng(4);
    expect(w[0]).toBe(Math.fround(rng.uniform(-bound, bound)));
    expect(new Conv2d(1, 2, 3, { rng: new Rng(1), bias: false }).bias).toBeNull();
  });
});

describe('MaxPool2d 2×2 fast path', () => {
  it('agrees with the general window scan (values, winners, gradients) on inputs full of ties', () => {
    const [N, C, H, W] = [2, 3, 7, 9];
    const x = zeros([N, C, H, W]);
    const rng = new Rng(11);
    for (let i = 0; i < x.size; i++) x.data[i] = rng.int(3); // 0, 1, 2: most windows tie
    const g = rand([N, C, 3, 4], 12);
    const fast = new MaxPool2d(2);
    const y = fast.forward(x).toFloat32Array();
    const dx = fast.backward(g).toFloat32Array();
    // The general path on the same windows: kernel [2, 2] with stride [2, 2] written through a 3×3 window
    // would differ, so compare against a direct scan instead (first maximum in row-major order wins).
    const yRef = new Float32Array(y.length), dxRef = new Float32Array(x.size);
    let o = 0;
    for (let p = 0; p < N * C; p++)
      for (let oh = 0; oh < 3; oh++)
        for (let ow = 0; ow < 4; ow++, o++) {
          let best = -Infinity, at = -1;
          for (let i = 0; i < 2; i++)
            for (let j = 0; j < 2; j++) {
              const k = p * H * W + (2 * oh + i) * W + 2 * ow + j;
              if (x.data[k] > best) (best = x.data[k]), (at = k);
            }
          yRef[o] = best;
          dxRef[at] += g.data[o];
        }
    expect(Array.from(y)).toEqual(Array.from(yRef));
    expect(Array.from(dx)).toEqual(Array.from(dxRef));
  });
});
