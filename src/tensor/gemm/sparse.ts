/**
 * The sparse-input path of a dense layer: the two products of a first layer whose input X is mostly exact
 * zeros (raw MNIST pixels: 81 %), computed over X's non-zero blocks only (X in the block form of
 * ./sparse-rows.ts, W and dW in PyTorch's [out, in] layout):
 *
 *   forward          Y[M, N] += X·Wᵀ        (Y pre-filled with the bias, as the dense path's beta = 1)
 *   weight gradient  dW[N, K] += dYᵀ·X
 *
 * Every kernel sits behind {@link SparseInputKernel} and is tested against the dense reference gemm on the
 * densified X (test/tensor/sparse.test.ts): same results up to float32 summation order. Kernels:
 * - `sparse-wasm` — WebAssembly SIMD (./wasm/sparse.ts), when every operand lives in the WebAssembly heap;
 * - `sparse-js` — plain loops, float64 sums per output; runs anywhere.
 *
 * What differs from the dense product besides rounding order: terms with x = 0 are not evaluated, so a
 * non-finite weight meeting a zero input gives a finite output here where the dense product (and PyTorch)
 * gives NaN (0·∞). Training loops meet that only after divergence, which the loss detects anyway.
 *
 * When the sparse path runs ({@link chooseSparseKernel}): mode 'auto' (the default) takes `sparse-wasm`
 * when the operands allow it and the batch's block density is at most {@link SPARSE_AUTO_MAX_DENSITY}
 * (the crossover measured with `npm run bench -- sparse`); 'sparse' forces it (falling back to
 * `sparse-js`), 'dense' never takes it. {@link setSparseInputMode} sets the mode process-wide.
 */
import { wasmHeap } from '../memory.js';
import { SPARSE_BLOCK, SparseRows } from './sparse-rows.js';
import { instantiateOnHeap, simdHeapModule } from './wasm/heap-module.js';
import { wasmFeatures } from './wasm/features.js';
import { buildSparseModule, buildSparseProductModule, type SparseExports, type SparseProductExports } from './wasm/sparse.js';

export { SparseRows, SPARSE_BLOCK } from './sparse-rows.js';

export interface SparseInputKernel {
  readonly name: string;
  /** Y[i, j] += Σ_k X[i, k]·W[j, k] for i < x.rows, j < N; W[j, k] = W[wOffset + j·ldw + k], Y[i, j] = Y[yOffset + i·ldy + j]. */
  forward(x: SparseRows, N: number, W: Float32Array, wOffset: number, ldw: number, Y: Float32Array, yOffset: number, ldy: number): void;
  /** dW[j, k] += Σ_i dY[i, j]·X[i, k]; dY[i, j] = dY[dyOffset + i·ldy + j], dW[j, k] = dW[dwOffset + j·ldw + k]. */
  gradWeight(x: SparseRows, N: number, dY: Float32Array, dyOffset: number, ldy: number, dW: Float32Array, dwOffset: number, ldw: number): void;
}

/** Plain loops: per output one float64 sum over the row's blocks, rounded once and added to Y. */
export const sparseJsKernel: SparseInputKernel = {
  name: 'sparse-js',
  forward(x, N, W, wOffset, ldw, Y, yOffset, ldy) {
    const { rowStart, blockFeature, values } = x;
    for (let i = 0; i < x.rows; i++) {
      const from = rowStart[i], to = rowStart[i + 1];
      const yRow = yOffset + i * ldy;
      for (let j = 0; j < N; j++) {
        const wRow = wOffset + j * ldw;
        let s = 0;
        for (let b = from; b < to; b++) {
          const w = wRow + blockFeature[b], v = b * SPARSE_BLOCK;
          s += values[v] * W[w] + values[v + 1] * W[w + 1] + values[v + 2] * W[w + 2] + values[v + 3] * W[w + 3];
        }
        Y[yRow + j] += s;
      }
    }
  },
  gradWeight(x, N, dY, dyOffset, ldy, dW, dwOffset, ldw) {
    const { rowStart, blockFeature, values } = x;
    for (let i = 0; i < x.rows; i++) {
      const from = rowStart[i], to = rowStart[i + 1];
      const dyRow = dyOffset + i * ldy;
      for (let j = 0; j < N; j++) {
        const d = dY[dyRow + j];
        const wRow = dwOffset + j * ldw;
        for (let b = from; b < to; b++) {
          const w = wRow + blockFeature[b], v = b * SPARSE_BLOCK;
          dW[w] += d * values[v];
          dW[w + 1] += d * values[v + 1];
          dW[w + 2] += d * values[v + 2];
          dW[w + 3] += d * values[v + 3];
        }
      }
    }
  },
};

