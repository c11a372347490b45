import { GemmKernel, scaleC } from './kernel.js';

/** Register tile: 4×4 accumulators (16 doubles fit the 16 x64 vector registers the JIT allocates). */
const MR = 4;
const NR = 4;
/** Depth per block: a 4×256 panel of A and of B (8 KiB each as float64) stay in L1. */
const KC = 256;
/** Rows of A per packed block. */
const MC = 64;
/** Columns of B per packed block: 256×256 float64 = 512 KiB, inside a Zen 4 core's 1 MiB L2. */
const NC = 256;

let packA = new Float64Array(0);
let packB = new Float64Array(0);
const tile = new Float64Array(MR * NR);

/**
 * op(X)[p, k] for a panel direction p and depth k, packed k-major into panels of width w, zero-padded:
 * dst[(q·kc + k)·w + (p mod w)] with q = ⌊p / w⌋. `sp`, `sk` are the strides of p and k in `src`.
 */
function pack(src: Float32Array, off: number, sp: number, sk: number, count: number, kc: number, w: number, dst: Float64Array): void {
  for (let q0 = 0; q0 < count; q0 += w) {
    const base = (q0 / w) * kc * w;
    const valid = Math.min(w, count - q0);
    for (let k = 0; k < kc; k++) {
      const d = base + k * w;
      const s = off + q0 * sp + k * sk;
      for (let p = 0; p < valid; p++) dst[d + p] = src[s + p * sp];
      for (let p = valid; p < w; p++) dst[d + p] = 0;
    }
  }
}

/**
 * The pure-JS fallback where WebAssembly SIMD is unavailable: the same Goto/BLIS structure as the wasm
 * kernel — op(A) and op(B) packed into k-major panels (float64, so the inner loop does no float32→64
 * conversions), a 4×4 register-blocked micro-kernel with 16 scalar accumulators, edges through a scratch
 * tile. Every layout goes through the packers, so all four transpose combinations run the same inner loop.
 * Accumulates in float64 per KC block and rounds to float32 when writing C.
 */
export const tunedJsKernel: GemmKernel = {
  name: 'js-tuned',
  sgemm(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc) {
    if (M === 0 || N === 0) return;
    if (K === 0 || alpha === 0) {
      scaleC(M, N, beta, C, cOff, ldc);
      return;
    }
    const nPanels = Math.ceil(Math.min(N, NC) / NR);
    const kcMax = Math.min(KC, K);
    if (packB.length < nPanels * NR * kcMax) packB = new Float64Array(nPanels * NR * kcMax);
    if (packA.length < (MC + MR) * kcMax) packA = new Float64Array((MC + MR) * kcMax);
    // Strides of op(A)[i, k] and op(B)[k, j].
    const aSi = tA ? 1 : lda, aSk = tA ? lda : 1;
    const bSj = tB ? ldb : 1, bSk = tB ? 1 : ldb;
    for (let jc = 0; jc < N; jc += NC) {
      const nc = Math.min(NC, N - jc);
      for (let pc = 0; pc < K; pc += KC) {
        const kc = Math.min(KC, K - pc);
        const betaBlock = pc === 0 ? beta : 1;
        pack(B, bOff + pc * bSk + jc * bSj, bSj, bSk, nc, kc, NR, packB);
        for (let ic = 0; ic < M; ic += MC) {
          const mc = Math.min(MC, M - ic);
          pack(A, aOff + ic * aSi + pc * aSk, aSi, aSk, mc, kc, MR, packA);
          for (let jr = 0; jr < nc; jr += NR) {
            const nr = Math.min(NR, nc - jr);
            const bp0 = (jr / NR) * kc * NR;
            for (let ir = 0; ir < mc; ir += MR) {
              const mr = Math.min(MR, mc - ir);
              micro(kc, packA, (ir / MR) * kc * MR, packB, bp0);
              const c0 = cOff + (ic + ir) * ldc + jc + jr;
              for (let i = 0; i < mr; i++) {
                for (let j = 0; j < nr; j++) {
                  const p = c0 + i * ldc + j;
                  const v = alpha * tile[i * NR + j];
                  C[p] = betaBlock === 0 ? v : v + betaBlock * C[p];
                }
              }
            }
          }
        }
      }
    }
  },
};

/** tile = Σ_k a(:, k)·b(k, :) over one 4-row panel of A and one 4-column panel of B. */
function micro(kc: number, a: Float64Array, ai: number, b: Float64Array, bi: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let k = 0; k < kc; k++) {
    const b0 = b[bi], b1 = b[bi + 1], b2 = b[bi + 2], b3 = b[bi + 3];
    let x = a[ai];
    c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
    x = a[ai + 1];
    c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
    x = a[ai + 2];
    c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
    x = a[ai + 3];
    c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
    ai += 4;
    bi += 4;
  }
  tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
  tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
  tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
  tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
}
