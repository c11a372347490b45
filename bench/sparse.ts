/**
 * `npm run bench -- sparse [--batch-sizes 1,50] [--densities 0.02,0.05,...] [--rounds 7] [--json]`:
 * the first layer's two input products — Y = X·Wᵀ (+ Y) and dW += dYᵀ·X, 784 → 256 — on the sparse
 * kernels against the active dense gemm, to find the crossover density for `SPARSE_AUTO_MAX_DENSITY`.
 *
 * Inputs: real MNIST batches (`mnist`, block density ~0.3) and random matrices whose entries are non-zero
 * with probability p, grouped so that a fraction `density` of the 4-feature blocks is non-zero (the
 * kernels' cost follows block density). All operands live in the WebAssembly heap (as in training).
 * Timed interleaved (sparse, dense, sparse, …) by CPU time per call; `dense÷sparse` > 1: sparse is faster.
 */
import { loadMnist } from '../src/data/index.js';
import { activeGemmKernel, sgemm } from '../src/tensor/gemm/index.js';
import { SparseRows, sparseWasmKernel } from '../src/tensor/gemm/sparse.js';
import { setFloat32Allocator, useWasmMemory, wasmHeap } from '../src/tensor/memory.js';
import { Rng } from '../src/tensor/random.js';
import { hasFlag, median, printJsonLine, printTable } from './harness.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** CPU ms per call of `fn`, repeated until ~20 ms of CPU time pass. */
function cpuPerCall(fn: () => void): number {
  let reps = 0;
  const c0 = process.cpuUsage();
  let used = 0;
  do {
    for (let i = 0; i < 10; i++) fn();
    reps += 10;
    const c = process.cpuUsage(c0);
    used = (c.user + c.system) / 1000;
  } while (used < 20);
  return used / reps;
}

export async function main(args: string[]): Promise<void> {
  const json = hasFlag(args, 'json');
  const batches = (option(args, 'batch-sizes') ?? '1,50').split(',').map(Number);
  const densities = (option(args, 'densities') ?? 'mnist,0.05,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,1').split(',');
  const rounds = Number(option(args, 'rounds') ?? 5);
  const K = 784, N = 256;
  const kernel = sparseWasmKernel();
  if (!kernel) throw new Error('bench sparse: the WebAssembly sparse kernel is unavailable here');
  const mnist = loadMnist().train;
  const heap = wasmHeap();
  const previous = useWasmMemory(true);
  const rng = new Rng(5);
  const rows: Array<Record<string, string | number>> = [];
  let layoutMirrorUs = NaN;
  try {
    const W = rng.fillUniform(heap.allocFloat32(N * K), -0.04, 0.04);
    const dW = heap.allocFloat32(N * K);
    for (const M of batches) {
      const Y = heap.allocFloat32(M * N);
      const dY = rng.fillUniform(heap.allocFloat32(M * N), -0.01, 0.01);
      const X = heap.allocFloat32(M * K);
      const x = new SparseRows(K, M);
      for (const d of densities) {
        if (d === 'mnist') X.set(mnist.images.subarray(0, M * K));
        else {
          X.fill(0);
          for (let p = 0; p < M * K; p += 4) if (rng.uniform() < Number(d)) for (let t = 0; t < 4; t++) X[p + t] = rng.uniform();
        }
        x.setDense(X, M);
        const fwdS = () => kernel.forward(x, N, W, 0, K, Y, 0, N);
        const fwdD = () => sgemm(false, true, M, N, K, 1, X, 0, K, W, 0, K, 1, Y, 0, N);
        const dwS = () => kernel.gradWeight(x, N, dY, 0, N, dW, 0, K);
        const dwD = () => sgemm(true, false, N, K, M, 1, dY, 0, N, X, 0, K, 1, dW, 0, K);
        const t: number[][] = [[], [], [], []];
        for (let r = 0; r < rounds; r++) [fwdS, fwdD, dwS, dwD].forEach((f, i) => t[i].push(cpuPerCall(f)));
        const ratio = (a: number, b: number) => median(t[b].map((v, r) => v / t[a][r]));
        const rec = {
          batch: M, input: d, block_density: x.density,
          fwd_sparse_us: 1000 * median(t[0]), fwd_dense_us: 1000 * median(t[1]), fwd_dense_over_sparse: ratio(0, 1),
          dw_sparse_us: 1000 * median(t[2]), dw_dense_us: 1000 * median(t[3]), dw_dense_over_sparse: ratio(2, 3),
          both_dense_over_sparse: median(t[0].map((_, r) => (t[1][r] + t[3][r]) / (t[0][r] + t[2][r]))),
        };
        if (json) printJsonLine({ bench: 'sparse', dense_kernel: activeGemmKernel().name, ...rec });
        rows.push({
          batch: M, input: d, 'block density': rec.block_density,
          'fwd sparse µs': rec.fwd_sparse_us, 'fwd dense µs': rec.fwd_dense_us, 'fwd dense÷sparse': rec.fwd_dense_over_sparse,
          'dW sparse µs': rec.dw_sparse_us, 'dW dense µs': rec.dw_dense_us, 'dW dense÷sparse': rec.dw_dense_over_sparse,
          'both dense÷sparse': rec.both_dense_over_sparse,
        });
      }
      x.dispose();
      for (const a of [Y, dY, X]) heap.freeArray(a);
    }
    // What keeping a transposed [in, out] mirror of W would cost per step (the layout a CSR kernel with
    // SIMD over outputs needs): one full transpose after every optimizer step (Adam changes every weight).
    const Wt = heap.allocFloat32(N * K);
    const transpose = () => {
      for (let j = 0; j < N; j++) for (let k = 0; k < K; k++) Wt[k * N + j] = W[j * K + k];
    };
    const tt: number[] = [];
    for (let r = 0; r < rounds; r++) tt.push(cpuPerCall(transpose));
    layoutMirrorUs = 1000 * median(tt);
    heap.freeArray(Wt);
    heap.freeArray(W);
    heap.freeArray(dW);
  } finally {
    setFloat32Allocator(previous);
  }
  if (json) printJsonLine({ bench: 'sparse', what: 'transpose W to [in, out]', us: layoutMirrorUs });
  if (!json) {
    console.log(`transposing W (${N}×${K}) into an [in, out] mirror: ${layoutMirrorUs.toFixed(1)} µs CPU per step`);
    console.log(`sparse-input kernels vs dense gemm (${activeGemmKernel().name}), ${K} → ${N}, CPU time per call, medians of ${rounds} interleaved rounds`);
    printTable(rows);
  }
}
