import { GemmKernel, scaleC } from './kernel.js';

/** Register tile: 2 rows of op(A) × 3 columns of op(B) (see the kernel's doc comment for why). */
const MR = 2;
const NR = 3;
/** Depth steps per inner-loop iteration (see micro); KC must be a multiple of it. */
const KU = 8;
/** Depth per block: a 2×256 panel of A and a 256×3 panel of B (4 KiB + 6 KiB as float64) stay in L1. */
const KC = 256;
/** Rows of A per packed block: 64×256 float64 = 128 KiB, in L2. */
const MC = 64;
/** Columns of B per packed block: 256×512 float64 = 1 MiB; each panel is reused by MC/2 tiles. */
const NC = 512;

type Sgemm = GemmKernel['sgemm'];

/**
 * The pure-JS fallback where WebAssembly SIMD is unavailable: the Goto/BLIS structure of the wasm
 * kernel — for each KC×NC block, op(B) is packed once into 3-column k-major panels and op(A) (per MC
 * rows) into 2-row panels, both as float64 so the inner loop does no float32→64 conversions; a 2×3
 * register-blocked micro-kernel computes each tile (6 scalar accumulators) and writes its valid corner
 * to C with alpha and beta applied (beta = 0 never reads C). Every layout goes through the packers, so
 * all four transpose combinations run the same inner loop. Accumulates in float64 per KC block and
 * rounds to float32 when writing C.
 *
 * Why this shape of code (read from V8's optimized code, `node --print-opt-code`, Node 20):
 * - TurboFan schedules all of an iteration's multiplies before its adds, so an m×n tile needs 2·m·n
 *   xmm registers (accumulators + products) of the 15 it allocates: 2×3 (12) runs without spills,
 *   while 2×4 spills 2 accumulators and 4×4 about 16 to the stack every iteration.
 * - The inner loop runs KU = 8 depth steps per iteration, each step after the first nested in a branch
 *   on an always-true, unfoldable condition (see `createKernel`'s `micro`). That pins each step's
 *   multiply-adds before the next step's loads (TurboFan otherwise places pure nodes at their first
 *   use, i.e. all after the last step's loads, and spills), and spreads the per-iteration loop
 *   overhead (map check, elements/length reloads, stack check, counters: ≈ 10 instructions) over 48
 *   multiply-adds instead of 6. The packers zero-pad each panel's depth to a multiple of KU, so the
 *   loop has no remainder: a second (remainder) loop made V8 keep p and q as tagged Smis, retagging
 *   and checking them every iteration, which cost more than the unrolling gained.
 * - Both packed operands live in ONE plain array of doubles (PACKED_DOUBLE_ELEMENTS) that the closures
 *   made once by `createKernel` hold as a constant. Float64Array parameters cost, per iteration, a
 *   map check and reloads of base, external pointer and length per array, and a constant Float64Array
 *   still costs a detached-buffer test per load once the engine has seen any ArrayBuffer detached (as
 *   in this library's process, which uses WebAssembly memory); the constant double array costs one map
 *   check and two field loads per iteration and a compare per load.
 * - Index and loop-counter arithmetic is truncated with `| 0` (the values are small integers), which
 *   removes the overflow checks of speculative integer adds.
 * The store grows only (to KC·(MC + NC + 1) doubles, 1.2 MB, at most); nothing is allocated per call
 * after that.
 *
 * Speed (scalar float64, no FMA; shared 2-core AMD EPYC at ≈ 2.8 GHz, Node 20). Timed round-robin in
 * one process against the previous version of this file (the same 2×3 kernel with one depth step per
 * iteration and no padding), paired median ratios over 13–15 rounds in three runs: 1.16–1.23× at
 * 1024³, 1.16–1.19× at 50×784×256 and 1.22–1.23× at 256³ — ≈ 5.6–6.0 GFLOP/s at 1024³ vs ≈ 4.2–5.0
 * for the old one in the same runs (CPU-time medians; neighbours on the machine move absolute numbers
 * ±25%). `npm run bench -- matmul --kernels js-tuned,js-blocked --shapes
 * 1024x1024x1024,50x784x256,256x256x256` measured 4.6 GFLOP/s at 1024³ (min 4.0, max 5.9), 5.4 at 256³,
 * 3.0–4.8 at 50×784×256 (N / Bᵀ layouts) — ≈ 10× js-blocked in the same run. Measured slower or no better: KU = 2 or 4 (1.06×,
 * 1.10–1.13×), KU = 16 (1.0×: the inner function is no longer inlined into `block`), 2×4 and 3×3
 * tiles with 2 pinned steps (≈ 1.05–1.10×, they spill), and pinning each ROW of 3×3, 2×4, 3×4, 4×4
 * tiles (0.71–0.76×: the pin needs a never-taken else that keeps earlier rows' accumulators live and
 * the loop counters tagged).
 */
