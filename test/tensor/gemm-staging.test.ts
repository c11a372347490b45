/**
 * How the WebAssembly kernels stage operands that live on the JS heap (src/tensor/gemm/wasm/driver.ts):
 * whole arrays move in with one `TypedArray.set`, a contiguous C comes back through a cached view of its
 * staging region (remade when the region grows), and any other span (an offset into a larger array, a C
 * with padding between rows) by element loops.
 *
 * Staging must not change a single bit, so every product here is compared with the same kernel run on
 * copies of the operands in the WebAssembly memory (used in place, nothing staged): exact equality, since
 * both run the same instructions on the same values. The shape sequences make C's staging region grow
 * between products and then serve smaller products again — the case where a stale cached view would
 * read the old region.
 */
import { describe, expect, it } from 'vitest';
import { Rng, gemmKernels, wasmHeap, type GemmKernel } from '../../src/tensor/index.js';
import { WASM_RELAXED_CONFIG, WASM_SIMD_CONFIG, makeWasmKernel } from '../../src/tensor/gemm/wasm-kernel.js';

const wasmKernels = gemmKernels().filter((k) => k.name.startsWith('wasm'));
/** A new kernel of the same kind, with its own staging regions (the registered ones are already grown). */
const fresh = (kernel: GemmKernel): GemmKernel =>
  makeWasmKernel(`${kernel.name}/fresh`, kernel.name === 'wasm-relaxed' ? WASM_RELAXED_CONFIG : WASM_SIMD_CONFIG);

interface Product {
  tA: boolean;
  tB: boolean;
  M: number;
  N: number;
  K: number;
  beta: number;
}

/** The products of a 784-256-10 training step (forward, backward of both layers), at a small batch. */
const TRAINING_STEP: Product[] = [
  { tA: false, tB: true, M: 20, N: 256, K: 784, beta: 1 }, // Y0 = X·W0ᵀ + b0
  { tA: false, tB: true, M: 20, N: 10, K: 256, beta: 1 }, // Y1 = H·W1ᵀ + b1
  { tA: true, tB: false, M: 10, N: 256, K: 20, beta: 1 }, // dW1 += dY1ᵀ·H
  { tA: false, tB: false, M: 20, N: 256, K: 10, beta: 0 }, // dH = dY1·W1
  { tA: true, tB: false, M: 256, N: 784, K: 20, beta: 1 }, // dW0 += dY0ᵀ·X  (the largest C: the region grows)
];

function random(rng: Rng, n: number): Float32Array {
  return rng.fillUniform(new Float32Array(n), -1, 1);
}

/**
 * Run one product on JS-heap operands laid out with the given offsets and leading-dimension padding,
 * and on in-place WebAssembly copies of them; expect bit-identical C (padding included).
 */
function compare(kernel: GemmKernel, p: Product, rng: Rng, layout: { off: number; pad: number; tail: number }): void {
  const { tA, tB, M, N, K, beta } = p;
  const { off, pad, tail } = layout;
  const lda = (tA ? M : K) + pad, ldb = (tB ? K : N) + pad, ldc = N + pad;
  const A = random(rng, off + ((tA ? K : M) - 1) * lda + (tA ? M : K) + tail);
  const B = random(rng, off + ((tB ? N : K) - 1) * ldb + (tB ? K : N) + tail);
  const C = random(rng, off + (M - 1) * ldc + N + tail);
  const heap = wasmHeap();
  const [a, b, c] = [A, B, C].map((x) => heap.allocFloat32(x.length).fill(0));
  a.set(A);
  b.set(B);
  c.set(C);
  try {
    kernel.sgemm(tA, tB, M, N, K, 0.75, A, off, lda, B, off, ldb, beta, C, off, ldc);
    kernel.sgemm(tA, tB, M, N, K, 0.75, a, off, lda, b, off, ldb, beta, c, off, ldc);
    const where = `${kernel.name} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ${M}×${N}×${K} β=${beta} off=${off} pad=${pad} tail=${tail}`;
    // Bit for bit, padding and tail included (both untouched by either run, and equal to the inputs').
    const x = new Uint32Array(C.buffer), y = new Uint32Array(c.buffer, c.byteOffset, c.length);
    let first = -1;
    for (let i = 0; i < x.length && first < 0; i++) if (x[i] !== y[i]) first = i;
    expect(first < 0 ? 'identical' : `element ${first}: ${C[first]} staged, ${c[first]} in place`, where).toBe('identical');
  } finally {
    for (const x of [a, b, c]) heap.freeArray(x);
  }
}

describe.each(wasmKernels.map((k) => [k.name, k] as const))('staging JS-heap operands (gemm kernel %s)', (_name, kernel) => {
  it('whole arrays (the layers’ buffers): a training step’s products, repeated, equal the in-place results bit for bit', () => {
    const rng = new Rng(11);
    const k = fresh(kernel);
    for (let round = 0; round < 3; round++) for (const p of TRAINING_STEP) compare(k, p, rng, { off: 0, pad: 0, tail: 0 });
  });

  it('a C staging region that grows between products and then serves smaller ones again', () => {
    const rng = new Rng(12);
    const k = fresh(kernel);
    const sizes = [3, 40, 7, 130, 5, 40, 300, 3, 130];
    for (const n of sizes) compare(k, { tA: false, tB: false, M: n, N: n + 1, K: 9, beta: n % 2 }, rng, { off: 0, pad: 0, tail: 0 });
  });

  it('C with padding between rows: rows copied back one by one, the padding left as it was', () => {
    const rng = new Rng(13);
    for (const beta of [0, 0.5]) {
      compare(kernel, { tA: false, tB: true, M: 20, N: 33, K: 17, beta }, rng, { off: 0, pad: 5, tail: 0 });
      compare(kernel, { tA: true, tB: false, M: 1, N: 33, K: 17, beta }, rng, { off: 0, pad: 5, tail: 0 });
    }
  });

  it('operands at an offset into larger arrays (element-loop staging), every layout', () => {
    const rng = new Rng(14);
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        compare(kernel, { tA, tB, M: 13, N: 21, K: 30, beta: 1 }, rng, { off: 5, pad: 0, tail: 4 });
        compare(kernel, { tA, tB, M: 2, N: 9, K: 30, beta: 0 }, rng, { off: 1, pad: 2, tail: 1 });
      }
    }
  });
});
