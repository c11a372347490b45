/**
 * Prints, for every conv fixture and every registered gemm kernel, the worst deviation from PyTorch as a
 * fraction of the tolerance of conv-pytorch.test.ts (≤ 1 passes). Run with relaxed SIMD to include the
 * `wasm-relaxed` kernel, which vitest's workers cannot enable:
 *   node --experimental-wasm-relaxed-simd --import tsx test/layers/conv-deviations.ts
 */
import { gemmKernels, useGemmKernel } from '../../src/tensor/gemm/index.js';
import { convCaseNames, loadConvCase, refElements, runConvCase } from './conv-fixtures.js';

const RTOL = 1e-5, FLOOR = 0.1;
let failed = false;
for (const k of gemmKernels()) {
  useGemmKernel(k);
  let worstAll = 0, where = '';
  for (const name of convCaseNames) {
    const run = runConvCase(loadConvCase(name));
    for (const cmp of run.comparisons) {
      const ref = refElements(cmp.ref);
      const big = Math.max(...ref.values.map(Math.abs));
      ref.values.forEach((r, j) => {
        const q = Math.abs(cmp.ours[ref.index[j]] - r) / (RTOL * (Math.abs(r) + FLOOR * big));
        if (!(q <= worstAll)) (worstAll = q), (where = `${name} ${cmp.what}`);
      });
    }
    if (run.loss && Math.abs(run.loss.ours - run.loss.ref) > 1e-6 * Math.abs(run.loss.ref)) (failed = true), console.log(`${k.name} ${name}: loss off`);
  }
  if (!(worstAll <= 1)) failed = true;
  console.log(`${k.name.padEnd(13)} worst ${worstAll.toFixed(3)} of the bound (${where})`);
}
process.exitCode = failed ? 1 : 0;
