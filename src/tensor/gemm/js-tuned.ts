import { GemmKernel, scaleC } from './kernel.js';

/** Register tile: 4×4 accumulators. */
const MR = 4;
const NR = 4;
/** Depth per block: a 4×512 panel of A and of B (16 KiB each as float64) together fill a 32 KiB L1. */
const KC = 512;
/** Rows of A per packed block: 64×512 float64 = 256 KiB, in L2. */
const MC = 64;
/**
 * Columns of B per packed block (512×512 float64 = 2 MiB; each 16 KiB panel is read once per MC rows of A,
 * so it streams from L3 without hurting). Block sizes were chosen by timing on a shared 2-core Zen 4;
 * 256/128/512 and 512/64/1024 measured within the machine's ±10% noise of this.
 */
const NC = 512;

let packA = new Float64Array(0);
let packB = new Float64Array(0);
/** Edge tiles are computed here, then the valid mr×nr corner is written to C. */
const tile = new Float64Array(MR * NR);

/**
 * Pack op(X)[p, k] for p in [0, count), k in [0, kc) into k-major panels of width 4, zero-padded:
 * dst[(q·kc + k)·4 + (p mod 4)] with q = ⌊p / 4⌋. `sp`, `sk` are the strides of p and k in `src`.
 */
function pack4(src: Float32Array, off: number, sp: number, sk: number, count: number, kc: number, dst: Float64Array): void {
  const full = count & ~3;
  let d = 0;
  for (let q0 = 0; q0 < full; q0 += 4) {
    let s = off + q0 * sp;
    if (sp === 1) {
      for (let k = 0; k < kc; k++) {
        dst[d] = src[s];
        dst[d + 1] = src[s + 1];
        dst[d + 2] = src[s + 2];
        dst[d + 3] = src[s + 3];
        d += 4;
        s += sk;
      }
    } else {
      const s1 = sp, s2 = 2 * sp, s3 = 3 * sp;
      for (let k = 0; k < kc; k++) {
        dst[d] = src[s];
        dst[d + 1] = src[s + s1];
        dst[d + 2] = src[s + s2];
        dst[d + 3] = src[s + s3];
        d += 4;
        s += sk;
      }
    }
  }
  const valid = count - full;
  if (valid > 0) {
    const s0 = off + full * sp;
    for (let k = 0; k < kc; k++) {
      const s = s0 + k * sk;
      for (let p = 0; p < 4; p++) dst[d + p] = p < valid ? src[s + p * sp] : 0;
      d += 4;
    }
  }
}

/**
 * The pure-JS fallback where WebAssembly SIMD is unavailable: the Goto/BLIS structure of the wasm
 * kernel — for each KC×NC block, op(B) is packed once into 4-column k-major panels and op(A) (per MC
 * rows) into 4-row panels, both as float64 so the inner loop does no float32→64 conversions; a 4×4
 * register-blocked micro-kernel (16 scalar accumulators in locals, one running index per panel) writes
 * full tiles straight into C with alpha and beta applied, and edge tiles through a scratch tile. Every
 * layout goes through the packers, so all four transpose combinations run the same inner loop.
 * Accumulates in float64 per KC block and rounds to float32 when writing C. Scratch buffers are module
 * level and only grow.
 *
 * Speed ceiling (Node 20 / V8, scalar float64, no FMA): this 4×4 loop runs ≈ 3.4–3.8 GFLOP/s when its
 * panels differ from call to call, as they do here; a micro-benchmark that passes the same two arrays
 * every call reads 4–4.7 only because V8 then folds their base and length into the code. The driver
 * reaches ≈ 90–95% of the honest figure, so further gains need a different inner loop, not less overhead.
 */
