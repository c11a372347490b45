/**
 * The sparse-input kernels (src/tensor/gemm/sparse.ts) against the dense reference gemm on the densified
 * input: Y += X·Wᵀ and dW += dYᵀ·X, for random sparsity 0–100 %, all-zero rows and columns, batch 1 and
 * large batches, output widths around the SIMD pass width, operands in the WebAssembly heap (the in-place
 * path) and on the JS heap (the fallback). Tolerance as the gemm spec (./gemm-spec.ts):
 * 4·K·2⁻²⁴·(Σ|x·w| + |y₀|) + 1e-30 per element.
 */
import { describe, expect, it } from 'vitest';
import { Rng, referenceKernel, wasmHeap } from '../../src/tensor/index.js';
import { SparseRows, chooseSparseKernel, gatherBlocks, setSparseInputMode, sparseInputKernels, sparseWasmExports, sparseWasmKernel, SPARSE_AUTO_MAX_DENSITY, SPARSE_COLUMNS_MIN_ROWS, type SparseInputKernel } from '../../src/tensor/gemm/sparse.js';
import { buildSparseProductModule, type SparseProductExports } from '../../src/tensor/gemm/wasm/sparse.js';
import { wasmApi } from '../../src/tensor/gemm/wasm/api.js';
import { wasmFeatures } from '../../src/tensor/gemm/wasm/features.js';
import { setFloat32Allocator, useWasmMemory } from '../../src/tensor/memory.js';

interface Case {
  M: number;
  N: number;
  K: number;
  density: number;
  zeroRows?: boolean;
  zeroCols?: boolean;
}

function sparseMatrix(rng: Rng, c: Case): Float32Array {
  const X = new Float32Array(c.M * c.K);
  for (let p = 0; p < X.length; p++) if (rng.uniform() < c.density) X[p] = rng.uniform(-1, 1);
  if (c.zeroRows) for (let i = 0; i < c.M; i += 3) X.fill(0, i * c.K, (i + 1) * c.K);
  if (c.zeroCols) for (let i = 0; i < c.M; i++) for (let k = 0; k < c.K; k += 5) X[i * c.K + k] = 0;
  return X;
}

function alloc(n: number, inWasm: boolean): Float32Array {
  return inWasm ? wasmHeap().allocFloat32(n) : new Float32Array(n);
}

function checkClose(what: string, got: Float32Array, want: Float32Array, mag: Float64Array, K: number): void {
  for (let p = 0; p < want.length; p++) {
    const tol = 4 * Math.max(K, 1) * 2 ** -24 * mag[p] + 1e-30;
    if (!(Math.abs(got[p] - want[p]) <= tol)) throw new Error(`${what}: element ${p} = ${got[p]}, reference ${want[p]}, tol ${tol}`);
  }
}

