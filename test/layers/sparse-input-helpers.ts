/** Shared by sparse-input.test.ts and the relaxed-SIMD child run (sparse-input-relaxed-run.ts). */
import type { Dataset } from '../../src/data/index.js';
import { CrossEntropyLoss, Linear, SparseInputFeed, mlp, type Sequential } from '../../src/layers/index.js';
import type { Optimizer as AnyOptimizer } from '../../src/optim/index.js';
import { setSkipZeroGradients } from '../../src/optim/index.js';
import { Rng, setSparseInputMode, zeros } from '../../src/tensor/index.js';
import { setFloat32Allocator, useWasmMemory } from '../../src/tensor/memory.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Optimizer = AnyOptimizer<any, any>;

export const F = 32, CLASSES = 3;

/**
 * Register (in a test file) an afterEach that puts back what these tests switch: the float32 allocator,
 * the sparse-input mode and the skip-zero-gradients switch. Returns the switch to WebAssembly memory a test
 * calls first.
 */
export function wasmMemoryPerTest(afterEach: (fn: () => void) => void): () => void {
  let previous: ReturnType<typeof useWasmMemory> | null = null;
  afterEach(() => {
    setSparseInputMode('auto');
    setSkipZeroGradients(true);
    if (previous) setFloat32Allocator(previous);
    previous = null;
  });
  return () => {
    previous = useWasmMemory(true);
  };
}

/** count images of F features, ~80 % exact zeros, non-zeros in runs (like pen strokes). */
export function sparseDataset(count: number, seed: number): Dataset {
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

export interface Trainer {
  model: Sequential;
  opt: Optimizer;
  feed: SparseInputFeed | null;
  sparse: boolean;
  dispose(): void;
}

export function trainer(data: Dataset, batch: number, makeOpt: (m: Sequential) => Optimizer, sparse: boolean): Trainer {
  setSparseInputMode(sparse ? 'sparse' : 'dense');
  const model = mlp([F, 8, CLASSES], { rng: new Rng(3) });
  const opt = makeOpt(model);
  const feed = SparseInputFeed.forModel(model, data, batch);
  return { model, opt, feed, sparse, dispose: () => { feed?.dispose(); model.dispose(); } };
}

/** Train `steps` steps of `batch` rows (a fixed order) and return the first layer's weights and bias. */
export function train(t: Trainer, data: Dataset, batch: number, steps: number): Float32Array[] {
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