/** A kernel that can also say whether it runs on these arrays in place. */
export interface PlacedSparseKernel extends SparseInputKernel {
  /** True when every array lives where the kernel computes (the WebAssembly heap). */
  accepts(x: SparseRows, a: Float32Array, b: Float32Array): boolean;
}

/** The helpers' exports (zero_runs, sparse_columns, sparse_gather, sigmoids) on the process-wide heap, or null without SIMD or shared memory. */
export const sparseWasmExports = simdHeapModule<SparseExports>(buildSparseModule);

const productModules = new Map<number, SparseProductExports>();

/** The products for weights with rows `ldwBytes` apart (one small module per leading dimension, built on first use). */
function productExports(ldwBytes: number): SparseProductExports {
  let ex = productModules.get(ldwBytes);
  if (ex === undefined) {
    ex = instantiateOnHeap<SparseProductExports>((shared) => buildSparseProductModule(ldwBytes, undefined, wasmFeatures().relaxedSimd, shared));
    productModules.set(ldwBytes, ex);
  }
  return ex;
}

function makeWasmSparseKernel(): PlacedSparseKernel | null {
  const helpers = sparseWasmExports();
  if (helpers === null) return null;
  const heap = wasmHeap();
  const addr = (a: Float32Array | Int32Array): number => heap.addressOf(a as unknown as Float32Array);
  const accepts = (x: SparseRows, a: Float32Array, b: Float32Array): boolean =>
    addr(x.values) >= 0 && addr(x.rowStart) >= 0 && addr(x.blockFeature) >= 0 && addr(a) >= 0 && addr(b) >= 0;
  return {
    name: 'sparse-wasm',
    accepts,
    forward(x, N, W, wOffset, ldw, Y, yOffset, ldy) {
      if (!accepts(x, W, Y) || ldw < 1) return sparseJsKernel.forward(x, N, W, wOffset, ldw, Y, yOffset, ldy);
      productExports(4 * ldw).spmm_fwd(x.rows, N, addr(x.rowStart), addr(x.blockFeature), addr(x.values), addr(W) + 4 * wOffset, addr(Y) + 4 * yOffset, 4 * ldy);
    },
    gradWeight(x, N, dY, dyOffset, ldy, dW, dwOffset, ldw) {
      if (!accepts(x, dY, dW) || ldw < 1) return sparseJsKernel.gradWeight(x, N, dY, dyOffset, ldy, dW, dwOffset, ldw);
      const ex = productExports(4 * ldw);
      let done = 0;
      if (x.rows >= SPARSE_COLUMNS_MIN_ROWS && N >= 4) {
        const { start, entries } = x.columnStorage();
        if (addr(start) >= 0 && addr(entries) >= 0) {
          helpers.sparse_columns(x.rows, addr(x.rowStart), addr(x.blockFeature), x.features / SPARSE_BLOCK, addr(start), addr(entries));
          ex.spmm_dw_cols(N, x.features / SPARSE_BLOCK, addr(start), addr(entries), addr(x.values), addr(dY) + 4 * dyOffset, 4 * ldy, addr(dW) + 4 * dwOffset);
          done = N - (N % 4);
        }
      }
      if (done < N) {
        ex.spmm_dw(x.rows, N - done, addr(x.rowStart), addr(x.blockFeature), addr(x.values), addr(dY) + 4 * (dyOffset + done), 4 * ldy, addr(dW) + 4 * (dwOffset + done * ldw));
      }
    },
  };
}

/**
 * The batch size from which the weight gradient takes the column kernel (spmm_dw_cols, after building the
 * batch's column index with sparse_columns) instead of the row kernel (spmm_dw). Measured with
 * `npm run bench -- sparse --batch-sizes 1,2,4,8,50 --densities mnist` (784 → 256, CPU µs per call, 5
 * rounds, both forced in turn): rows 13 / 21 / 33 / 70 / 355 µs, columns 27 / 26 / 34 / 48 / 193 µs at
 * batch 1 / 2 / 4 / 8 / 50 — the crossover is at about 4. Both give the same bits.
 */
export const SPARSE_COLUMNS_MIN_ROWS = 4;

let wasmKernel: PlacedSparseKernel | null | undefined;

/** The WebAssembly sparse kernel, or null where the engine lacks SIMD or shared memory. */
export function sparseWasmKernel(): PlacedSparseKernel | null {
  if (wasmKernel === undefined) wasmKernel = makeWasmSparseKernel();
  return wasmKernel;
}

/** Every sparse-input kernel this engine can run (what the property tests cover). */
export function sparseInputKernels(): SparseInputKernel[] {
  const w = sparseWasmKernel();
  return w ? [sparseJsKernel, w] : [sparseJsKernel];
}

export type SparseInputMode = 'auto' | 'sparse' | 'dense';