export const tunedJsKernel: GemmKernel = {
  name: 'js-tuned',
  sgemm(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc) {
    if (M === 0 || N === 0) return;
    if (K === 0 || alpha === 0) {
      scaleC(M, N, beta, C, cOff, ldc);
      return;
    }
    (impl ??= createKernel())(tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
  },
};

let impl: Sgemm | null = null;

/** Depth kc rounded up to a multiple of KU: the packed panels' depth (the padding is zeros). */
const padK = (kc: number): number => Math.ceil(kc / KU) * KU;

/** The kernel's closures over its packed store; made once, so V8 treats the store as a constant. */
function createKernel(): Sgemm {
  /** Packed op(A) panels in m[0, B_AT), op(B) panels from B_AT on; plain doubles (see the doc above). */
  const m: number[] = [];
  const B_AT = MC * KC;
  /** The tile's product, before alpha, beta and the edge mask are applied. */
  const tile = new Float64Array(MR * NR);

  /** Grow `m` to hold the A block and an nc-column B block (pushing doubles keeps PACKED_DOUBLE_ELEMENTS). */
  function reserve(nc: number, kc: number): void {
    const need = B_AT + Math.ceil(nc / NR) * NR * kc;
    while (m.length < need) m.push(0.5);
  }

  /**
   * Pack op(X)[p, k] for p in [0, count), k in [0, kc) into k-major panels of width w (2 or 3),
   * zero-padded: m[d + (q·kc + k)·w + (p mod w)] with q = ⌊p / w⌋. `sp`, `sk` are the strides of p and
   * k in `src`.
   */
  function pack(src: Float32Array, off: number, sp: number, sk: number, count: number, kc: number, kp: number, w: number, d: number): void {
    const full = count - (count % w);
    for (let q0 = 0; q0 < full; q0 += w) {
      let s = off + q0 * sp;
      if (w === 3) {
        const s2 = 2 * sp;
        for (let k = 0; k < kc; k++) {
          m[d] = src[s];
          m[d + 1] = src[s + sp];
          m[d + 2] = src[s + s2];
          d += 3;
          s += sk;
        }
      } else {
        for (let k = 0; k < kc; k++) {
          m[d] = src[s];
          m[d + 1] = src[s + sp];
          d += 2;
          s += sk;
        }
      }
      for (let z = (kp - kc) * w; z > 0; z--) m[d++] = 0;
    }
    const valid = count - full;
    if (valid > 0) {
      const s0 = off + full * sp;
      for (let k = 0; k < kc; k++) {
        const s = s0 + k * sk;
        for (let p = 0; p < w; p++) m[d + p] = p < valid ? src[s + p * sp] : 0;
        d += w;
      }
      for (let z = (kp - kc) * w; z > 0; z--) m[d++] = 0;
    }
  }

  /**
   * tile = Σ_k a(:, k)·b(k, :) over the 2-row A panel at m[p] and the 3-column B panel at m[q]; kc is a
   * multiple of KU (the packers zero-pad). Each step after the first is nested in `if (end !== -u)`:
   * always true (end ≥ 0) but not folded, and a distinct constant per step so the conditions are not
   * merged. It pins the order: TurboFan places pure nodes just before their first use, so without it
   * all KU steps' multiplies would be scheduled after the last step's loads and spill; with it, each
   * step's multiply-adds run before the next step's loads, as written.
   */
  function micro(kc: number, p: number, q: number): void {
    let c00 = 0, c01 = 0, c02 = 0;
    let c10 = 0, c11 = 0, c12 = 0;
    let x = 0;
    for (const end = (p + MR * kc) | 0; p < end; ) {
      const b0 = m[q], b1 = m[(q + 1) | 0], b2 = m[(q + 2) | 0];
      x = m[p]; c00 += x * b0; c01 += x * b1; c02 += x * b2;
      x = m[(p + 1) | 0]; c10 += x * b0; c11 += x * b1; c12 += x * b2;
      if (end !== -1) {
        const b0 = m[(q + 3) | 0], b1 = m[(q + 4) | 0], b2 = m[(q + 5) | 0];
        x = m[(p + 2) | 0]; c00 += x * b0; c01 += x * b1; c02 += x * b2;
        x = m[(p + 3) | 0]; c10 += x * b0; c11 += x * b1; c12 += x * b2;
        if (end !== -2) {
          const b0 = m[(q + 6) | 0], b1 = m[(q + 7) | 0], b2 = m[(q + 8) | 0];
          x = m[(p + 4) | 0]; c00 += x * b0; c01 += x * b1; c02 += x * b2;
          x = m[(p + 5) | 0]; c10 += x * b0; c11 += x * b1; c12 += x * b2;
          if (end !== -3) {
            const b0 = m[(q + 9) | 0], b1 = m[(q + 10) | 0], b2 = m[(q + 11) | 0];
            x = m[(p + 6) | 0]; c00 += x * b0; c01 += x * b1; c02 += x * b2;
            x = m[(p + 7) | 0]; c10 += x * b0; c11 += x * b1; c12 += x * b2;
            if (end !== -4) {
              const b0 = m[(q + 12) | 0], b1 = m[(q + 13) | 0], b2 = m[(q + 14) | 0];
              x = m[(p + 8) | 0]; c00 += x * b0; c01 += x * b1; c02 += x * b2;
              x = m[(p + 9) | 0]; c10 += x * b0; c11 += x * b1; c12 += x * b2;
              if (end !== -5) {
                const b0 = m[(q + 15) | 0], b1 = m[(q + 16) | 0], b2 = m[(q + 17) | 0];
                x = m[(p + 10) | 0]; c00 += x * b0; c01 += x * b1; c02 += x * b2;
                x = m[(p + 11) | 0]; c10 += x * b0; c11 += x * b1; c12 += x * b2;
                if (end !== -6) {
                  const b0 = m[(q + 18) | 0], b1 = m[(q + 19) | 0], b2 = m[(q + 20) | 0];
                  x = m[(p + 12) | 0]; c00 += x * b0; c01 += x * b1; c02 += x * b2;
                  x = m[(p + 13) | 0]; c10 += x * b0; c11 += x * b1; c12 += x * b2;
                  if (end !== -7) {
                    const b0 = m[(q + 21) | 0], b1 = m[(q + 22) | 0], b2 = m[(q + 23) | 0];
                    x = m[(p + 14) | 0]; c00 += x * b0; c01 += x * b1; c02 += x * b2;
                    x = m[(p + 15) | 0]; c10 += x * b0; c11 += x * b1; c12 += x * b2;
                  }
                }
              }
            }
          }
        }
      }
      p = (p + MR * KU) | 0;
      q = (q + NR * KU) | 0;
    }
    tile[0] = c00; tile[1] = c01; tile[2] = c02;
    tile[3] = c10; tile[4] = c11; tile[5] = c12;
  }

  /** C[0:mr, 0:nr] = alpha·tile + beta·C; beta = 0 is tested once per tile and never reads C. */
  function store(alpha: number, beta: number, C: Float32Array, c0: number, ldc: number, mr: number, nr: number): void {
    if (beta === 0) {
      for (let i = 0; i < mr; i++) for (let j = 0; j < nr; j++) C[c0 + i * ldc + j] = alpha * tile[i * NR + j];
    } else {
      for (let i = 0; i < mr; i++) {
        for (let j = 0; j < nr; j++) {
          const t = c0 + i * ldc + j;
          C[t] = alpha * tile[i * NR + j] + beta * C[t];
        }
      }
    }
  }

  /** C[0:mc, 0:nc] = alpha·Ã·B̃ + beta·C over the packed mc×kc block of A and kc×nc block of B. */
  function block(mc: number, nc: number, kc: number, alpha: number, beta: number, C: Float32Array, c0: number, ldc: number): void {
    for (let jr = 0; jr < nc; jr += NR) {
      const q = B_AT + jr * kc;
      const nr = Math.min(NR, nc - jr);
      for (let ir = 0; ir < mc; ir += MR) {
        micro(kc, ir * kc, q);
        store(alpha, beta, C, c0 + ir * ldc + jr, ldc, Math.min(MR, mc - ir), nr);
      }
    }
  }

  return (tA, tB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc) => {
    reserve(Math.min(NC, N), padK(Math.min(KC, K)));
    // Strides of op(A)[i, k] and op(B)[k, j].
    const aSi = tA ? 1 : lda, aSk = tA ? lda : 1;
    const bSj = tB ? ldb : 1, bSk = tB ? 1 : ldb;
    for (let jc = 0; jc < N; jc += NC) {
      const nc = Math.min(NC, N - jc);
      for (let pc = 0; pc < K; pc += KC) {
        const kc = Math.min(KC, K - pc);
        const kp = padK(kc);
        const betaBlock = pc === 0 ? beta : 1;
        pack(B, bOff + pc * bSk + jc * bSj, bSj, bSk, nc, kc, kp, NR, B_AT);
        for (let ic = 0; ic < M; ic += MC) {
          const mc = Math.min(MC, M - ic);
          pack(A, aOff + ic * aSi + pc * aSk, aSi, aSk, mc, kc, kp, MR, 0);
          block(mc, nc, kp, alpha, betaBlock, C, cOff + ic * ldc + jc, ldc);
        }
      }
    }
  };
}
