/**
 * The first layer's sparse-input path in training: forward and backward agree with the dense path (float32
 * summation order aside), and stepping only the gradient's known non-zero columns (SGD without momentum,
 * Adagrad) — with zeroGrad clearing only those — is bit-identical to the full dense step.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/index.js';
import { Linear, SparseInputFeed, mlp, CrossEntropyLoss, type Sequential } from '../../src/layers/index.js';
import { Adagrad, Adam, SGD, setSkipZeroGradients, type Optimizer as AnyOptimizer } from '../../src/optim/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Optimizer = AnyOptimizer<any, any>;
import { Rng, setSparseInputMode, zeros } from '../../src/tensor/index.js';
import { setFloat32Allocator, useWasmMemory } from '../../src/tensor/memory.js';

const F = 32, CLASSES = 3;

/** count images of F features, ~80 % exact zeros, non-zeros in runs (like pen strokes). */
function sparseDataset(count: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const images = new Float32Array(count * F);
  for (let i = 0; i < count; i++) {
    for (let s = 0; s < 2; s++) {
      const at = rng.int(F - 4);
      for (let k = at; k < at + 1 + rng.int(4); k++) images[i * F + k] = rng.uniform();
    }
  }
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = rng.int(CLASSES);
  return { name: 'strokes', images, labels, count, features: F, rows: 4, cols: 8, numClasses: CLASSES };
}

interface Trainer {
  model: Sequential;
  opt: Optimizer;
  feed: SparseInputFeed | null;
  sparse: boolean;
  dispose(): void;
}

function trainer(data: Dataset, batch: number, makeOpt: (m: Sequential) => Optimizer, sparse: boolean): Trainer {
  setSparseInputMode(sparse ? 'sparse' : 'dense');
  const model = mlp([F, 8, CLASSES], { rng: new Rng(3) });
  const opt = makeOpt(model);
  const feed = SparseInputFeed.forModel(model, data, batch);
  return { model, opt, feed, sparse, dispose: () => { feed?.dispose(); model.dispose(); } };
}

/** Train `steps` steps of `batch` rows (a fixed order) and return the first layer's weights and bias. */
function train(t: Trainer, data: Dataset, batch: number, steps: number): Float32Array[] {
  setSparseInputMode(t.sparse ? 'sparse' : 'dense');
  const loss = new CrossEntropyLoss();
  const x = zeros([batch, F]);
  const y = new Uint8Array(batch);
  const order = Array.from({ length: data.count }, (_, i) => (i * 7) % data.count);
  for (let s = 0; s < steps; s++) {
    const start = (s * batch) % (data.count - batch);
    for (let r = 0; r < batch; r++) {
      const i = order[start + r];
      x.data.set(data.images.subarray(i * F, (i + 1) * F), r * F);
      y[r] = data.labels[i];
    }
    t.feed?.gather(order, start, batch, x);
    t.model.zeroGrad();
    loss.forward(t.model.forwardTrusted(x), y);
    t.model.backwardParams(loss.backward());
    t.opt.step();
  }
  const first = t.model.layers[0] as Linear;
  return [first.weight.data.slice(), first.bias!.data.slice(), (t.model.layers[2] as Linear).weight.data.slice()];
}

let previous: ReturnType<typeof useWasmMemory> | null = null;
afterEach(() => {
  setSparseInputMode('auto');
  setSkipZeroGradients(true);
  if (previous) setFloat32Allocator(previous);
  previous = null;
});

const optimizers: Array<[string, (m: Sequential) => Optimizer, boolean]> = [
  ['SGD', (m) => new SGD(m.parameters(), { lr: 0.1 }), true],
  ['Adagrad', (m) => new Adagrad(m.parameters(), { lr: 0.1 }), true],
  ['SGD with momentum (dense step)', (m) => new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 }), false],
  ['Adam (dense step)', (m) => new Adam(m.parameters(), { lr: 1e-3 }), false],
];

describe('sparse-input path in training', () => {
  it('takes the sparse kernels and matches the dense path to float32 rounding (batch 1 and 20)', () => {
    previous = useWasmMemory(true);
    const data = sparseDataset(200, 1);
    for (const batch of [1, 20]) {
      const s = trainer(data, batch, (m) => new SGD(m.parameters(), { lr: 0.1 }), true);
      const d = trainer(data, batch, (m) => new SGD(m.parameters(), { lr: 0.1 }), false);
      expect(s.feed).not.toBe(null);
      expect(d.feed).toBe(null);
      const ws = train(s, data, batch, 30);
      expect((s.model.layers[0] as Linear).lastForwardSparse).toBe(true);
      const wd = train(d, data, batch, 30);
      for (let a = 0; a < ws.length; a++) for (let i = 0; i < ws[a].length; i++) expect(Math.abs(ws[a][i] - wd[a][i])).toBeLessThan(1e-5);
      s.dispose();
      d.dispose();
    }
  });

  for (const [name, makeOpt, skips] of optimizers) {
    it(`${name}: stepping only the touched columns is bit-identical to the full step (batch 1 and 5)`, () => {
      previous = useWasmMemory(true);
      const data = sparseDataset(120, 2);
      for (const batch of [1, 5]) {
        setSkipZeroGradients(true);
        const a = trainer(data, batch, makeOpt, true);
        const wa = train(a, data, batch, 25);
        const gc = (a.model.layers[0] as Linear).weight.gradColumns!;
        expect(gc.all).toBe(false);
        if (skips) expect(gc.touched).toBeLessThan(8 * F); // the last step touched part of the columns only
        setSkipZeroGradients(false);
        const b = trainer(data, batch, makeOpt, true);
        const wb = train(b, data, batch, 25);
        for (let k = 0; k < wa.length; k++) expect(Array.from(wa[k])).toEqual(Array.from(wb[k]));
        a.dispose();
        b.dispose();
      }
    });
  }

  it('zeroGrad clears only the touched columns, leaving the whole gradient +0', () => {
    previous = useWasmMemory(true);
    const data = sparseDataset(40, 3);
    const t = trainer(data, 4, (m) => new SGD(m.parameters(), { lr: 0.1 }), true);
    train(t, data, 4, 3);
    const w = (t.model.layers[0] as Linear).weight;
    expect(w.grad.some((g) => g !== 0)).toBe(true);
    t.model.zeroGrad();
    expect(w.grad.every((g) => Object.is(g, 0))).toBe(true);
    t.dispose();
  });
});
