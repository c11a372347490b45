import { GemmKernel, scaleC } from './kernel.js';

/**
 * The naive reference: a triple loop that sums each dot product in float64 and rounds once.
 * Slow on purpose and obviously right; every fast kernel is tested against it.
 */
export const referenceKernel: GemmKernel = {
  name: 'reference',
  sgemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc) {
    if (alpha === 0 || K === 0) {
      scaleC(M, N, beta, C, cOff, ldc);
      return;
    }
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let sum = 0;
        for (let k = 0; k < K; k++) {
          const a = transA ? A[aOff + k * lda + i] : A[aOff + i * lda + k];
          const b = transB ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j];
          sum += a * b;
        }
        const c = cOff + i * ldc + j;
        C[c] = beta === 0 ? alpha * sum : alpha * sum + beta * C[c];
      }
    }
  },
};
