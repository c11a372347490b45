import { afterAll, beforeAll, describe, it } from 'vitest';
import { Rng } from '../../src/tensor/index.js';
import { WASM_SIMD_CONFIG, makeWasmKernel, type WasmGemmKernel } from '../../src/tensor/gemm/wasm-kernel.js';
import { wasmFeatures } from '../../src/tensor/gemm/wasm/features.js';
import { check } from './gemm-spec.js';

/**
 * The worker_threads path: a kernel on 2 threads with the size threshold lowered to 0, so every product
 * of at least 2·mr rows is split — by rows when there are enough row panels, else by columns — and
 * compared with the reference (./gemm-spec.ts tolerance). Worker start-up (under tsx here) takes ~1 s.
 */
describe.skipIf(!wasmFeatures().simd)('wasm gemm on 2 threads', () => {
  let kernel: WasmGemmKernel;
  beforeAll(async () => {
    kernel = makeWasmKernel('wasm-simd/2-threads', WASM_SIMD_CONFIG, { mc: 8, kc: 16, nc: 24, packANMin: 1 });
    kernel.setThreads(2, 0);
    await kernel.threadsReady();
  });
  afterAll(() => kernel.setThreads(1));

  it('matches the reference in every layout, split by rows and by columns, with K blocking', () => {
    const rng = new Rng(11);
    for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
      check(kernel, tA, tB, 67, 45, 37, 1, 0, 0, rng); // 17 row panels: split by rows, last part partial
      check(kernel, tA, tB, 9, 70, 33, -0.5, 2, 3, rng); // 3 row panels: split by columns
      check(kernel, tA, tB, 128, 33, 65, 1, 1, 1, rng);
    }
  });
});
