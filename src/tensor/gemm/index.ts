/**
 * sparsity-lab/tensor/gemm — the one matrix-multiply entry point (`sgemm`, `gemm`) and its kernels.
 *
 * What it is for: row-major BLAS sgemm, C = alpha·op(A)·op(B) + beta·C over Float32Arrays, in all four
 * transpose layouts, as fast as a CPU allows from JavaScript. Kernels (all behind {@link GemmKernel},
 * all run through one property spec against `reference`):
 * - `wasm-relaxed` — WebAssembly SIMD with f32x4.relaxed_madd (FMA), where the engine has relaxed SIMD
 *   (Node 20: `--experimental-wasm-relaxed-simd`); the default when available.
 * - `wasm-simd` — WebAssembly SIMD mul + add; the default otherwise.
 * - `js-tuned` — packed, 2×3 register-blocked pure JS (float64 panels in one plain array); the default where WebAssembly SIMD is missing.
 * - `js-blocked` (cache-blocked loops) and `reference` (float64 triple loop, the specification).
 * The WebAssembly module is generated at run time by the typed emitter in ./wasm (no toolchain, no
 * binary in the repository). Operands allocated with `allocFloat32` after `useWasmMemory()` are used in
 * place; others are copied into the WebAssembly memory per call. `setGemmThreads(n)` adds worker threads
 * for large products (off by default). `sgemmBiasAct` is the dense-layer forward with bias and activation.
 *
 * What it deliberately does not do: batched or strided-batch products, float64 (dgemm), complex types,
 * or choose kernels per call by timing (the choice is fixed by feature detection; see bench/matmul.ts).
 * Unlike TensorFlow.js, transposed operands are never materialised: the packers read every layout.
 */
import { Tensor, shapeString } from '../tensor.js';
import { describeValue } from '../describe.js';
import { blockedKernel } from './blocked.js';
import { GemmKernel } from './kernel.js';
import { referenceKernel } from './reference.js';
import { availableWasmKernels } from './wasm-kernel.js';
import { tunedJsKernel } from './js-tuned.js';

export type { GemmKernel } from './kernel.js';
export { referenceKernel } from './reference.js';
export { blockedKernel } from './blocked.js';
export { tunedJsKernel } from './js-tuned.js';
export { THREAD_MIN_MULTIPLY_ADDS } from './wasm-kernel.js';
export { sgemmBiasAct, type EpilogueActivation } from './epilogue.js';
export {
  SparseRows, SPARSE_BLOCK, SPARSE_AUTO_MAX_DENSITY, chooseSparseKernel, setSparseInputMode, sparseInputMode,
  sparseInputKernels, sparseJsKernel, sparseWasmKernel, type SparseInputKernel, type SparseInputMode, type PlacedSparseKernel,
} from './sparse.js';
export { GradColumns } from './grad-columns.js';
export { gemmThreadSupport } from './wasm/threads.js';
import { gemmThreadSupport } from './wasm/threads.js';

const registry = new Map<string, GemmKernel>([
  [referenceKernel.name, referenceKernel],
  [blockedKernel.name, blockedKernel],
  [tunedJsKernel.name, tunedJsKernel],
]);
const wasmKernels = availableWasmKernels();
for (const k of wasmKernels) registry.set(k.name, k);
let active: GemmKernel = wasmKernels[0] ?? tunedJsKernel;

/** Make `kernel` available by name to {@link useGemmKernel}. */
export function registerGemmKernel(kernel: GemmKernel): void {
  registry.set(kernel.name, kernel);
}

/** Route every gemm call through the named (or given) kernel; returns the previous one. */
export function useGemmKernel(kernel: string | GemmKernel): GemmKernel {
  const next = typeof kernel === 'string' ? registry.get(kernel) : kernel;
  if (typeof kernel === 'string' && !next) {
    throw new Error(`useGemmKernel: unknown kernel '${kernel}'; registered: ${[...registry.keys()].join(', ')}`);
  }
  if (!next || typeof next !== 'object' || typeof next.sgemm !== 'function' || typeof next.name !== 'string') {
    throw new TypeError(`useGemmKernel: expected a registered kernel name or a GemmKernel { name, sgemm }, got ${describeValue(kernel)}; registered: ${[...registry.keys()].join(', ')}`);
  }
  const previous = active;
  active = next;
  return previous;
}

export function activeGemmKernel(): GemmKernel {
  return active;
}

