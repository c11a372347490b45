import { afterEach, describe, expect, it } from 'vitest';
import { CrossEntropyLoss, hiddenActivationLayers, mlp, type Sequential } from '../../src/layers/index.js';
import { activeGemmKernel, gemmKernels, useGemmKernel, type GemmKernel } from '../../src/tensor/gemm/index.js';
import { getFloat32Allocator, setFloat32Allocator, useWasmMemory } from '../../src/tensor/memory.js';
import { countAllocations, type AllocationCounter } from '../helpers/allocation-counter.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor, zeros } from '../../src/tensor/tensor.js';

/**
 * A training step at a fixed batch size allocates no arrays after its first step. Two independent counters:
 * - every `allocFloat32` call (a counting allocator installed with setFloat32Allocator), and
 * - every typed array created anywhere — `new Float32Array/Float64Array/Int32Array/Uint8Array` through the
 *   global constructors (patched with counting proxies) and every `subarray`/`slice` view (patched
 *   prototype methods), so even a temporary view would be seen.
 * The step is a full one: zeroGrad, forward, cross-entropy, backward, and a plain SGD update.
 *
 * One spec for every registered gemm kernel in every memory it can work with: the JS kernels on the JS
 * heap; the WebAssembly kernels both with `useWasmMemory()` (operands used in place) and on the JS heap
 * (the library's default allocator: operands are staged into the WebAssembly memory and C copied back,
 * which must not make views per call either). The per-kernel net is 300-130-10 (every product spans more
 * than one 128-deep block of the blocked kernel) to keep the slow reference kernel quick; the
 * dissertation's 784-256-10 runs on the default kernel, in both memories.
 */

/** The kernel active when the library loads. */
const defaultKernel = activeGemmKernel();

type Memory = 'heap' | 'wasm';

let counter: AllocationCounter | null = null;
let restore: (() => void) | null = null;

function install(kernel: GemmKernel, memory: Memory): AllocationCounter {
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

function batchOf(rng: Rng, n: number, features: number): { x: Tensor; y: Int32Array } {
  const x = zeros([n, features]);
  rng.fillUniform(x.data, 0, 1);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.int(10);
  return { x, y };
}

function step(net: Sequential, ce: CrossEntropyLoss, x: Tensor, y: Int32Array, paramsOnly: boolean): { logits: Tensor; dlogits: Tensor } {
  net.zeroGrad();
  const logits = net.forward(x);
  ce.forward(logits, y);
  const dlogits = ce.backward();
  if (paramsOnly) net.backwardParams(dlogits);
  else net.backward(dlogits);
  for (const p of net.parameters()) {
    const d = p.data, g = p.grad;
    for (let i = 0; i < d.length; i++) d[i] -= 0.1 * g[i];
  }
  return { logits, dlogits };
}

function steadyState(widths: number[], paramsOnly: boolean): void {
  const rng = new Rng(3);
  const net = mlp(widths, { rng });
  const ce = new CrossEntropyLoss();
  const { x, y } = batchOf(rng, 50, widths[0]);
  const small = batchOf(rng, 7, widths[0]);
  const first = step(net, ce, x, y, paramsOnly);
  expect(counter!.allocCalls).toBeGreaterThan(0); // the counters do see the first step's buffers

  counter!.reset();
  for (let s = 0; s < 3; s++) {
    const r = step(net, ce, x, y, paramsOnly);
    expect(r.logits).toBe(first.logits); // the same buffer object, reused
    expect(r.dlogits).toBe(first.dlogits);
  }
  expect(counter!.counts()).toEqual({ typedArrays: 0, allocCalls: 0 });

  // A smaller last batch allocates its own buffers once; switching back to 50 allocates nothing.
  step(net, ce, small.x, small.y, paramsOnly);
  expect(counter!.allocCalls).toBeGreaterThan(0);
  counter!.reset();
  step(net, ce, small.x, small.y, paramsOnly);
  expect(step(net, ce, x, y, paramsOnly).logits).toBe(first.logits);
  expect(counter!.counts()).toEqual({ typedArrays: 0, allocCalls: 0 });
}

/** Every kernel with the memories it works with: WebAssembly kernels on both, JS kernels on the JS heap. */
const cases = gemmKernels().flatMap((k) =>
  (k.name.startsWith('wasm') ? (['wasm', 'heap'] as const) : (['heap'] as const)).map((m) => [k.name, m, k] as const),
);

describe.each(cases)('a training step allocates nothing after the first (gemm kernel %s, %s memory)', (_name, memory, kernel) => {
  for (const paramsOnly of [false, true]) {
    it(`300-130-10, batch 50, ${paramsOnly ? 'backwardParams' : 'backward'}`, () => {
      install(kernel, memory);
      steadyState([300, 130, 10], paramsOnly);
    });
  }

  it('forward hooks (taps) see the buffer itself: no copy with or without listeners', () => {
    install(kernel, memory);
    const rng = new Rng(4);
    const net = mlp([300, 130, 10], { rng });
    const ce = new CrossEntropyLoss();
    const { x, y } = batchOf(rng, 50, 300);
    const [hidden] = hiddenActivationLayers(net);
    let seen: Tensor | null = null;
    let sum = 0;
    const handle = hidden.registerForwardHook((out) => {
      seen = out;
      for (let i = 0; i < out.size; i++) sum += out.data[i];
    });
    step(net, ce, x, y, true);
    counter!.reset();
    step(net, ce, x, y, true);
    expect(seen).toBe(net.layers[1].forward(net.layers[0].forward(x))); // the sigmoid's own output buffer
    expect(sum).toBeGreaterThan(0);
    handle.remove();
    step(net, ce, x, y, true);
    expect(counter!.counts()).toEqual({ typedArrays: 0, allocCalls: 0 });
  });
});

describe(`the default gemm kernel (${defaultKernel.name})`, () => {
  it('784-256-10 at batch 50 (the dissertation net) allocates nothing after its first step, in WebAssembly memory', () => {
    install(defaultKernel, 'wasm');
    steadyState([784, 256, 10], true);
  });

  it('784-256-10 at batch 50 allocates nothing after its first step on the default (JS heap) allocator', () => {
    install(defaultKernel, 'heap');
    expect(getFloat32Allocator().name).toBe('counting');
    steadyState([784, 256, 10], true);
    // The buffers really are on the JS heap, so every product did stage its operands.
    const net = mlp([784, 256, 10], { rng: new Rng(1) });
    expect(net.parameters()[0].data.buffer).toBeInstanceOf(ArrayBuffer);
  });
});
