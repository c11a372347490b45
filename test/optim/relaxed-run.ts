/**
 * Run the optimizer specs on the relaxed-SIMD (FMA) lowering of the WebAssembly kernels. Started by
 * relaxed.test.ts as `node --experimental-wasm-relaxed-simd --import tsx test/optim/relaxed-run.ts`
 * (vitest's own workers run without the flag). Prints one line per failure and a summary; exits 1 on any
 * failure, 2 if the engine did not expose relaxed SIMD despite the flag.
 */
import { optimKernelMode, setOptimKernelMode } from '../../src/optim/wasm/index.js';
import { wasmFeatures } from '../../src/tensor/gemm/wasm/features.js';
import { loadFixture } from './fixtures.js';
import { kernelCases } from './kernel-spec.js';
import { OPTIMIZERS, newDeviation, newKernelCount, onPath, optimizerFixture, runFromStart, runResumed, runRoundingCase, type RoundingFixture } from './spec.js';

if (!wasmFeatures().relaxedSimd) {
  console.error('relaxed SIMD is not available in this process');
  process.exit(2);
}
const auto = optimKernelMode();
console.log(`default mode: ${auto}`);
if (auto !== 'fma') {
  // Relaxed madd exists but is not a single-rounding FMA on this CPU: it is never used, nothing to test.
  console.log('relaxed madd is not a fused multiply-add here; the kernels use the exact lowering');
  process.exit(0);
}
setOptimKernelMode('fma');
let failures = 0;
let checks = 0;
const fail = (what: string, msg: string | null): void => {
  checks++;
  if (msg !== null) {
    failures++;
    console.log(`FAIL ${what}: ${msg}`);
  }
};
for (const [title, run] of kernelCases()) fail(`kernel ${title}`, run());
let values = 0;
let differing = 0;
const count = newKernelCount();
for (const [name, Cls] of OPTIMIZERS) {
  const fx = optimizerFixture(name);
  const dev = newDeviation();
  const stateDev = newDeviation();
  for (const c of fx.cases) {
    fail(`${name} ${c.name}`, onPath('wasm', () => runFromStart(Cls, fx, c, dev, stateDev, count)));
    fail(`${name} ${c.name} (resumed)`, onPath('wasm', () => runResumed(Cls, fx, c, dev, stateDev, count)));
  }
  values += dev.count + stateDev.count;
  differing += dev.differing + stateDev.differing;
  console.log(`${fx.optimizer}: ${dev.count + stateDev.count} values, max ulps ${Math.max(dev.ulps, stateDev.ulps)}, not bit-identical ${dev.differing + stateDev.differing}`);
}
const rounding = loadFixture<RoundingFixture>('rounding.json');
const rdev = newDeviation();
for (const c of rounding.cases) fail(`rounding ${c.name}`, onPath('wasm', () => runRoundingCase(c, rdev, count)));
values += rdev.count;
differing += rdev.differing;
if (count.wasm !== count.updates) fail('every update in WebAssembly', `${count.wasm} of ${count.updates}`);
console.log(`mode ${optimKernelMode()}: ${checks} checks, ${values} fixture values (${differing} not bit-identical), ${count.wasm}/${count.updates} updates in wasm, ${failures} failures`);
process.exit(failures === 0 ? 0 : 1);
