import { describe, expect, it } from 'vitest';
import { Rng, sgemmBiasAct } from '../../src/tensor/index.js';

/** C = act(op(A)·op(B) + bias) against a float64 evaluation; tolerance as in gemm-spec.ts plus 1 ulp. */
describe('sgemmBiasAct', () => {
  it('computes a hand-checked layer: [1 2; 3 4]·[1 −1; 1 1] + [0.5, −10], then relu / sigmoid', () => {
    const A = new Float32Array([1, 2, 3, 4]);
    const B = new Float32Array([1, -1, 1, 1]);
    const bias = new Float32Array([0.5, -10]);
    const C = new Float32Array(4).fill(NaN);
    // Product: [1+2, −1+2; 3+4, −3+4] = [3, 1; 7, 1]; plus bias: [3.5, −9; 7.5, −9].
    sgemmBiasAct(false, false, 2, 2, 2, A, 0, 2, B, 0, 2, bias, 0, 'none', C, 0, 2);
    expect(Array.from(C)).toEqual([3.5, -9, 7.5, -9]);
    sgemmBiasAct(false, false, 2, 2, 2, A, 0, 2, B, 0, 2, bias, 0, 'relu', C, 0, 2);
    expect(Array.from(C)).toEqual([3.5, 0, 7.5, 0]);
    sgemmBiasAct(false, false, 2, 2, 2, A, 0, 2, B, 0, 2, null, 0, 'sigmoid', C, 0, 2);
    // sigmoid(3) = 0.95257413, sigmoid(1) = 0.73105858, sigmoid(7) = 0.99908895
    expect(C[0]).toBeCloseTo(0.95257413, 7);
    expect(C[1]).toBeCloseTo(0.73105858, 7);
    expect(C[2]).toBeCloseTo(0.99908895, 7);
  });

  it('matches act(A·Wᵀ + b) in the Linear layout on random shapes', () => {
    const rng = new Rng(5);
    for (const [M, N, K] of [[50, 10, 256], [1, 256, 784], [17, 33, 65]]) {
      const X = rng.fillUniform(new Float32Array(M * K), -1, 1);
      const W = rng.fillUniform(new Float32Array(N * K), -1, 1); // N×K, used transposed
      const b = rng.fillUniform(new Float32Array(N + 2), -1, 1);
      for (const act of ['none', 'relu', 'sigmoid'] as const) {
        const C = new Float32Array(M * N).fill(NaN);
        sgemmBiasAct(false, true, M, N, K, X, 0, K, W, 0, K, b, 2, act, C, 0, N);
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
          let s = b[2 + j];
          let mag = Math.abs(s);
          for (let k = 0; k < K; k++) {
            s += X[i * K + k] * W[j * K + k];
            mag += Math.abs(X[i * K + k] * W[j * K + k]);
          }
          const z = act === 'relu' ? Math.max(s, 0) : act === 'sigmoid' ? 1 / (1 + Math.exp(-s)) : s;
          // float32 summation error (4·K·2⁻²⁴·Σ|terms|; sigmoid's slope is ≤ 1/4) plus one rounding of the result.
          const tol = 4 * (K + 1) * 2 ** -24 * mag + 2 ** -23 * Math.abs(z);
          expect(Math.abs(C[i * N + j] - z)).toBeLessThanOrEqual(tol);
        }
      }
    }
  });

  it('names bad arguments and leaves C untouched', () => {
    const C = new Float32Array(4).fill(7);
    const A = new Float32Array(4);
    expect(() => sgemmBiasAct(false, false, 2, 2, 2, A, 0, 2, A, 0, 2, new Float32Array(1), 0, 'relu', C, 0, 2)).toThrow(/bias needs 2 elements from offset 0, but has 1/);
    expect(() => sgemmBiasAct(false, false, 2, 2, 2, A, 0, 2, A, 0, 2, null, 0, 'tanh' as never, C, 0, 2)).toThrow(/activation must be/);
    expect(() => sgemmBiasAct(false, false, 2, 2, 3, A, 0, 3, A, 0, 2, null, 0, 'none', C, 0, 2)).toThrow(/sgemm: A is stored as 2×3/);
    expect(Array.from(C)).toEqual([7, 7, 7, 7]);
  });
});
