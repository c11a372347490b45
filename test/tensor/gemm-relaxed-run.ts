/**
 * Run the gemm spec on the relaxed-SIMD kernels. Started by gemm-relaxed.test.ts as
 * `node --experimental-wasm-relaxed-simd --import tsx test/tensor/gemm-relaxed-run.ts` (vitest's own
 * workers run without the flag). Prints one line per case and exits 1 on any failure, 2 if the engine
 * did not expose relaxed SIMD despite the flag.
 */
import { wasmFeatures } from '../../src/tensor/gemm/wasm/features.js';
import { activeGemmKernel } from '../../src/tensor/index.js';
import { gemmSpec, kernelsUnderTest } from './gemm-spec.js';

if (!wasmFeatures().relaxedSimd) {
  console.error('relaxed SIMD is not available in this process');
  process.exit(2);
}
const kernels = kernelsUnderTest().filter((k) => k.name.startsWith('wasm-relaxed'));
console.log(`default kernel: ${activeGemmKernel().name}`);
let failed = 0;
for (const kernel of kernels) {
  for (const [title, run] of gemmSpec) {
    try {
      run(kernel);
      console.log(`ok   ${kernel.name}: ${title}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${kernel.name}: ${title}: ${(e as Error).message}`);
    }
  }
}
console.log(`${kernels.length} kernels, ${failed} failures`);
process.exit(failed === 0 && kernels.length >= 4 ? 0 : 1);
