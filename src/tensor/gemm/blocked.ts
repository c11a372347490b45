import { GemmKernel, scaleC } from './kernel.js';

/** Rows of op(B) (the K dimension) per block: a 128 × 256 float32 panel of B is 128 KiB, L2-resident. */
const KC = 128;
/** Columns per block: keeps one C row segment and one B row segment in L1. */
const NC = 256;

let scratch = new Float32Array(0);
function scratchOf(n: number): Float32Array {
  if (scratch.length < n) scratch = new Float32Array(n);
  return scratch;
}

/**
 * Cache-blocked pure-JS gemm: the portable default. Every layout is reduced to loops whose innermost
 * index walks contiguous memory:
 * - NN: C[i,:] += a(i,k)·B[k,:]  (k blocked by KC, j by NC, so the B panel stays in cache across rows i)
 * - TN: the same loop with a(i,k) read from the transposed A (a strided scalar per inner loop)
 * - NT: C[i,j] = A[i,:]·B[j,:]   (two contiguous rows per dot product)
 * - TT: packs op(B) into a reused K×N scratch panel, then runs TN.
 * C is scaled by beta first, then accumulated in float32.
 */
export const blockedKernel: GemmKernel = {
  name: 'js-blocked',
  sgemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc) {
    scaleC(M, N, beta, C, cOff, ldc);
    if (K === 0 || alpha === 0 || M === 0 || N === 0) return;
    if (transB && !transA) {
      for (let i = 0; i < M; i++) {
        const aRow = aOff + i * lda;
        const cRow = cOff + i * ldc;
        for (let j = 0; j < N; j++) {
          const bRow = bOff + j * ldb;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          let k = 0;
          for (; k + 3 < K; k += 4) {
            s0 += A[aRow + k] * B[bRow + k];
            s1 += A[aRow + k + 1] * B[bRow + k + 1];
            s2 += A[aRow + k + 2] * B[bRow + k + 2];
            s3 += A[aRow + k + 3] * B[bRow + k + 3];
          }
          for (; k < K; k++) s0 += A[aRow + k] * B[bRow + k];
          C[cRow + j] += alpha * (s0 + s1 + s2 + s3);
        }
      }
      return;
    }
    let Bp = B;
    let bp = bOff;
    let ldbp = ldb;
    if (transB) {
      // TT: pack op(B) (K×N) contiguously, then fall through to the T·N loop.
      Bp = scratchOf(K * N);
      for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) Bp[k * N + j] = B[bOff + j * ldb + k];
      bp = 0;
      ldbp = N;
    }
    const aRowStride = transA ? 1 : lda;
    const aColStride = transA ? lda : 1;
    for (let k0 = 0; k0 < K; k0 += KC) {
      const k1 = Math.min(K, k0 + KC);
      for (let j0 = 0; j0 < N; j0 += NC) {
        const j1 = Math.min(N, j0 + NC);
        for (let i = 0; i < M; i++) {
          const cRow = cOff + i * ldc;
          const aBase = aOff + i * aRowStride;
          for (let k = k0; k < k1; k++) {
            const a = alpha * A[aBase + k * aColStride];
            const bRow = bp + k * ldbp;
            for (let j = j0; j < j1; j++) C[cRow + j] += a * Bp[bRow + j];
          }
        }
      }
    }
  },
};
