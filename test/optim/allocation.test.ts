import { afterEach, describe, expect, it } from 'vitest';
import { Adadelta, Adagrad, Adam, AdamW, RMSprop, SGD } from '../../src/optim/index.js';
import { kernelStats } from '../../src/optim/wasm/index.js';
import { allocFloat32, freeFloat32, setFloat32Allocator, useWasmMemory } from '../../src/tensor/memory.js';
import { countAllocations, type AllocationCounter } from '../helpers/allocation-counter.js';
import { Rng } from '../../src/tensor/random.js';

/**
 * An optimizer step allocates nothing after the first (which creates the state): no typed array — counted
 * through the global constructors (patched with counting proxies) and every `subarray`/`slice` view —
 * and no `allocFloat32` call, on both paths: the JavaScript step functions (arrays on the JS heap) and the
 * WebAssembly kernels (arrays in WebAssembly memory), where the per-call overhead — the address lookups,
 * the hyper-parameters passed as float32 arguments, the kernel call — must not allocate either. The wasm
 * run also checks that the kernels did run. Parameters have the dissertation net's shapes, scaled down
 * (784-256-10 → 78-25-10), so remainders and small tensors are covered.
 */

let counter: AllocationCounter | null = null;

afterEach(() => {
  counter?.restore();
  counter = null;
});

const SHAPES = [78 * 25, 25, 10 * 25, 10];

const CONFIGS: Array<[string, (ps: Array<{ data: Float32Array; grad: Float32Array }>) => { step(): void; dispose(): void }]> = [
  ['SGD', (ps) => new SGD(ps, { lr: 0.1 })],
  ['SGD momentum, dampening, weight decay', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 1e-4 })],
  ['SGD nesterov, maximize', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, maximize: true })],
  ['Adagrad lr decay, weight decay', (ps) => new Adagrad(ps, { lr: 0.1, lrDecay: 0.01, weightDecay: 1e-4 })],
  ['Adadelta', (ps) => new Adadelta(ps)],
  ['Adam', (ps) => new Adam(ps)],
  ['Adam amsgrad, weight decay, maximize', (ps) => new Adam(ps, { amsgrad: true, weightDecay: 1e-4, maximize: true })],
  ['AdamW', (ps) => new AdamW(ps)],
  ['RMSprop', (ps) => new RMSprop(ps)],
  ['RMSprop centered, momentum, weight decay', (ps) => new RMSprop(ps, { centered: true, momentum: 0.9, weightDecay: 1e-4 })],
];

describe.each(['js', 'wasm'] as const)('optimizer steps allocate nothing after the first (%s path)', (path) => {
  it.each(CONFIGS)('%s', (_name, make) => {
    const previous = useWasmMemory(path === 'wasm');
    try {
      const rng = new Rng(5);
      const ps = SHAPES.map((n) => ({ data: rng.fillNormal(allocFloat32(n)), grad: rng.fillNormal(allocFloat32(n), 0, 0.01) }));
      counter = countAllocations();
      freeFloat32(allocFloat32(4)); // the counters see an allocation…
      expect({ sawTypedArray: counter.typedArrays > 0, allocCalls: counter.allocCalls }).toEqual({ sawTypedArray: true, allocCalls: 1 });
      const opt = make(ps);
      opt.step(); // …and the first step may create state
      counter.reset();
      const calls = kernelStats.calls;
      for (let t = 0; t < 5; t++) opt.step();
      expect(counter.counts()).toEqual({ typedArrays: 0, allocCalls: 0 });
      expect(kernelStats.calls - calls).toBe(path === 'wasm' ? 5 * SHAPES.length : 0);
      counter.restore();
      counter = null;
      opt.dispose();
      for (const p of ps) {
        freeFloat32(p.data);
        freeFloat32(p.grad);
      }
    } finally {
      setFloat32Allocator(previous);
    }
  });
});