export function gemmKernels(): GemmKernel[] {
  return [...registry.values()];
}

function checkOperand(
  name: string,
  data: Float32Array,
  offset: number,
  ld: number,
  rows: number,
  cols: number,
  ldName: string,
): void {
  if (!(data instanceof Float32Array)) throw new TypeError(`sgemm: ${name} must be a Float32Array, got ${describeValue(data)}`);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`sgemm: ${name} offset must be a non-negative integer, got ${describeValue(offset)}`);
  if (!Number.isSafeInteger(ld) || ld < Math.max(1, cols)) {
    throw new RangeError(`sgemm: ${ldName} must be an integer ≥ ${Math.max(1, cols)} (the stored row length of ${name}), got ${describeValue(ld)}`);
  }
  if (rows > 0 && cols > 0 && offset + (rows - 1) * ld + cols > data.length) {
    throw new RangeError(
      `sgemm: ${name} is stored as ${rows}×${cols} with ${ldName} ${ld} from offset ${offset}, ` +
        `needing ${offset + (rows - 1) * ld + cols} elements, but has ${data.length}`,
    );
  }
}

/** Throw a RangeError/TypeError naming the first bad sgemm argument (shapes, offsets, leading dimensions). */
export function checkSgemmArgs(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: Float32Array, aOffset: number, lda: number, B: Float32Array, bOffset: number, ldb: number,
  C: Float32Array, cOffset: number, ldc: number,
): void {
  if (typeof transA !== 'boolean') throw new TypeError(`sgemm: transA must be a boolean, got ${describeValue(transA)}`);
  if (typeof transB !== 'boolean') throw new TypeError(`sgemm: transB must be a boolean, got ${describeValue(transB)}`);
  if (!Number.isSafeInteger(M) || M < 0) throw new RangeError(`sgemm: M must be a non-negative integer, got ${describeValue(M)}`);
  if (!Number.isSafeInteger(N) || N < 0) throw new RangeError(`sgemm: N must be a non-negative integer, got ${describeValue(N)}`);
  if (!Number.isSafeInteger(K) || K < 0) throw new RangeError(`sgemm: K must be a non-negative integer, got ${describeValue(K)}`);
  checkOperand('A', A, aOffset, lda, transA ? K : M, transA ? M : K, 'lda');
  checkOperand('B', B, bOffset, ldb, transB ? N : K, transB ? K : N, 'ldb');
  checkOperand('C', C, cOffset, ldc, M, N, 'ldc');
}

/**
 * Row-major BLAS sgemm, C = alpha·op(A)·op(B) + beta·C (see {@link GemmKernel} for the layout).
 * Validates every argument, then calls the active kernel. Allocates nothing.
 */
export function sgemm(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  alpha: number,
  A: Float32Array,
  aOffset: number,
  lda: number,
  B: Float32Array,
  bOffset: number,
  ldb: number,
  beta: number,
  C: Float32Array,
  cOffset: number,
  ldc: number,
): void {
  checkSgemmArgs(transA, transB, M, N, K, A, aOffset, lda, B, bOffset, ldb, C, cOffset, ldc);
  checkScalars('sgemm', alpha, beta);
  if (M === 0 || N === 0) return;
  active.sgemm(transA, transB, M, N, K, alpha, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc);
}

export interface GemmOptions {
  /** Use Aᵀ in place of A. Default false. */
  transA?: boolean;
  /** Use Bᵀ in place of B. Default false. */
  transB?: boolean;
  /** Default 1. */
  alpha?: number;
  /** Default 0 (C is overwritten, never read). */
  beta?: number;
}

/**
 * alpha and beta must be finite numbers: a non-finite scale is a caller's mistake that can only produce
 * ±∞ or NaN. (NaN or ±∞ in the matrices' data propagate as IEEE arithmetic does, as in PyTorch; with
 * beta = 0, C is not read, as in BLAS, so NaN already in C does not propagate.)
 */
function checkScalars(fn: string, alpha: number, beta: number): void {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new RangeError(`${fn}: alpha must be a finite number, got ${describeValue(alpha)}`);
  if (typeof beta !== 'number' || !Number.isFinite(beta)) throw new RangeError(`${fn}: beta must be a finite number, got ${describeValue(beta)}`);
}

