import { describe, expect, it } from 'vitest';
import { Rng, gemm, gemmKernels, referenceKernel, fromArray, zeros, type GemmKernel } from '../../src/tensor/index.js';

/**
 * One spec for every registered gemm kernel: each is compared with the float64-accumulating reference.
 * Tolerance: a float32 kernel's error on one dot product is bounded by about K·2⁻²⁴·Σ|a·b|; we allow
 * 4·K·2⁻²⁴·Σ|a·b| + 1e-30 per element, which a wrong index or a dropped term exceeds by orders of magnitude.
 */
function randomMatrix(rng: Rng, n: number): Float32Array {
  return rng.fillUniform(new Float32Array(n), -1, 1);
}

function check(kernel: GemmKernel, tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, beta: number, pad: number, rng: Rng): void {
  const lda = (tA ? M : K) + pad;
  const ldb = (tB ? K : N) + pad;
  const ldc = N + pad;
  const A = randomMatrix(rng, (tA ? K : M) * lda + 3);
  const B = randomMatrix(rng, (tB ? N : K) * ldb + 3);
  const C0 = randomMatrix(rng, M * ldc + 3);
  const C = C0.slice();
  const R = C0.slice();
  kernel.sgemm(tA, tB, M, N, K, alpha, A, 3, lda, B, 3, ldb, beta, C, 3, ldc);
  referenceKernel.sgemm(tA, tB, M, N, K, alpha, A, 3, lda, B, 3, ldb, beta, R, 3, ldc);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let mag = 0;
      for (let k = 0; k < K; k++) {
        const a = tA ? A[3 + k * lda + i] : A[3 + i * lda + k];
        const b = tB ? B[3 + j * ldb + k] : B[3 + k * ldb + j];
        mag += Math.abs(a * b);
      }
      const p = 3 + i * ldc + j;
      const tol = 4 * Math.max(K, 1) * 2 ** -24 * (Math.abs(alpha) * mag + Math.abs(beta * C0[p])) + 1e-30;
      if (!(Math.abs(C[p] - R[p]) <= tol)) {
        throw new Error(`${kernel.name} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'} ${M}x${N}x${K} α=${alpha} β=${beta} pad=${pad}: C[${i},${j}] = ${C[p]}, reference ${R[p]}, tol ${tol}`);
      }
    }
  }
  // Padding between rows must be untouched.
  for (let i = 0; i < M; i++) for (let j = N; j < ldc && 3 + i * ldc + j < C.length; j++) expect(C[3 + i * ldc + j]).toBe(C0[3 + i * ldc + j]);
}

const layouts: Array<[boolean, boolean]> = [[false, false], [false, true], [true, false], [true, true]];

describe.each(gemmKernels().map((k) => [k.name, k] as const))('gemm kernel %s', (_name, kernel) => {
  it('matches the reference on odd, prime and non-square shapes in every layout', () => {
    const rng = new Rng(42);
    const dims = [1, 2, 3, 5, 17, 31, 33, 63, 65];
    for (const [tA, tB] of layouts) {
      for (let trial = 0; trial < 12; trial++) {
        const M = dims[rng.int(dims.length)];
        const N = dims[rng.int(dims.length)];
        const K = dims[rng.int(dims.length)];
        check(kernel, tA, tB, M, N, K, 1, 0, 0, rng);
      }
    }
  });

  it('handles alpha, beta and leading dimensions larger than the row', () => {
    const rng = new Rng(7);
    for (const [tA, tB] of layouts) {
      for (const [alpha, beta] of [[1, 1], [0.5, -2], [-1.5, 0], [0, 0.25], [2, 1]]) {
        check(kernel, tA, tB, 13, 9, 11, alpha, beta, 5, rng);
      }
    }
  });

  it('matches the reference on shapes larger than every block', () => {
    const rng = new Rng(3);
    check(kernel, false, false, 70, 300, 257, 1, 0, 0, rng);
    check(kernel, true, false, 33, 260, 150, 1, 1, 0, rng);
    check(kernel, false, true, 40, 65, 300, 1, 0, 1, rng);
    check(kernel, true, true, 31, 33, 140, 1, 0, 0, rng);
  });

  it('beta = 0 ignores NaN already in C, and NaN/Inf in A or B propagate', () => {
    const A = new Float32Array([1, 2, 3, 4]);
    const B = new Float32Array([1, 0, 0, 1]);
    const C = new Float32Array([NaN, NaN, NaN, NaN]);
    kernel.sgemm(false, false, 2, 2, 2, 1, A, 0, 2, B, 0, 2, 0, C, 0, 2);
    expect(Array.from(C)).toEqual([1, 2, 3, 4]);
    const An = new Float32Array([NaN, 0, 0, Infinity]);
    const Bz = new Float32Array([0, 1, 1, 1]);
    kernel.sgemm(false, false, 2, 2, 2, 1, An, 0, 2, Bz, 0, 2, 0, C, 0, 2);
    // Row 0: NaN·0 + 0·1 = NaN, NaN·1 + 0·1 = NaN; row 1: 0·0 + Inf·1 = Inf, 0·1 + Inf·1 = Inf.
    expect(Number.isNaN(C[0]) && Number.isNaN(C[1])).toBe(true);
    expect([C[2], C[3]]).toEqual([Infinity, Infinity]);
  });

  it('K = 0 leaves beta·C', () => {
    const C = new Float32Array([1, 2, 3]);
    kernel.sgemm(false, false, 1, 3, 0, 1, new Float32Array(0), 0, 1, new Float32Array(0), 0, 3, 2, C, 0, 3);
    expect(Array.from(C)).toEqual([2, 4, 6]);
  });
});

describe('gemm on tensor views', () => {
  it('multiplies a hand-checked product, transposed views and slices without copying', () => {
    const A = fromArray([[1, 2, 3], [4, 5, 6]]); // 2×3
    const B = fromArray([[1, 0], [0, 1], [1, 1]]); // 3×2
    const C = zeros([2, 2]);
    gemm(C, A, B);
    // [1+3, 2+3; 4+6, 5+6]
    expect(C.toArray()).toEqual([[4, 5], [10, 11]]);
    const Ct = zeros([3, 3]);
    gemm(Ct, A.transpose(), A); // AᵀA
    expect(Ct.toArray()).toEqual([[17, 22, 27], [22, 29, 36], [27, 36, 45]]);
    const D = zeros([1, 2]);
    gemm(D, A.slice(1, 2), B, { alpha: 2 });
    expect(D.toArray()).toEqual([[20, 22]]);
  });

  it('names the mismatching shapes', () => {
    expect(() => gemm(zeros([2, 2]), zeros([2, 3]), zeros([2, 2]))).toThrow(/inner dimensions differ: op\(A\) is 2×3/);
    expect(() => gemm(zeros([3, 2]), zeros([2, 3]), zeros([3, 2]))).toThrow(/C must be 2×2, got \[3, 2\]/);
  });
});
