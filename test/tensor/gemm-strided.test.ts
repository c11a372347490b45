/**
 * Hand-computed products on views with non-unit strides in both axes, for every transpose layout — the
 * path `gemm()` takes through its general-stride loop (no kernel can read such a view) — and for every
 * kernel, the reference's TT layout included, called directly with padded leading dimensions. Every
 * expected value below is worked out by hand (integers, so exact in float32); buffer gaps hold NaN, so an
 * index that strays into one shows as NaN, and one that strays onto another element shows as a wrong sum.
 */
import { describe, expect, it } from 'vitest';
import { Tensor, gemm, gemmKernels, zeros } from '../../src/tensor/index.js';

// A = [[1, 2, 3], [4, 5, 6]] (2×3), B = [[7, 8], [9, 10], [11, 12]] (3×2):
// A·B = [[1·7 + 2·9 + 3·11, 1·8 + 2·10 + 3·12], [4·7 + 5·9 + 6·11, 4·8 + 5·10 + 6·12]] = [[58, 64], [139, 154]].
const A = [[1, 2, 3], [4, 5, 6]];
const B = [[7, 8], [9, 10], [11, 12]];
const AB = [[58, 64], [139, 154]];
const transpose = (m: number[][]): number[][] => m[0].map((_, j) => m.map((row) => row[j]));

/** `rows` as a view with strides [rowStride, colStride] (both ≠ 1) at `offset` in a NaN-filled buffer. */
function strided(rows: number[][], rowStride: number, colStride: number, offset: number): Tensor {
  const m = rows.length, n = rows[0].length;
  const data = new Float32Array(offset + (m - 1) * rowStride + (n - 1) * colStride + 3).fill(NaN);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) data[offset + i * rowStride + j * colStride] = rows[i][j];
  const t = new Tensor(data, [m, n], [rowStride, colStride], offset);
  expect(t.toArray()).toEqual(rows);
  return t;
}

describe('gemm on views with non-unit strides in both axes (the general-stride loop), every layout', () => {
  // op(A) = A and op(B) = B in every case; what changes is how A and B are stored and viewed.
  const layouts: Array<[string, boolean, boolean]> = [['NN', false, false], ['TN', true, false], ['NT', false, true], ['TT', true, true]];
  for (const [name, tA, tB] of layouts) {
    it(`${name}: C = A·B = [[58, 64], [139, 154]]; with alpha 2, beta −1 over C₀ = [[1, 2], [3, 4]]: [[115, 126], [275, 304]]`, () => {
      // Interleaved strides (row stride smaller than the row's span) exercise both index terms.
      const a = tA ? strided(transpose(A), 3, 7, 2) : strided(A, 7, 2, 1);
      const b = tB ? strided(transpose(B), 2, 5, 3) : strided(B, 5, 3, 0);
      const c = strided([[0, 0], [0, 0]], 6, 2, 1);
      gemm(c, a, b, { transA: tA, transB: tB });
      expect(c.toArray()).toEqual(AB);
      const c2 = strided([[1, 2], [3, 4]], 4, 3, 2);
      gemm(c2, a, b, { transA: tA, transB: tB, alpha: 2, beta: -1 });
      // 2·58 − 1 = 115, 2·64 − 2 = 126, 2·139 − 3 = 275, 2·154 − 4 = 304.
      expect(c2.toArray()).toEqual([[115, 126], [275, 304]]);
      // The gaps of C are untouched.
      expect(Array.from(c2.data).filter((v) => !Number.isNaN(v)).length).toBe(4);
    });
  }

  it('a non-square product through the general loop: Bᵀ·Aᵀ = (A·B)ᵀ, and a 1×3 · 3×1 dot product', () => {
    const bt = strided(transpose(B), 5, 2, 1); // 2×3
    const at = strided(transpose(A), 2, 7, 0); // 3×2
    const c = strided([[0, 0], [0, 0]], 5, 2, 0);
    gemm(c, bt, at);
    expect(c.toArray()).toEqual(transpose(AB));
    // [1, 2, 3]·[7, 9, 11]ᵀ = 58, from a row view and a column view of the strided matrices.
    const row = strided([A[0]], 1, 3, 0);
    const col = strided(B.map((r) => [r[0]]), 4, 1, 1);
    const dot = zeros([1, 1]);
    gemm(dot, row, col);
    expect(dot.get(0, 0)).toBe(58);
  });
});

describe('every kernel, every layout, hand-computed, with padded leading dimensions (the reference TT included)', () => {
  /** `rows` stored row-major with leading dimension ld ≥ cols at offset `off`; padding is NaN. */
  function stored(rows: number[][], ld: number, off: number): Float32Array {
    const data = new Float32Array(off + rows.length * ld).fill(NaN);
    rows.forEach((r, i) => r.forEach((v, j) => (data[off + i * ld + j] = v)));
    return data;
  }
  for (const kernel of gemmKernels()) {
    for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`${kernel.name} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}: A·B = [[58, 64], [139, 154]], alpha 2, beta −1`, () => {
        const a = tA ? stored(transpose(A), 4, 1) : stored(A, 5, 2); // lda 4 (A stored 3×2) or 5 (2×3)
        const b = tB ? stored(transpose(B), 6, 3) : stored(B, 3, 1); // ldb 6 (B stored 2×3) or 3 (3×2)
        const c = stored([[1, 2], [3, 4]], 5, 2);
        kernel.sgemm(tA, tB, 2, 2, 3, 2, a, tA ? 1 : 2, tA ? 4 : 5, b, tB ? 3 : 1, tB ? 6 : 3, -1, c, 2, 5);
        expect([[c[2], c[3]], [c[7], c[8]]]).toEqual([[115, 126], [275, 304]]);
        expect(Number.isNaN(c[4]) && Number.isNaN(c[6]) && Number.isNaN(c[9])).toBe(true); // padding untouched
      });
    }
  }
});