/** Run one case through `kernel` and the dense reference; throws on a mismatch. */
function checkCase(kernel: SparseInputKernel, c: Case, rng: Rng, inWasm: boolean): void {
  const { M, N, K } = c;
  const pad = 3; // leading dimensions wider than the rows, operands at an offset
  const X = sparseMatrix(rng, c);
  const x = inWasm ? (() => { const prev = useWasmMemory(true); try { return SparseRows.fromDense(X, M, K); } finally { setFloat32Allocator(prev); } })() : SparseRows.fromDense(X, M, K);
  expect(x.toDense()).toEqual(X);
  const ldw = K + pad, ldy = N + pad;
  const W = alloc(1 + N * ldw, inWasm);
  rng.fillUniform(W, -1, 1);
  const Y0 = rng.fillUniform(new Float32Array(1 + M * ldy), -1, 1);
  const Y = alloc(Y0.length, inWasm);
  Y.set(Y0);
  const R = Y0.slice();
  const where = `${kernel.name} ${M}×${N}×${K} density ${c.density}${c.zeroRows ? ' zero rows' : ''}${c.zeroCols ? ' zero cols' : ''} ${inWasm ? 'wasm heap' : 'js heap'}`;
  kernel.forward(x, N, W, 1, ldw, Y, 1, ldy);
  referenceKernel.sgemm(false, true, M, N, K, 1, X, 0, K, W, 1, ldw, 1, R, 1, ldy);
  const magY = new Float64Array(Y0.length);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = Math.abs(Y0[1 + i * ldy + j]);
    for (let k = 0; k < K; k++) s += Math.abs(X[i * K + k] * W[1 + j * ldw + k]);
    magY[1 + i * ldy + j] = s;
  }
  checkClose(`${where} forward`, Y, R, magY, K);
  // Padding and the element before the block are untouched (magY is 0 there: exact equality).
  // dW += dYᵀ·X
  const dY = alloc(1 + M * ldy, inWasm);
  rng.fillUniform(dY, -1, 1);
  const dW0 = rng.fillUniform(new Float32Array(1 + N * ldw), -1, 1);
  const dW = alloc(dW0.length, inWasm);
  dW.set(dW0);
  const RW = dW0.slice();
  kernel.gradWeight(x, N, dY, 1, ldy, dW, 1, ldw);
  referenceKernel.sgemm(true, false, N, K, M, 1, dY, 1, ldy, X, 0, K, 1, RW, 1, ldw);
  const magW = new Float64Array(dW0.length);
  for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) {
    let s = Math.abs(dW0[1 + j * ldw + k]);
    for (let i = 0; i < M; i++) s += Math.abs(dY[1 + i * ldy + j] * X[i * K + k]);
    magW[1 + j * ldw + k] = s;
  }
  checkClose(`${where} weight gradient`, dW, RW, magW, M);
  if (inWasm) for (const a of [W, Y, dY, dW]) wasmHeap().freeArray(a);
  x.dispose();
}

const cases: Case[] = [
  { M: 1, N: 256, K: 784, density: 0.19 }, // one MNIST-like row
  { M: 50, N: 256, K: 784, density: 0.19 },
  { M: 50, N: 10, K: 256, density: 1 },
  { M: 1, N: 1, K: 4, density: 1 },
  { M: 1, N: 3, K: 4, density: 0 },
  { M: 7, N: 5, K: 8, density: 0.5, zeroRows: true },
  { M: 9, N: 13, K: 28, density: 0.3, zeroCols: true },
  { M: 300, N: 17, K: 64, density: 0.05, zeroRows: true, zeroCols: true }, // a large batch
  { M: 4, N: 12, K: 16, density: 0 }, // all zero: nothing changes
];

describe.each(sparseInputKernels().map((k) => [k.name, k] as const))('sparse-input kernel %s', (_name, kernel) => {
  it('matches the dense reference on hand-picked shapes (batch 1 to 300, widths 1 to 256, zero rows and columns)', () => {
    const rng = new Rng(11);
    for (const c of cases) for (const inWasm of [true, false]) checkCase(kernel, c, rng, inWasm);
  });

  it('matches the dense reference at random sparsity 0–100 % on random shapes', () => {
    const rng = new Rng(12);
    for (let trial = 0; trial < 40; trial++) {
      const c: Case = {
        M: 1 + rng.int(trial < 20 ? 4 : 80),
        N: 1 + rng.int(40),
        K: 4 * (1 + rng.int(30)),
        density: trial === 0 ? 0 : trial === 1 ? 1 : rng.uniform(),
        zeroRows: rng.uniform() < 0.3,
        zeroCols: rng.uniform() < 0.3,
      };
      checkCase(kernel, c, rng, trial % 2 === 0);
    }
  });
});