/** How a rank-2 view maps onto BLAS (matrix stored row-major with leading dimension ld, maybe transposed). */
function asBlas(t: Tensor, name: string): { trans: boolean; ld: number } | null {
  if (!(t instanceof Tensor)) throw new TypeError(`gemm: ${name} must be a Tensor (a matrix), got ${describeValue(t)}`);
  if (t.rank !== 2) throw new RangeError(`gemm: ${name} must be a matrix (rank 2), got shape ${shapeString(t.shape)}`);
  const [r, c] = t.shape;
  const [sr, sc] = t.strides;
  if (sc === 1 || c === 1) return { trans: false, ld: Math.max(sr, c, 1) };
  if (sr === 1 || r === 1) return { trans: true, ld: Math.max(sc, r, 1) };
  return null;
}

/**
 * C = alpha·op(A)·op(B) + beta·C on rank-2 views. Views with a unit stride in either axis (contiguous
 * matrices, their transposes, row and column slices) go straight to the active kernel without copying;
 * any other strides fall back to the reference loop. Returns C.
 */
export function gemm(C: Tensor, A: Tensor, B: Tensor, options: GemmOptions = {}): Tensor {
  if (options === null || typeof options !== 'object') throw new TypeError(`gemm: options must be an object, got ${describeValue(options)}`);
  const { transA = false, transB = false, alpha = 1, beta = 0 } = options;
  if (typeof transA !== 'boolean') throw new TypeError(`gemm: transA must be a boolean, got ${describeValue(transA)}`);
  if (typeof transB !== 'boolean') throw new TypeError(`gemm: transB must be a boolean, got ${describeValue(transB)}`);
  checkScalars('gemm', alpha, beta);
  const a = asBlas(A, 'A');
  const b = asBlas(B, 'B');
  const c = asBlas(C, 'C');
  const M = transA ? A.shape[1] : A.shape[0];
  const K = transA ? A.shape[0] : A.shape[1];
  const Kb = transB ? B.shape[1] : B.shape[0];
  const N = transB ? B.shape[0] : B.shape[1];
  if (K !== Kb) {
    throw new RangeError(
      `gemm: inner dimensions differ: op(A) is ${M}×${K} (A ${shapeString(A.shape)}${transA ? 'ᵀ' : ''}), ` +
        `op(B) is ${Kb}×${N} (B ${shapeString(B.shape)}${transB ? 'ᵀ' : ''})`,
    );
  }
  if (C.shape[0] !== M || C.shape[1] !== N) {
    throw new RangeError(`gemm: C must be ${M}×${N}, got ${shapeString(C.shape)}`);
  }
  if (a && b && c && !c.trans) {
    sgemm(transA !== a.trans, transB !== b.trans, M, N, K, alpha, A.data, A.offset, a.ld, B.data, B.offset, b.ld, beta, C.data, C.offset, c.ld);
    return C;
  }
  // General strides: element-wise reference loop in float64.
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        const av = transA ? A.data[A.offset + k * A.strides[0] + i * A.strides[1]] : A.data[A.offset + i * A.strides[0] + k * A.strides[1]];
        const bv = transB ? B.data[B.offset + j * B.strides[0] + k * B.strides[1]] : B.data[B.offset + k * B.strides[0] + j * B.strides[1]];
        s += av * bv;
      }
      const p = C.offset + i * C.strides[0] + j * C.strides[1];
      C.data[p] = beta === 0 ? alpha * s : alpha * s + beta * C.data[p];
    }
  }
  return C;
}

let threads = 1;
/**
 * Threads for large products on the WebAssembly kernels: 1 (the default) computes on the calling thread
 * only; n > 1 starts n − 1 worker_threads sharing the WebAssembly memory, used for products of at least
 * {@link THREAD_MIN_MULTIPLY_ADDS} multiply-adds. Returns the previous setting.
 */
export function setGemmThreads(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`setGemmThreads: n must be a positive integer, got ${describeValue(n)}`);
  const support = gemmThreadSupport();
  if (n > 1 && !support.supported) throw new Error(`setGemmThreads(${n}): ${support.reason}`);
  const previous = threads;
  if (n !== threads) for (const k of wasmKernels) k.setThreads(n);
  threads = n;
  return previous;
}

export function getGemmThreads(): number {
  return threads;
}

/** Resolves once the worker threads started by {@link setGemmThreads} are running. */
export async function gemmThreadsReady(): Promise<void> {
  await Promise.all(wasmKernels.map((k) => k.threadsReady()));
}
