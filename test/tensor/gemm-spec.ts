/**
 * The gemm property spec, shared by the vitest suite (gemm.test.ts) and the child process that runs it
 * under `--experimental-wasm-relaxed-simd` (gemm-relaxed.test.ts → gemm-relaxed-run.ts).
 *
 * Every case compares a kernel with the float64-accumulating reference. Tolerance: a float32 kernel's
 * error on one dot product is bounded by about K·2⁻²⁴·Σ|a·b| (any summation order, fused or not); we
 * allow 4·K·2⁻²⁴·(|alpha|·Σ|a·b| + |beta·c|) + 1e-30 per element, which a wrong index or a dropped term
 * exceeds by orders of magnitude.
 */
import { Rng, gemmKernels, referenceKernel, wasmHeap, type GemmKernel } from '../../src/tensor/index.js';
import { WASM_RELAXED_CONFIG, WASM_SIMD_CONFIG, makeWasmKernel } from '../../src/tensor/gemm/wasm-kernel.js';
import { wasmFeatures } from '../../src/tensor/gemm/wasm/features.js';
import type { WasmGemmConfig } from '../../src/tensor/gemm/wasm/module.js';

/** Run `inner` on copies of the operands allocated in the WebAssembly heap (the zero-copy path). */
function inWasmMemory(inner: GemmKernel): GemmKernel {
  return {
    name: `${inner.name}@wasm-memory`,
    sgemm(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc) {
      const heap = wasmHeap();
      const [a, b, c] = [A, B, C].map((x) => {
        const y = heap.allocFloat32(x.length);
        y.set(x);
        return y;
      });
      inner.sgemm(tA, tB, M, N, K, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
      C.set(c);
      for (const x of [a, b, c]) heap.freeArray(x);
    },
  };
}

/**
 * Every registered kernel, plus test-only variants of each WebAssembly kernel: tiny cache blocks (so the
 * M, K and N blocking loops all run on small shapes) and operands living in the WebAssembly memory.
 */
export function kernelsUnderTest(): GemmKernel[] {
  const out = [...gemmKernels()];
  const f = wasmFeatures();
  const configs: Array<[string, WasmGemmConfig]> = f.simd ? [['wasm-simd', WASM_SIMD_CONFIG]] : [];
  if (f.relaxedSimd) configs.push(['wasm-relaxed', WASM_RELAXED_CONFIG]);
  for (const [name, cfg] of configs) {
    const tiny = makeWasmKernel(`${name}/tiny-blocks`, cfg, { mc: 2 * cfg.mr, kc: 7, nc: 2 * cfg.nr, packANMin: 1 });
    out.push(tiny, inWasmMemory(tiny));
    const registered = out.find((k) => k.name === name);
    if (registered) out.push(inWasmMemory(registered));
  }
  return out;
}

function randomMatrix(rng: Rng, n: number): Float32Array {
  return rng.fillUniform(new Float32Array(n), -1, 1);
}

export function check(kernel: GemmKernel, tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, beta: number, pad: number, rng: Rng): void {
  const lda = (tA ? M : K) + pad;
  const ldb = (tB ? K : N) + pad;
  const ldc = N + pad;
  const A = randomMatrix(rng, (tA ? K : M) * lda + 3);
  const B = randomMatrix(rng, (tB ? N : K) * ldb + 3);
  const C0 = randomMatrix(rng, M * ldc + 3);
  if (beta === 0) for (let i = 0; i < C0.length; i += 7) C0[i] = NaN; // beta = 0 must ignore them
  const C = C0.slice();
  const R = C0.slice();
  kernel.sgemm(tA, tB, M, N, K, alpha, A, 3, lda, B, 3, ldb, beta, C, 3, ldc);
  referenceKernel.sgemm(tA, tB, M, N, K, alpha, A, 3, lda, B, 3, ldb, beta, R, 3, ldc);
  const where = `${kernel.name} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ${M}x${N}x${K} α=${alpha} β=${beta} pad=${pad}`;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let mag = 0;
      for (let k = 0; k < K; k++) {
        const a = tA ? A[3 + k * lda + i] : A[3 + i * lda + k];
        const b = tB ? B[3 + j * ldb + k] : B[3 + k * ldb + j];
        mag += Math.abs(a * b);
      }
      const p = 3 + i * ldc + j;
      const tol = 4 * Math.max(K, 1) * 2 ** -24 * (Math.abs(alpha) * mag + (beta === 0 ? 0 : Math.abs(beta * C0[p]))) + 1e-30;
      if (!(Math.abs(C[p] - R[p]) <= tol)) {
        throw new Error(`${where}: C[${i},${j}] = ${C[p]}, reference ${R[p]}, tol ${tol}`);
      }
    }
  }
  // Everything outside the M×N block (the 3 leading elements, padding between rows, the tail) is untouched.
  for (let p = 0; p < C.length; p++) {
    const i = Math.floor((p - 3) / ldc);
    const j = (p - 3) - i * ldc;
    const inside = p >= 3 && i < M && j < N;
    if (!inside && !Object.is(C[p], C0[p])) throw new Error(`${where}: wrote outside C's block at element ${p}`);
  }
}

const layouts: Array<[boolean, boolean]> = [[false, false], [false, true], [true, false], [true, true]];
const dims = [1, 2, 3, 5, 17, 31, 33, 63, 65];

