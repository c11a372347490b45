import { describe, expect, it } from 'vitest';
import { Conv2d, col2imAdd, im2col } from '../../src/layers/conv2d.js';
import { col2imAddWasm, im2colWasm } from '../../src/tensor/gemm/im2col.js';
import { wasmFeatures } from '../../src/tensor/gemm/wasm/features.js';
import { getFloat32Allocator, setFloat32Allocator, useWasmMemory, wasmHeap, wasmMemoryAvailable } from '../../src/tensor/memory.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

/**
 * The WebAssembly SIMD im2col / col2imAdd (src/tensor/gemm/wasm/im2col.ts) against the JS reference
 * functions of src/layers/conv2d.ts, bit for bit over the whole arrays (so nothing outside the example's
 * region is touched either): kernels 1/3/5 and [3, 2], strides 1/2 and [2, 1], paddings 0/1/2, square and
 * non-square planes, C = 1 and 32, offsets ≠ 0, and the dissertation's two convolutions. col2imAdd adds
 * into an X that already holds values of mixed magnitudes, so a different summation order would show.
 */
const canRun = wasmFeatures().simd && wasmMemoryAvailable();

interface Case {
  C: number; H: number; W: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number;
}

function cases(): Case[] {
  const list: Case[] = [
    { C: 1, H: 28, W: 28, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 },   // conv0
    { C: 32, H: 14, W: 14, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1 },  // conv1
    { C: 3, H: 9, W: 9, kh: 3, kw: 2, sh: 2, sw: 1, ph: 1, pw: 1 },     // README example
    { C: 2, H: 5, W: 3, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0 },     // runs shorter than a vector
    { C: 1, H: 2, W: 2, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2 },     // kernel larger than the plane
    { C: 1, H: 7, W: 4, kh: 3, kw: 3, sh: 1, sw: 2, ph: 2, pw: 0 },
  ];
  const rng = new Rng(7);
  for (const k of [1, 3, 5]) {
    for (const s of [1, 2]) {
      for (const p of [0, 1, 2]) {
        for (const C of [1, 32]) {
          const H = Math.max(k - 2 * p, 1) + rng.int(20), W = Math.max(k - 2 * p, 1) + rng.int(20);
          list.push({ C, H, W, kh: k, kw: k, sh: s, sw: s, ph: p, pw: p });
        }
      }
    }
  }
  return list;
}

const out = (c: Case) => ({ OH: Math.floor((c.H + 2 * c.ph - c.kh) / c.sh) + 1, OW: Math.floor((c.W + 2 * c.pw - c.kw) / c.sw) + 1 });
/** The first index where a and b differ in bits (−1: none) — cheaper than toEqual on 10⁶ elements. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const u = new Uint32Array(a.buffer, a.byteOffset, a.length), v = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (u.length !== v.length) return 0;
  for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return i;
  return -1;
}
const label = (c: Case) => JSON.stringify(c);

/** Random values spanning 2^−20 … 2^20 in magnitude, both signs. */
function fillMixed(a: Float32Array, rng: Rng): void {
  for (let i = 0; i < a.length; i++) a[i] = (rng.uniform(-1, 1)) * 2 ** (rng.int(41) - 20);
}

