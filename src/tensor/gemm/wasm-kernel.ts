/**
 * The WebAssembly SIMD gemm kernels, as {@link GemmKernel}s:
 * - `wasm-simd`: f32x4 mul + add; needs fixed-width SIMD (every current engine).
 * - `wasm-relaxed`: f32x4.relaxed_madd, a fused multiply-add on x64; needs relaxed SIMD (Node 20:
 *   `--experimental-wasm-relaxed-simd`). Detected, never required.
 * Both work on the process-wide {@link wasmHeap}; see ./wasm/driver.ts for the algorithm.
 */
import { wasmHeap, wasmMemoryAvailable } from '../memory.js';
import { GemmKernel, scaleC } from './kernel.js';
import { BlockSizes, DEFAULT_BLOCKS, HeapScratch, WasmGemmDriver } from './wasm/driver.js';
import { wasmFeatures } from './wasm/features.js';
import { gemmModule, instantiateGemm } from './wasm/instance.js';
import { WasmGemmConfig } from './wasm/module.js';
import { GemmThreadPool } from './wasm/threads.js';

/**
 * Tuned on Zen 4 with bench/matmul.ts: the register tile and unroll of each variant. The 4-step unroll
 * (pinned, see ./wasm/micro.ts) measured +8–22% for wasm-simd and +5–18% for wasm-relaxed over one step
 * per iteration, as the median of paired ratios over 20 interleaved rounds on the matmul shapes.
 */
export const WASM_SIMD_CONFIG: WasmGemmConfig = { mr: 4, nr: 8, unroll: 4, fma: false };
export const WASM_RELAXED_CONFIG: WasmGemmConfig = { mr: 3, nr: 12, unroll: 4, fma: true };

/**
 * Products with fewer multiply-adds than this stay on one thread: waking a worker and splitting the
 * packing costs tens of microseconds, which only pays back on products that take milliseconds (measured
 * with `npm run bench -- matmul --threads`).
 */
export const THREAD_MIN_MULTIPLY_ADDS = 1 << 24;

export interface WasmGemmKernel extends GemmKernel {
  readonly driver: WasmGemmDriver;
  /**
   * Use `n` threads (this one plus n − 1 workers) for products of at least `minMultiplyAdds` (M·N·K);
   * n = 1 stops the workers.
   */
  setThreads(n: number, minMultiplyAdds?: number): void;
  /** Resolves when the workers have started (they are skipped until then). */
  threadsReady(): Promise<void>;
}

export function makeWasmKernel(name: string, config: WasmGemmConfig, blocks: BlockSizes = DEFAULT_BLOCKS): WasmGemmKernel {
  const heap = wasmHeap();
  const driver = new WasmGemmDriver(instantiateGemm(gemmModule(config, heap.shared), heap), config, blocks, new HeapScratch(heap), heap);
  let pool: GemmThreadPool | null = null;
  let threads = 1;
  // Workers start on the first product large enough to use them (that one still runs on this thread).
  const startPool = (): GemmThreadPool => (pool ??= new GemmThreadPool(heap, config, blocks, threads - 1));
  return {
    name,
    driver,
    setThreads(n, minMultiplyAdds = THREAD_MIN_MULTIPLY_ADDS) {
      if (pool) void pool.terminate();
      pool = null;
      threads = n;
      driver.parallel = null;
      if (n <= 1) return;
      driver.parallel = (self, tA, tB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc) =>
        M * N * K >= minMultiplyAdds && M >= 2 * config.mr && startPool().run(self, tA, tB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc);
    },
    threadsReady: () => (threads > 1 ? startPool().whenReady() : Promise.resolve()),
    sgemm(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc) {
      if (M === 0 || N === 0) return;
      if (K === 0 || alpha === 0) {
        scaleC(M, N, beta, C, cOff, ldc);
        return;
      }
      driver.sgemm(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
    },
  };
}

/** The kernels this engine can run, fastest first. */
export function availableWasmKernels(): WasmGemmKernel[] {
  const f = wasmFeatures();
  // Shared memory is not required: without it (a page that is not cross-origin isolated) the heap is a
  // fixed-size non-shared memory and the kernels run on the calling thread only.
  if (!f.simd || !wasmMemoryAvailable()) return [];
  const out: WasmGemmKernel[] = [];
  if (f.relaxedSimd) out.push(makeWasmKernel('wasm-relaxed', WASM_RELAXED_CONFIG));
  out.push(makeWasmKernel('wasm-simd', WASM_SIMD_CONFIG));
  return out;
}