describe.runIf(sparseWasmKernel() !== null)('the column form of the weight gradient (large batches)', () => {
  /** The block form of a random matrix in the WebAssembly heap. */
  function wasmRows(rng: Rng, c: Case): SparseRows {
    const prev = useWasmMemory(true);
    try {
      return SparseRows.fromDense(sparseMatrix(rng, c), c.M, c.K);
    } finally {
      setFloat32Allocator(prev);
    }
  }

  it('sparse_columns builds the index SparseRows.columns() builds (stable, rows in increasing order)', () => {
    const rng = new Rng(21);
    const heap = wasmHeap();
    for (let trial = 0; trial < 30; trial++) {
      const c: Case = { M: 1 + rng.int(60), N: 1, K: 4 * (1 + rng.int(50)), density: trial === 0 ? 0 : trial === 1 ? 1 : rng.uniform() * 0.5, zeroRows: rng.uniform() < 0.3, zeroCols: rng.uniform() < 0.3 };
      const x = wasmRows(rng, c);
      const js = x.columns();
      const columns = c.K / 4;
      const want = { start: Array.from(js.start.subarray(0, columns + 1)), entries: Array.from(js.entries.subarray(0, 2 * x.blocks)) };
      // The index is well formed: per column, rows increase and each entry points at a block of that column.
      for (let u = 0; u < columns; u++) {
        for (let e = want.start[u]; e < want.start[u + 1]; e++) {
          expect(x.blockFeature[want.entries[2 * e] / 16]).toBe(4 * u);
          if (e > want.start[u]) expect(want.entries[2 * e + 1]).toBeGreaterThan(want.entries[2 * e - 1]);
        }
      }
      js.start.fill(-7);
      js.entries.fill(-7);
      const { start, entries } = x.columnStorage();
      sparseWasmExports()!.sparse_columns(x.rows, heap.addressOf(x.rowStart as unknown as Float32Array), heap.addressOf(x.blockFeature as unknown as Float32Array), columns, heap.addressOf(start as unknown as Float32Array), heap.addressOf(entries as unknown as Float32Array));
      expect({ start: Array.from(start.subarray(0, columns + 1)), entries: Array.from(entries.subarray(0, 2 * x.blocks)) }).toEqual(want);
      x.dispose();
    }
  });

  it('spmm_dw_cols gives the bits of the row kernel spmm_dw (widths not a multiple of 4 included)', () => {
    const api = wasmApi()!;
    const heap = wasmHeap();
    const addr = (a: Float32Array | Int32Array): number => heap.addressOf(a as unknown as Float32Array);
    const rng = new Rng(22);
    for (let trial = 0; trial < 24; trial++) {
      const c: Case = { M: SPARSE_COLUMNS_MIN_ROWS + rng.int(120), N: 1 + rng.int(40), K: 4 * (1 + rng.int(40)), density: trial === 0 ? 1 : rng.uniform() * 0.6, zeroRows: rng.uniform() < 0.3, zeroCols: rng.uniform() < 0.3 };
      const x = wasmRows(rng, c);
      const ldw = c.K + (trial % 3), ldy = c.N + 1;
      const ex = new api.Instance(new api.Module(buildSparseProductModule(4 * ldw, undefined, wasmFeatures().relaxedSimd, heap.shared)), { env: { memory: heap.memory } }).exports as unknown as SparseProductExports;
      const dY = rng.fillUniform(heap.allocFloat32(c.M * ldy), -1, 1);
      const dW0 = rng.fillUniform(new Float32Array(c.N * ldw), -1, 1);
      const byRows = heap.allocFloat32(dW0.length), byCols = heap.allocFloat32(dW0.length);
      byRows.set(dW0);
      byCols.set(dW0);
      ex.spmm_dw(x.rows, c.N, addr(x.rowStart), addr(x.blockFeature), addr(x.values), addr(dY), 4 * ldy, addr(byRows));
      const { start, entries } = x.columns();
      const whole = c.N - (c.N % 4);
      ex.spmm_dw_cols(c.N, c.K / 4, addr(start), addr(entries), addr(x.values), addr(dY), 4 * ldy, addr(byCols));
      // The column kernel does whole groups of 4 outputs only: the rest of dW is untouched.
      for (let p = whole * ldw; p < dW0.length; p++) expect(byCols[p]).toBe(dW0[p]);
      expect(Array.from(byCols.subarray(0, whole * ldw))).toEqual(Array.from(byRows.subarray(0, whole * ldw)));
      for (const a of [dY, byRows, byCols]) heap.freeArray(a);
      x.dispose();
    }
  });
});

