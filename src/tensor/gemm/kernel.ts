/**
 * The one interface every matrix-multiply implementation sits behind.
 *
 * Row-major BLAS `sgemm`: C = alpha·op(A)·op(B) + beta·C, with op(A) M×K, op(B) K×N, C M×N.
 * - `transA = false`: A[i, k] is `A[aOffset + i·lda + k]`; `true`: A is stored K×M, `A[aOffset + k·lda + i]`.
 * - `transB = false`: B[k, j] is `B[bOffset + k·ldb + j]`; `true`: B is stored N×K, `B[bOffset + j·ldb + k]`.
 * - C[i, j] is `C[cOffset + i·ldc + j]`.
 * - beta = 0 overwrites C without reading it (NaN in C does not propagate), as BLAS specifies.
 * - alpha = 0 or K = 0 leaves C = beta·C.
 *
 * A kernel is called with arguments already validated by `sgemm` in ./index.ts; it must not allocate
 * per call (scratch space is kept and reused) and must agree with {@link referenceKernel} to float32
 * rounding on every shape, layout and alpha/beta.
 */
export interface GemmKernel {
  readonly name: string;
  sgemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: Float32Array,
    aOffset: number,
    lda: number,
    B: Float32Array,
    bOffset: number,
    ldb: number,
    beta: number,
    C: Float32Array,
    cOffset: number,
    ldc: number,
  ): void;
}

/** Scale the M×N block of C by beta; beta = 0 writes zeros (ignores NaN already in C). */
export function scaleC(M: number, N: number, beta: number, C: Float32Array, cOffset: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < M; i++) {
    const row = cOffset + i * ldc;
    if (beta === 0) C.fill(0, row, row + N);
    else for (let j = row; j < row + N; j++) C[j] *= beta;
  }
}
