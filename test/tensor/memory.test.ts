import { describe, expect, it } from 'vitest';
import { WasmHeap, allocFloat32, freeFloat32, getFloat32Allocator, sgemm, useWasmMemory, wasmHeap } from '../../src/tensor/index.js';

const PAGE = 65536;

describe('WasmHeap (shared WebAssembly memory allocator)', () => {
  it('keeps old views valid and aliased after the memory grows', () => {
    const heap = new WasmHeap(1, 64);
    const a = heap.allocFloat32(1000);
    for (let i = 0; i < a.length; i++) a[i] = i + 0.5;
    const bufferBefore = a.buffer;
    // 3 MiB more than the first 64 KiB page: forces at least one grow.
    const b = heap.allocFloat32((3 * 1024 * 1024) / 4);
    expect(heap.byteLength).toBeGreaterThan(PAGE);
    expect(a.buffer).toBe(bufferBefore); // the old view is not detached …
    expect(a.length).toBe(1000);
    expect(a[999]).toBe(999.5); // … still reads what was written …
    a[10] = -7;
    const whole = heap.f32(); // … and aliases the same bytes as a view made after the grow.
    expect(whole[heap.addressOf(a) / 4 + 10]).toBe(-7);
    whole[heap.addressOf(a) / 4 + 11] = 42;
    expect(a[11]).toBe(42);
    expect(b.every((v) => v === 0)).toBe(true);
    expect(heap.addressOf(b)).toBeGreaterThanOrEqual(heap.addressOf(a) + 4000);
  });

  it('serves many small allocations with few grows, 64-byte aligned and disjoint', () => {
    const heap = new WasmHeap(1, 1024);
    let grows = 0;
    let size = heap.byteLength;
    const blocks: Array<[number, number]> = [];
    for (let i = 0; i < 20000; i++) {
      const n = 1 + (i % 37);
      const a = heap.allocFloat32(n);
      a.fill(i);
      blocks.push([heap.addressOf(a), n]);
      if (heap.byteLength !== size) {
        grows++;
        size = heap.byteLength;
      }
    }
    // Grow by ≥ 1.5× each time: from 64 KiB to ~2.6 MiB is at most ~10 grows, not one per allocation.
    expect(grows).toBeLessThan(12);
    const sorted = blocks.slice().sort((x, y) => x[0] - y[0]);
    for (let i = 0; i < sorted.length; i++) {
      expect(sorted[i][0] % 64).toBe(0);
      if (i > 0) expect(sorted[i][0]).toBeGreaterThanOrEqual(sorted[i - 1][0] + sorted[i - 1][1] * 4);
    }
    // Nothing overwrote anything: block i still holds i.
    const mem = heap.f32();
    blocks.forEach(([addr, n], i) => {
      expect(mem[addr / 4]).toBe(i);
      expect(mem[addr / 4 + n - 1]).toBe(i);
    });
  });

  it('reuses freed blocks, coalesces neighbours and hands them back zero-filled', () => {
    const heap = new WasmHeap(1, 16);
    const a = heap.allocFloat32(16); // 64 bytes
    const b = heap.allocFloat32(16);
    const c = heap.allocFloat32(16);
    const guard = heap.allocFloat32(16);
    a.fill(1);
    b.fill(2);
    heap.freeArray(a);
    heap.freeArray(b); // a and b coalesce into one 128-byte block
    const d = heap.allocFloat32(32);
    expect(heap.addressOf(d)).toBe(heap.addressOf(a));
    expect(d.every((v) => v === 0)).toBe(true);
    expect(heap.bytesInUse).toBe(64 * 4);
    heap.freeArray(c);
    heap.freeArray(guard); // touches the bump pointer: returned to it
    heap.freeArray(d);
    expect(heap.bytesInUse).toBe(0);
    const e = heap.allocFloat32(64);
    expect(heap.addressOf(e)).toBe(heap.addressOf(a));
  });

  it('throws named errors for foreign arrays, double frees and exhaustion', () => {
    const heap = new WasmHeap(1, 2);
    expect(() => heap.freeArray(new Float32Array(4))).toThrow(/not a block this heap allocated/);
    const a = heap.allocFloat32(4);
    heap.freeArray(a);
    expect(() => heap.freeArray(a)).toThrow(/not a block this heap allocated/);
    expect(() => heap.allocFloat32(200000)).toThrow(/cannot grow to \d+ bytes; the maximum is 131072 bytes/);
    expect(() => new WasmHeap(4, 2)).toThrow(/initialPages ≤ maximumPages/);
  });
});