describe.runIf(canRun)('im2col / col2imAdd in WebAssembly', () => {
  it('im2col gives the JS reference bits, in-place on heap arrays with offsets', () => {
    const rng = new Rng(11);
    const heap = wasmHeap();
    for (const c of cases()) {
      const { OH, OW } = out(c);
      const xOff = 3 + rng.int(5), colOff = 1 + rng.int(7);
      const xn = c.C * c.H * c.W, cn = c.C * c.kh * c.kw * OH * OW;
      const x = heap.allocFloat32(xOff + xn + 5), cols = heap.allocFloat32(colOff + cn + 6);
      try {
        fillMixed(x, rng);
        fillMixed(cols, rng); // stale values: every entry of the region must be written
        const want = cols.slice();
        im2col(x, xOff, c.C, c.H, c.W, c.kh, c.kw, c.sh, c.sw, c.ph, c.pw, OH, OW, want, colOff);
        expect(im2colWasm(x, xOff, c.C, c.H, c.W, c.kh, c.kw, c.sh, c.sw, c.ph, c.pw, OH, OW, cols, colOff), label(c)).toBe(true);
        expect(firstDifference(cols, want), label(c)).toBe(-1);
      } finally {
        heap.freeArray(x);
        heap.freeArray(cols);
      }
    }
  });

  it('col2imAdd adds in the JS order (same bits), touching nothing outside dX\'s region', () => {
    const rng = new Rng(12);
    const heap = wasmHeap();
    for (const c of cases()) {
      const { OH, OW } = out(c);
      const dxOff = 2 + rng.int(5), colOff = 1 + rng.int(7);
      const xn = c.C * c.H * c.W, cn = c.C * c.kh * c.kw * OH * OW;
      const cols = heap.allocFloat32(colOff + cn + 3), dx = heap.allocFloat32(dxOff + xn + 7);
      try {
        fillMixed(cols, rng);
        fillMixed(dx, rng);
        const want = dx.slice();
        col2imAdd(cols, colOff, c.C, c.H, c.W, c.kh, c.kw, c.sh, c.sw, c.ph, c.pw, OH, OW, want, dxOff);
        expect(col2imAddWasm(cols, colOff, c.C, c.H, c.W, c.kh, c.kw, c.sh, c.sw, c.ph, c.pw, OH, OW, dx, dxOff), label(c)).toBe(true);
        expect(firstDifference(dx, want), label(c)).toBe(-1);
      } finally {
        heap.freeArray(cols);
        heap.freeArray(dx);
      }
    }
  });

  it('declines (writing nothing) on JS-heap arrays, regions past the array, overlap and bad windows', () => {
    const heap = wasmHeap();
    const x = heap.allocFloat32(2 * 5 * 5), cols = heap.allocFloat32(2 * 9 * 25);
    try {
      const jsCols = new Float32Array(2 * 9 * 25);
      expect(im2colWasm(x, 0, 2, 5, 5, 3, 3, 1, 1, 1, 1, 5, 5, jsCols, 0)).toBe(false);
      expect(col2imAddWasm(jsCols, 0, 2, 5, 5, 3, 3, 1, 1, 1, 1, 5, 5, x, 0)).toBe(false);
      cols.fill(9);
      expect(im2colWasm(x, 0, 2, 5, 5, 3, 3, 1, 1, 1, 1, 5, 5, cols, 1)).toBe(false);  // one past the end
      expect(im2colWasm(x, 1, 2, 5, 5, 3, 3, 1, 1, 1, 1, 5, 5, cols, 0)).toBe(false);
      expect(im2colWasm(x, 0, 2, 5, 5, 3, 3, 0, 1, 1, 1, 5, 5, cols, 0)).toBe(false);  // stride 0
      expect(im2colWasm(x, 0, 2, 5, 5, 3, 3, 1, 1, 0.5, 1, 5, 5, cols, 0)).toBe(false); // fractional padding
      expect(im2colWasm(cols, 0, 2, 5, 5, 3, 3, 1, 1, 1, 1, 5, 5, cols, 20)).toBe(false); // overlapping
      expect(col2imAddWasm(cols, 0, 2, 5, 5, 3, 3, 1, 1, 1, 1, 5, 5, cols, 10)).toBe(false);
      expect(cols.every((v) => v === 9)).toBe(true);
      expect(im2colWasm(x, 0, 2, 5, 5, 3, 3, 1, 1, 1, 1, 5, 5, cols, 0)).toBe(true);
    } finally {
      heap.freeArray(x);
      heap.freeArray(cols);
    }
  });

  it('Conv2d in WebAssembly memory (the kernels) gives the bits of Conv2d on the JS heap (the reference)', () => {
    const run = (memory: 'wasm' | 'heap', C: number, O: number, k: number, stride: [number, number], padding: number, shape: number[]) => {
      const previous = getFloat32Allocator();
      useWasmMemory(memory === 'wasm');
      try {
        const rng = new Rng(5);
        const conv = new Conv2d(C, O, k, { rng, stride, padding });
        const n = shape.reduce((a, b) => a * b, 1);
        const x = new Tensor(wasmOrHeap(memory, n), shape);
        rng.fillUniform(x.data, -1, 1);
        const y = conv.forward(x);
        const g = new Tensor(wasmOrHeap(memory, y.size), y.shape);
        rng.fillUniform(g.data, -1, 1);
        const dx = conv.backward(g);
        const result = [y.data.slice(), dx.data.slice(), conv.weight.grad.slice(), conv.bias!.grad.slice()];
        conv.dispose();
        if (memory === 'wasm') for (const t of [x, g]) wasmHeap().freeArray(t.data);
        return result;
      } finally {
        setFloat32Allocator(previous);
      }
    };
    const wasmOrHeap = (memory: 'wasm' | 'heap', n: number) => (memory === 'wasm' ? wasmHeap().allocFloat32(n) : new Float32Array(n));
    for (const [C, O, k, stride, padding, shape] of [
      [32, 8, 3, [1, 1], 1, [2, 32, 14, 14]],
      [3, 5, 3, [2, 1], 1, [2, 3, 9, 11]],
      [2, 4, 5, [2, 2], 2, [1, 2, 12, 7]],
    ] as Array<[number, number, number, [number, number], number, number[]]>) {
      const a = run('wasm', C, O, k, stride, padding, shape), b = run('heap', C, O, k, stride, padding, shape);
      for (let i = 0; i < a.length; i++) expect(firstDifference(a[i], b[i]), `${JSON.stringify(shape)} output ${i}`).toBe(-1);
    }
  });
});