describe('SparseRows', () => {
  it('stores only the non-zero blocks and gathers rows of a dataset form', () => {
    const X = new Float32Array([0, 0, 0, 0, 1, 0, 0, 2, /* row 1 */ 0, 0, 0, 0, 0, 0, 0, 0, /* row 2 */ 3, 0, 0, 0, 0, 0, 0, -0]);
    const all = SparseRows.fromDense(X, 3, 8);
    expect(Array.from(all.rowStart.subarray(0, 4))).toEqual([0, 1, 1, 2]);
    expect(Array.from(all.blockFeature.subarray(0, 2))).toEqual([4, 0]);
    expect(all.density).toBeCloseTo(2 / 6);
    const batch = new SparseRows(8, 4);
    batch.gather(all, [2, 0, 1, 2], 0, 4);
    expect(Array.from(batch.toDense())).toEqual([3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => batch.gather(all, [3], 0, 1)).toThrow(/row 3 is outside 0\.\.2/);
    expect(() => new SparseRows(6, 1)).toThrow(/multiple of 4/);
  });

  it('gatherBlocks (one WebAssembly call in the heap) gathers what SparseRows.gather does, with its errors', () => {
    const rng = new Rng(31);
    const prev = useWasmMemory(true);
    try {
      const X = sparseMatrix(rng, { M: 40, N: 1, K: 36, density: 0.2, zeroRows: true });
      const all = SparseRows.fromDense(X, 40, 36);
      const viaJs = new SparseRows(36, 12), viaWasm = new SparseRows(36, 12);
      for (let trial = 0; trial < 20; trial++) {
        const count = 1 + rng.int(12);
        const order = Array.from({ length: count + 3 }, () => rng.int(40));
        viaJs.gather(all, order, 3, count);
        gatherBlocks(viaWasm, all, order, 3, count);
        expect(viaWasm.rows).toBe(count);
        expect(Array.from(viaWasm.rowStart.subarray(0, count + 1))).toEqual(Array.from(viaJs.rowStart.subarray(0, count + 1)));
        expect(Array.from(viaWasm.blockFeature.subarray(0, viaJs.blocks))).toEqual(Array.from(viaJs.blockFeature.subarray(0, viaJs.blocks)));
        expect(Array.from(viaWasm.values.subarray(0, 4 * viaJs.blocks))).toEqual(Array.from(viaJs.values.subarray(0, 4 * viaJs.blocks)));
        expect(viaWasm.toDense()).toEqual(viaJs.toDense());
      }
      expect(() => gatherBlocks(viaWasm, all, [0, 40], 0, 2)).toThrow(/row 40 is outside 0\.\.39/);
      const small = new SparseRows(36, 12, 2);
      const busy = Array.from({ length: 40 }, (_, i) => i).filter((i) => all.rowStart[i + 1] - all.rowStart[i] >= 2);
      expect(() => gatherBlocks(small, all, [busy[0], busy[1]], 0, 2)).toThrow(/capacity of 2 blocks/);
      for (const s of [all, viaJs, viaWasm, small]) s.dispose();
    } finally {
      setFloat32Allocator(prev);
    }
  });

  it('chooses the kernel by mode and density', () => {
    const heap = wasmHeap();
    const prev = useWasmMemory(true);
    const w = heap.allocFloat32(12), y = heap.allocFloat32(2);
    const sparse = SparseRows.fromDense(new Float32Array([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 1, 12); // 1 of 3 blocks
    const dense = SparseRows.fromDense(new Float32Array([1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]), 1, 12); // 2 of 3
    setFloat32Allocator(prev);
    try {
      expect(sparse.density).toBeLessThanOrEqual(SPARSE_AUTO_MAX_DENSITY);
      expect(dense.density).toBeGreaterThan(SPARSE_AUTO_MAX_DENSITY);
      const wasm = sparseWasmKernel();
      expect(chooseSparseKernel(sparse, w, y)).toBe(wasm);
      expect(chooseSparseKernel(dense, w, y)).toBe(null);
      expect(chooseSparseKernel(sparse, new Float32Array(12), y)).toBe(null); // not in the heap: dense
      setSparseInputMode('sparse');
      expect(chooseSparseKernel(dense, w, y)).toBe(wasm);
      expect(chooseSparseKernel(sparse, new Float32Array(12), y)?.name).toBe('sparse-js');
      setSparseInputMode('dense');
      expect(chooseSparseKernel(sparse, w, y)).toBe(null);
      expect(() => setSparseInputMode('fast' as never)).toThrow(/'auto', 'sparse' or 'dense'/);
    } finally {
      setSparseInputMode('auto');
      heap.freeArray(w);
      heap.freeArray(y);
    }
  });
});