/**
 * The block density (stored blocks ÷ all blocks of the batch) up to which 'auto' takes the sparse path.
 * Measured with `npm run bench -- sparse --batch-sizes 50 --densities mnist,0.3,0.4,0.5,0.6,0.7 --rounds 5`
 * (784 → 256, forward + weight gradient against the dense wasm-relaxed gemm, CPU time, 5 interleaved rounds,
 * 2-core EPYC with the column-form weight gradient): dense÷sparse 2.29 on MNIST batches (0.27), 1.94 at
 * 0.3, 1.66 at 0.4, 1.34 at 0.5, 1.04 at 0.6, 0.92 at 0.7, so the crossover is ≈ 0.62 (it was ≈ 0.48 with
 * the row-form weight gradient); batch 1 — the sparse kernels win at every density (no packing, no per-call
 * blocking). 0.55 keeps batches near the crossover on the gemm, whose cost varies less. The same bound
 * decides whether a training set gets a block form at all (SparseInputFeed).
 */
export const SPARSE_AUTO_MAX_DENSITY = 0.55;

let mode: SparseInputMode = 'auto';

/** Set the sparse-input mode process-wide ('auto' | 'sparse' | 'dense'); returns the previous one. */
export function setSparseInputMode(next: SparseInputMode): SparseInputMode {
  if (next !== 'auto' && next !== 'sparse' && next !== 'dense') {
    throw new RangeError(`setSparseInputMode: mode must be 'auto', 'sparse' or 'dense', got '${String(next)}'`);
  }
  const previous = mode;
  mode = next;
  return previous;
}

export function sparseInputMode(): SparseInputMode {
  return mode;
}

/**
 * The kernel to run `x` through with the operands `a`, `b` (weights and output), or null for the dense
 * path, by the current mode (see the module comment).
 */
export function chooseSparseKernel(x: SparseRows, a: Float32Array, b: Float32Array): SparseInputKernel | null {
  if (mode === 'dense') return null;
  const w = sparseWasmKernel();
  const placed = w !== null && w.accepts(x, a, b);
  if (mode === 'sparse') return placed ? w : sparseJsKernel;
  return placed && x.density <= SPARSE_AUTO_MAX_DENSITY ? w : null;
}

let gatherOrder: Int32Array | null = null;

/** Byte address of an array in the process-wide WebAssembly heap, or −1 (a plain function: no closure per call). */
function heapAddress(a: Float32Array | Int32Array): number {
  return wasmHeap().addressOf(a as unknown as Float32Array);
}

/**
 * `dest.gather(source, order, start, count)` — the rows order[start …] of a block form — as one WebAssembly
 * call (sparse_gather: a contiguous copy per row) when both forms live in the WebAssembly heap, else the JS
 * loop of SparseRows.gather. The same checks and errors either way; allocates nothing per call (the row
 * indices pass through a small buffer in the heap, grown when a larger batch comes).
 */
export function gatherBlocks(dest: SparseRows, source: SparseRows, order: ArrayLike<number>, start: number, count: number): SparseRows {
  const ex = sparseWasmExports();
  if (ex === null || source.features !== dest.features || count > dest.capacityRows) return dest.gather(source, order, start, count);
  const heap = wasmHeap();
  const addr = heapAddress;
  if (addr(dest.values) < 0 || addr(source.values) < 0 || addr(dest.rowStart) < 0 || addr(source.rowStart) < 0 || addr(dest.blockFeature) < 0 || addr(source.blockFeature) < 0) {
    return dest.gather(source, order, start, count);
  }
  if (gatherOrder === null || gatherOrder.length < count) {
    if (gatherOrder !== null) heap.freeArray(new Float32Array(gatherOrder.buffer, gatherOrder.byteOffset, gatherOrder.length));
    const f = heap.allocFloat32(Math.max(count, 64));
    gatherOrder = new Int32Array(f.buffer, f.byteOffset, f.length);
  }
  const idx = gatherOrder, sStart = source.rowStart;
  let blocks = 0;
  for (let r = 0; r < count; r++) {
    const i = order[start + r];
    if (!(i >= 0 && i < source.rows)) throw new RangeError(`SparseRows.gather: row ${i} is outside 0..${source.rows - 1}`);
    idx[r] = i;
    blocks += sStart[i + 1] - sStart[i];
  }
  if (blocks > dest.capacityBlocks) throw new RangeError(`SparseRows.gather: the rows need more than the capacity of ${dest.capacityBlocks} blocks`);
  ex.sparse_gather(count, addr(idx), addr(source.rowStart), addr(source.blockFeature), addr(source.values), addr(dest.rowStart), addr(dest.blockFeature), addr(dest.values));
  dest.rows = count;
  return dest;
}
