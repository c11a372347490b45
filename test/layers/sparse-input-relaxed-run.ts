/**
 * Child process of sparse-input-relaxed.test.ts, run with --experimental-wasm-relaxed-simd: the optimizer
 * kernels are then in 'fma' mode (the column-run kernels use the relaxed madd).
 * Checks it, Adagrad's and Adadelta's (deferred decays) column-run steps bit-identical to the full step
 * (as sparse-input.test.ts does in the default mode).
 */
import { SGD, Adadelta, Adagrad, setSkipZeroGradients } from '../../src/optim/index.js';
import { familyKernels } from '../../src/optim/wasm/runtime.js';
import { useWasmMemory, wasmHeap } from '../../src/tensor/memory.js';
import { Rng, referenceKernel } from '../../src/tensor/index.js';
import { SparseRows, sparseWasmKernel } from '../../src/tensor/gemm/sparse.js';
import { sparseDataset, train, trainer, type Optimizer } from './sparse-input-helpers.js';
import type { Sequential } from '../../src/layers/index.js';

useWasmMemory(true);
const k = familyKernels('sgd');
console.log(`optimizer kernel mode: ${k?.mode}; block-run kernels: ${k?.blockRuns[0] ? 'present' : 'absent'}`);
let failures = 0;
const cases: Array<[string, (m: Sequential) => Optimizer]> = [
  ['SGD', (m) => new SGD(m.parameters(), { lr: 0.1 })],
  ['Adagrad', (m) => new Adagrad(m.parameters(), { lr: 0.1 })],
  ['Adadelta (deferred decays)', (m) => new Adadelta(m.parameters())],
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
// The sparse-input kernels' relaxed-madd build against the dense reference (tolerance as test/tensor/sparse.test.ts).
{
  const kernel = sparseWasmKernel()!;
  const heap = wasmHeap();
  const rng = new Rng(9);
  for (const [M, N, K, density] of [[50, 256, 784, 0.2], [7, 13, 28, 0.5], [1, 10, 8, 1]] as const) {
    const X = new Float32Array(M * K);
    for (let p = 0; p < X.length; p++) if (rng.uniform() < density) X[p] = rng.uniform(-1, 1);
    const x = SparseRows.fromDense(X, M, K);
    const W = rng.fillUniform(heap.allocFloat32(N * K), -1, 1), Y = heap.allocFloat32(M * N), R = new Float32Array(M * N);
    kernel.forward(x, N, W, 0, K, Y, 0, N);
    referenceKernel.sgemm(false, true, M, N, K, 1, X, 0, K, W, 0, K, 0, R, 0, N);
    const dY = rng.fillUniform(heap.allocFloat32(M * N), -1, 1), dW = heap.allocFloat32(N * K), RW = new Float32Array(N * K);
    kernel.gradWeight(x, N, dY, 0, N, dW, 0, K);
    referenceKernel.sgemm(true, false, N, K, M, 1, dY, 0, N, X, 0, K, 0, RW, 0, K);
    const bad = (got: Float32Array, want: Float32Array, depth: number) => got.some((v, i) => !(Math.abs(v - want[i]) <= 4 * depth * 2 ** -24 * depth + 1e-30));
    const ok = !bad(Y, R, K) && !bad(dW, RW, M);
    if (!ok) failures++;
    console.log(`sparse-wasm (relaxed) ${M}×${N}×${K}: ${ok ? 'matches the reference' : 'MISMATCH'}`);
    for (const a of [W, Y, dY, dW]) heap.freeArray(a);
  }
}
console.log(`${failures} failures`);
process.exit(failures === 0 ? 0 : 1);