/** The spec as named cases, each a function that throws on failure. */
export const gemmSpec: Array<[string, (kernel: GemmKernel) => void]> = [
  ['matches the reference on odd, prime and non-square shapes in every layout', (kernel) => {
    const rng = new Rng(42);
    for (const [tA, tB] of layouts) {
      for (let trial = 0; trial < 14; trial++) {
        check(kernel, tA, tB, dims[rng.int(dims.length)], dims[rng.int(dims.length)], dims[rng.int(dims.length)], 1, 0, 0, rng);
      }
      for (const m of [1, 2, 3, 4, 5]) check(kernel, tA, tB, m, 33, 17, 1, 0, 0, rng); // every row count below the tile
    }
  }],
  ['handles alpha, beta and leading dimensions larger than the row', (kernel) => {
    const rng = new Rng(7);
    for (const [tA, tB] of layouts) {
      for (const [alpha, beta] of [[1, 1], [0.5, -2], [-1.5, 0], [0, 0.25], [2, 1]]) {
        check(kernel, tA, tB, 13, 9, 11, alpha, beta, 5, rng);
        check(kernel, tA, tB, 2, 17, 9, alpha, beta, 3, rng);
      }
    }
  }],
  ['matches the reference on shapes larger than every block (257, non-square)', (kernel) => {
    const rng = new Rng(3);
    check(kernel, false, false, 70, 300, 257, 1, 0, 0, rng);
    check(kernel, true, false, 33, 260, 150, 1, 1, 0, rng);
    check(kernel, false, true, 40, 65, 300, 1, 0, 1, rng);
    check(kernel, true, true, 31, 33, 140, 1, 0, 0, rng);
    check(kernel, false, false, 1, 257, 300, 1, 0.5, 2, rng);
    check(kernel, false, true, 3, 31, 257, -1, 0, 0, rng);
    check(kernel, true, false, 257, 10, 50, 1, 0, 0, rng);
    // Past 512 in depth and in columns of B (the pure-JS kernel's KC and NC blocks).
    check(kernel, false, true, 67, 517, 1030, 1, 0, 3, rng);
    check(kernel, true, false, 20, 530, 600, 0.5, 1, 0, rng);
  }],
  ['beta = 0 ignores NaN already in C, and NaN/Inf in A or B propagate', (kernel) => {
    const A = new Float32Array([1, 2, 3, 4]);
    const B = new Float32Array([1, 0, 0, 1]);
    const C = new Float32Array([NaN, NaN, NaN, NaN]);
    kernel.sgemm(false, false, 2, 2, 2, 1, A, 0, 2, B, 0, 2, 0, C, 0, 2);
    expectEqual(Array.from(C), [1, 2, 3, 4], 'identity product over NaN');
    const An = new Float32Array([NaN, 0, 0, Infinity]);
    for (const [tA, tB] of layouts) {
      // Symmetric B and diagonal A, so every layout computes the same product.
      kernel.sgemm(tA, tB, 2, 2, 2, 1, An, 0, 2, new Float32Array([0, 1, 1, 1]), 0, 2, 0, C, 0, 2);
      // Row 0: NaN·0 + 0·1 = NaN, NaN·1 + 0·1 = NaN; row 1: 0·0 + Inf·1 = Inf, 0·1 + Inf·1 = Inf.
      if (!(Number.isNaN(C[0]) && Number.isNaN(C[1]) && C[2] === Infinity && C[3] === Infinity)) {
        throw new Error(`${kernel.name}: NaN/Inf propagation, layout ${tA}/${tB}: got [${Array.from(C).join(', ')}]`);
      }
    }
    // A large block: one NaN in A poisons exactly its row of C; one Inf in B its column.
    const M = 20, N = 30, K = 40;
    const A2 = new Float32Array(M * K).fill(1);
    const B2 = new Float32Array(K * N).fill(1);
    A2[5 * K + 7] = NaN;
    B2[3 * N + 11] = Infinity;
    const C2 = new Float32Array(M * N);
    kernel.sgemm(false, false, M, N, K, 1, A2, 0, K, B2, 0, N, 0, C2, 0, N);
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      const expected = i === 5 ? NaN : j === 11 ? Infinity : K;
      if (!Object.is(C2[i * N + j], expected)) throw new Error(`${kernel.name}: C2[${i},${j}] = ${C2[i * N + j]}, expected ${expected}`);
    }
  }],
  ['K = 0 or alpha = 0 leaves beta·C', (kernel) => {
    const C = new Float32Array([1, 2, 3]);
    kernel.sgemm(false, false, 1, 3, 0, 1, new Float32Array(0), 0, 1, new Float32Array(0), 0, 3, 2, C, 0, 3);
    expectEqual(Array.from(C), [2, 4, 6], 'K = 0');
    kernel.sgemm(false, false, 1, 3, 1, 0, new Float32Array([NaN]), 0, 1, new Float32Array(3), 0, 3, 0.5, C, 0, 3);
    expectEqual(Array.from(C), [1, 2, 3], 'alpha = 0');
  }],
];

function expectEqual(actual: number[], expected: number[], what: string): void {
  if (actual.length !== expected.length || actual.some((v, i) => !Object.is(v, expected[i]))) {
    throw new Error(`${what}: got [${actual.join(', ')}], expected [${expected.join(', ')}]`);
  }
}
