import { checkSgemmArgs, sgemm } from './index.js';

export type EpilogueActivation = 'none' | 'relu' | 'sigmoid';

/**
 * A dense layer's forward product with its epilogue: C = act(op(A)·op(B) + 1·biasᵀ), bias broadcast
 * along rows (bias[j] added to column j), as `torch.nn.functional.linear` followed by the activation.
 *
 * What is fused and what is not: the bias is written into C first and the product accumulated onto it
 * (gemm with beta = 1), so there is no separate read-modify-write pass for the bias; the activation runs
 * over C right after the product, while C (M×N, e.g. 50×256 = 50 KiB) is still in cache. The activation
 * is not applied inside the WebAssembly micro-kernel: WebAssembly has no exp, and a polynomial exp there
 * would no longer match PyTorch's float32 sigmoid to the last bit or two.
 * sigmoid(x) = 1/(1 + e^(−x)) is evaluated in float64 and rounded once to float32 (within 1 ulp of
 * PyTorch's float32 kernel); relu(x) = max(x, 0) with NaN kept (as torch.relu).
 */
export function sgemmBiasAct(
  transA: boolean,
  transB: boolean,
  M: number,
  N: number,
  K: number,
  A: Float32Array,
  aOffset: number,
  lda: number,
  B: Float32Array,
  bOffset: number,
  ldb: number,
  bias: Float32Array | null,
  biasOffset: number,
  activation: EpilogueActivation,
  C: Float32Array,
  cOffset: number,
  ldc: number,
): void {
  if (activation !== 'none' && activation !== 'relu' && activation !== 'sigmoid') {
    throw new RangeError(`sgemmBiasAct: activation must be 'none', 'relu' or 'sigmoid', got '${String(activation)}'`);
  }
  if (bias && (!Number.isInteger(biasOffset) || biasOffset < 0 || biasOffset + N > bias.length)) {
    throw new RangeError(`sgemmBiasAct: bias needs ${N} elements from offset ${biasOffset}, but has ${bias.length}`);
  }
  checkSgemmArgs(transA, transB, M, N, K, A, aOffset, lda, B, bOffset, ldb, C, cOffset, ldc); // before C is touched
  // Row 0 element by element, the others copied from it (copyWithin is a memmove; a `subarray` per row
  // would allocate a view per call).
  for (let j = 0; j < N; j++) C[cOffset + j] = bias ? bias[biasOffset + j] : 0;
  for (let i = 1; i < M; i++) C.copyWithin(cOffset + i * ldc, cOffset, cOffset + N);
  sgemm(transA, transB, M, N, K, 1, A, aOffset, lda, B, bOffset, ldb, 1, C, cOffset, ldc);
  if (activation === 'none') return;
  for (let i = 0; i < M; i++) {
    const row = cOffset + i * ldc;
    if (activation === 'sigmoid') for (let j = row; j < row + N; j++) C[j] = 1 / (1 + Math.exp(-C[j]));
    else for (let j = row; j < row + N; j++) if (C[j] < 0) C[j] = 0;
  }
}
