/**
 * Child process of sparse-input-relaxed.test.ts, run with --experimental-wasm-relaxed-simd: the optimizer
 * kernels are then in 'fma' mode, where SGD's column-run step is the dedicated `sgd_runs_fma` kernel.
 * Checks it bit-identical to the full step (as sparse-input.test.ts does in the default mode).
 */
import { SGD, Adagrad, setSkipZeroGradients } from '../../src/optim/index.js';
import { familyKernels } from '../../src/optim/wasm/runtime.js';
import { useWasmMemory } from '../../src/tensor/memory.js';
import { sparseDataset, train, trainer, type Optimizer } from './sparse-input-helpers.js';
import type { Sequential } from '../../src/layers/index.js';

useWasmMemory(true);
const k = familyKernels('sgd');
console.log(`optimizer kernel mode: ${k?.mode}; sgd_runs_fma: ${k?.sgdRunsFma ? 'present' : 'absent'}`);
let failures = 0;
const cases: Array<[string, (m: Sequential) => Optimizer]> = [
  ['SGD', (m) => new SGD(m.parameters(), { lr: 0.1 })],
  ['Adagrad', (m) => new Adagrad(m.parameters(), { lr: 0.1 })],
];
for (const [name, make] of cases) {
  for (const batch of [1, 5]) {
    const data = sparseDataset(120, 2);
    setSkipZeroGradients(true);
    const a = trainer(data, batch, make, true);
    const wa = train(a, data, batch, 25);
    setSkipZeroGradients(false);
    const b = trainer(data, batch, make, true);
    const wb = train(b, data, batch, 25);
    const same = wa.every((w, i) => w.length === wb[i].length && w.every((v, j) => Object.is(v, wb[i][j])));
    if (!same) failures++;
    console.log(`${name} batch ${batch}: ${same ? 'bit-identical' : 'DIFFERENT'}`);
    a.dispose();
    b.dispose();
  }
}
console.log(`${failures} failures`);
process.exit(failures === 0 ? 0 : 1);
