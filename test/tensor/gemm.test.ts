import { describe, expect, it } from 'vitest';
import { gemm, fromArray, zeros } from '../../src/tensor/index.js';
import { gemmSpec, kernelsUnderTest } from './gemm-spec.js';

/** One spec (./gemm-spec.ts) for every kernel path; the relaxed-SIMD path also runs in gemm-relaxed.test.ts. */
describe.each(kernelsUnderTest().map((k) => [k.name, k] as const))('gemm kernel %s', (_name, kernel) => {
  for (const [title, run] of gemmSpec) it(title, () => run(kernel));
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