export const tunedJsKernel: GemmKernel = {
  name: 'js-tuned',
  sgemm(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc) {
    if (M === 0 || N === 0) return;
    if (K === 0 || alpha === 0) {
      scaleC(M, N, beta, C, cOff, ldc);
      return;
    }
    const kcMax = Math.min(KC, K);
    const ncMax = Math.min(NC, N);
    const mcMax = Math.min(MC, M);
    const needB = ((ncMax + NR - 1) >> 2) * NR * kcMax;
    const needA = ((mcMax + MR - 1) >> 2) * MR * kcMax;
    if (packB.length < needB) packB = new Float64Array(needB);
    if (packA.length < needA) packA = new Float64Array(needA);
    const pa = packA, pb = packB;
    // Strides of op(A)[i, k] and op(B)[k, j].
    const aSi = tA ? 1 : lda, aSk = tA ? lda : 1;
    const bSj = tB ? ldb : 1, bSk = tB ? 1 : ldb;
    for (let jc = 0; jc < N; jc += NC) {
      const nc = Math.min(NC, N - jc);
      for (let pc = 0; pc < K; pc += KC) {
        const kc = Math.min(KC, K - pc);
        const betaBlock = pc === 0 ? beta : 1;
        pack4(B, bOff + pc * bSk + jc * bSj, bSj, bSk, nc, kc, pb);
        for (let ic = 0; ic < M; ic += MC) {
          const mc = Math.min(MC, M - ic);
          pack4(A, aOff + ic * aSi + pc * aSk, aSi, aSk, mc, kc, pa);
          block(mc, nc, kc, pa, pb, alpha, betaBlock, C, cOff + ic * ldc + jc, ldc);
        }
      }
    }
  },
};

/** C[0:mc, 0:nc] = alpha·Ã·B̃ + beta·C over one packed mc×kc block of A and kc×nc block of B. */
function block(mc: number, nc: number, kc: number, pa: Float64Array, pb: Float64Array, alpha: number, beta: number, C: Float32Array, c0: number, ldc: number): void {
  const panel = kc * 4;
  const mFull = mc & ~3, nFull = nc & ~3;
  for (let jr = 0; jr < nc; jr += NR) {
    const bi = (jr >> 2) * panel;
    if (jr < nFull) {
      for (let ir = 0; ir < mFull; ir += MR) {
        edge(kc, pa, (ir >> 2) * panel, pb, bi, alpha, beta, C, c0 + ir * ldc + jr, ldc, 4, 4);
      }
      for (let ir = mFull; ir < mc; ir += MR) {
        edge(kc, pa, (ir >> 2) * panel, pb, bi, alpha, beta, C, c0 + ir * ldc + jr, ldc, mc - ir, 4);
      }
    } else {
      for (let ir = 0; ir < mc; ir += MR) {
        edge(kc, pa, (ir >> 2) * panel, pb, bi, alpha, beta, C, c0 + ir * ldc + jr, ldc, Math.min(4, mc - ir), nc - jr);
      }
    }
  }
}

/**
 * One 4×4 tile of C: the product into `tile` (16 extra stores against 16·kc multiply-adds), then its mr×nr
 * corner — all of it for a full tile — into C. beta = 0 is tested once per tile and never reads C.
 */
function edge(kc: number, a: Float64Array, ai: number, b: Float64Array, bi: number, alpha: number, beta: number, C: Float32Array, c0: number, ldc: number, mr: number, nr: number): void {
  microTile(kc, a, ai, b, bi);
  if (beta === 0) {
    for (let i = 0; i < mr; i++) for (let j = 0; j < nr; j++) C[c0 + i * ldc + j] = alpha * tile[i * NR + j];
  } else {
    for (let i = 0; i < mr; i++) {
      for (let j = 0; j < nr; j++) {
        const p = c0 + i * ldc + j;
        C[p] = alpha * tile[i * NR + j] + beta * C[p];
      }
    }
  }
}

/** tile = Σ_k a(:, k)·b(k, :) over one 4-row panel of A and one 4-column panel of B (float64, unscaled). */
function microTile(kc: number, a: Float64Array, ai: number, b: Float64Array, bi: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const end = ai + kc * 4;
  let bj = bi;
  for (let p = ai; p < end; p += 4) {
    const b0 = b[bj], b1 = b[bj + 1], b2 = b[bj + 2], b3 = b[bj + 3];
    let x = a[p];
    c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
    x = a[p + 1];
    c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
    x = a[p + 2];
    c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
    x = a[p + 3];
    c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
    bj += 4;
  }
  tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
  tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
  tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
  tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
}
