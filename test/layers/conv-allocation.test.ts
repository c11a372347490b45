import { afterEach, describe, expect, it } from 'vitest';
import { cnn, CrossEntropyLoss, Dropout, Flatten, Linear, Sequential, Sigmoid, type Sequential as Net } from '../../src/layers/index.js';
import { activeGemmKernel, gemmKernels, useGemmKernel, type GemmKernel } from '../../src/tensor/gemm/index.js';
import { getFloat32Allocator, setFloat32Allocator, useWasmMemory } from '../../src/tensor/memory.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor, zeros } from '../../src/tensor/tensor.js';
import { countAllocations, type AllocationCounter } from '../helpers/allocation-counter.js';

/**
 * A CNN training step (zeroGrad, forward, cross-entropy, backwardParams, SGD update) allocates nothing after
 * the first at a fixed input shape — no allocFloat32, no typed array or view anywhere (the counters of
 * allocation.test.ts) — and switching to a second batch size and back allocates nothing once both were seen.
 * The dissertation's CNN on the default kernel in both memories; a small CNN with Dropout on every kernel.
 */
const defaultKernel = activeGemmKernel();
let counter: AllocationCounter | null = null;
let restore: (() => void) | null = null;

function install(kernel: GemmKernel, memory: 'wasm' | 'heap'): AllocationCounter {
  const previousKernel = useGemmKernel(kernel);
  const previousAllocator = getFloat32Allocator();
  useWasmMemory(memory === 'wasm');
  counter = countAllocations();
  restore = () => {
    counter?.restore();
    setFloat32Allocator(previousAllocator);
    useGemmKernel(previousKernel);
  };
  return counter;
}
afterEach(() => {
  restore?.();
  restore = null;
});

function step(net: Net, ce: CrossEntropyLoss, x: Tensor, y: Int32Array): Tensor {
  net.zeroGrad();
  const logits = net.forward(x);
  ce.forward(logits, y);
  net.backwardParams(ce.backward());
  for (const p of net.parameters()) {
    const d = p.data, g = p.grad;
    for (let i = 0; i < d.length; i++) d[i] -= 0.05 * g[i];
  }
  return logits;
}

function steadyState(net: Net, shape: number[], c: AllocationCounter): void {
  const rng = new Rng(1);
  const ce = new CrossEntropyLoss();
  const batch = (n: number) => {
    const x = zeros([n, ...shape.slice(1)]);
    rng.fillUniform(x.data, 0, 1);
    return { x, y: Int32Array.from({ length: n }, () => rng.int(10)) };
  };
  const a = batch(shape[0]), b = batch(3);
  const first = step(net, ce, a.x, a.y);
  expect(c.allocCalls).toBeGreaterThan(0);
  step(net, ce, b.x, b.y);
  c.reset();
  for (let s = 0; s < 2; s++) expect(step(net, ce, a.x, a.y)).toBe(first);
  step(net, ce, b.x, b.y);
  expect(step(net, ce, a.x, a.y)).toBe(first);
  expect(c.counts()).toEqual({ typedArrays: 0, allocCalls: 0 });
}

describe(`the dissertation's CNN on the default gemm kernel (${defaultKernel.name})`, () => {
  for (const memory of ['wasm', 'heap'] as const) {
    it(`batch 8, ${memory} memory`, () => {
      const c = install(defaultKernel, memory);
      steadyState(cnn({ rng: new Rng(2) }), [8, 1, 28, 28], c);
    });
  }
});

describe.each(gemmKernels().map((k) => [k.name, k] as const))('a small CNN with Dropout (gemm kernel %s)', (_name, kernel) => {
  it('allocates nothing after the first step', () => {
    const c = install(kernel, 'heap');
    const base = cnn({ rng: new Rng(3), input: [1, 10, 10], channels: [3, 4], hidden: 6 });
    const layers = [...base.layers.slice(0, 7), new Linear(16, 6, { rng: new Rng(4) }), new Sigmoid(), new Dropout(0.3, { rng: new Rng(5) }), new Linear(6, 10, { rng: new Rng(6) })];
    expect(layers[6]).toBeInstanceOf(Flatten);
    steadyState(new Sequential(layers), [5, 1, 10, 10], c);
  });
});