describe('useWasmMemory: allocFloat32 from the WebAssembly heap', () => {
  it('returns plain Float32Arrays in the kernel memory that gemm uses in place', () => {
    const previous = useWasmMemory();
    try {
      expect(getFloat32Allocator().name).toBe('wasm');
      const A = allocFloat32(6);
      const B = allocFloat32(6);
      const C = allocFloat32(4);
      expect(A).toBeInstanceOf(Float32Array);
      expect(A.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(wasmHeap().addressOf(A)).toBeGreaterThan(0);
      A.set([1, 2, 3, 4, 5, 6]); // 2×3
      B.set([1, 0, 0, 1, 1, 1]); // 3×2
      sgemm(false, false, 2, 2, 3, 1, A, 0, 3, B, 0, 2, 0, C, 0, 2);
      // [1+3, 2+3; 4+6, 5+6]
      expect(Array.from(C)).toEqual([4, 5, 10, 11]);
      const inUse = wasmHeap().bytesInUse;
      freeFloat32(C);
      expect(wasmHeap().bytesInUse).toBe(inUse - 64);
      freeFloat32(new Float32Array(3)); // a JS-heap array: nothing to do
    } finally {
      useWasmMemory(false);
      expect(getFloat32Allocator()).toBe(previous);
    }
  });
});

describe('WasmHeap without shared memory (pages that are not cross-origin isolated)', () => {
  it('is a fixed-size non-shared memory: allocates, frees, and refuses to grow with a message saying why', async () => {
    const { WasmHeap: Heap } = await import('../../src/tensor/memory.js');
    const heap = new Heap(2, 99, { shared: false });
    expect(heap.shared).toBe(false);
    expect(heap.maximumPages).toBe(2);
    expect(heap.memory.buffer instanceof SharedArrayBuffer).toBe(false);
    const a = heap.allocFloat32(1000);
    expect(heap.addressOf(a)).toBeGreaterThan(0);
    heap.freeArray(a);
    expect(() => heap.allocFloat32(40_000)).toThrow(/cannot grow[\s\S]*non-shared memory cannot grow: serve the page cross-origin isolated/);
  });

  it('runs the generated gemm module on it with the same bits as on a shared heap', async () => {
    const { WasmHeap: Heap } = await import('../../src/tensor/memory.js');
    const { gemmModule, instantiateGemm } = await import('../../src/tensor/gemm/wasm/instance.js');
    const { WasmGemmDriver, DEFAULT_BLOCKS, HeapScratch } = await import('../../src/tensor/gemm/wasm/driver.js');
    const config = { mr: 4, nr: 8, unroll: 2, fma: false };
    const results: Float32Array[] = [];
    for (const shared of [true, false]) {
      const heap = new Heap(64, 64, { shared });
      const driver = new WasmGemmDriver(instantiateGemm(gemmModule(config, shared), heap), config, DEFAULT_BLOCKS, new HeapScratch(heap), heap);
      const M = 37, N = 29, K = 53;
      const A = heap.allocFloat32(M * K), B = heap.allocFloat32(K * N), C = heap.allocFloat32(M * N);
      for (let i = 0; i < A.length; i++) A[i] = Math.sin(i);
      for (let i = 0; i < B.length; i++) B[i] = Math.cos(i);
      driver.sgemm(false, false, M, N, K, 1, A, 0, K, B, 0, N, 0, C, 0, N);
      results.push(C.slice());
    }
    expect(Array.from(results[1])).toEqual(Array.from(results[0]));
  });
});
