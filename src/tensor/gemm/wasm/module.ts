/**
 * Assemble the whole gemm module: micro-kernels for every (A mode, B mode, rows) the driver uses, their
 * macro loops, the four packers, the small-M dot kernel and the edge merge. The bytes are generated at
 * run time from this TypeScript (no toolchain, no checked-in binary); `WasmGemmConfig` is what the
 * benchmark tuned.
 */
import { ModuleBuilder } from './builder.js';
import { emitDotNT } from './dot.js';
import { emitGemvN } from './gemv.js';
import { emitMacroKernel } from './macro.js';
import { emitMerge, emitMicroKernel } from './micro.js';
import { emitPackBroadcast, emitPackContiguous, emitPackScalar, emitPackTransposed } from './pack.js';

export interface WasmGemmConfig {
  /** Register tile rows. */
  mr: number;
  /** Register tile columns (multiple of 4). */
  nr: number;
  /** k-loop unroll of the micro-kernel. */
  unroll: number;
  /** Emit f32x4.relaxed_madd (requires relaxed SIMD). */
  fma: boolean;
}

/** The largest memory the module accepts (the import's declared maximum), in 64 KiB pages: 4 GiB. */
export const MODULE_MAX_PAGES = 65536;

/** The module for `config`, importing a shared memory (the default) or a non-shared one (`shared` false). */
export function buildGemmModule(config: WasmGemmConfig, shared = true): Uint8Array {
  const { mr, nr } = config;
  const m = new ModuleBuilder({ module: 'env', field: 'memory', initialPages: 1, maximumPages: MODULE_MAX_PAGES, shared });
  emitMerge(m);
  emitPackScalar(m);
  emitMicroKernel(m, 'packed', 'packed', config);
  emitMicroKernel(m, 'bcast', 'packed', config);
  for (let r = 1; r <= mr; r++) {
    emitMicroKernel(m, 'rows', 'packed', { ...config, mr: r });
    emitMicroKernel(m, 'rows', 'strided', { ...config, mr: r });
  }
  emitMacroKernel(m, 'packed', 'packed', mr, nr);
  emitMacroKernel(m, 'bcast', 'packed', mr, nr);
  emitMacroKernel(m, 'rows', 'packed', mr, nr);
  emitMacroKernel(m, 'rows', 'strided', mr, nr);
  emitPackContiguous(m, 'pack_b_n', nr);
  emitPackTransposed(m, 'pack_b_t', nr);
  emitPackContiguous(m, 'pack_a_t', mr);
  emitPackTransposed(m, 'pack_a_n', mr);
  emitPackBroadcast(m, 'pack_a_n_bcast', mr, true);
  emitPackBroadcast(m, 'pack_a_t_bcast', mr, false);
  emitDotNT(m, config.fma);
  emitGemvN(m, config.fma);
  return m.encode();
}

/** The exports, typed. Addresses and leading dimensions are in bytes. */
export interface GemmExports {
  merge(src: number, srcLd: number, dst: number, dstLd: number, m: number, n: number, alpha: number, beta: number): void;
  pack_scalar(src: number, strideP: number, strideK: number, valid: number, w: number, kc: number, dst: number): void;
  pack_b_n(src: number, ld: number, kc: number, n: number, dst: number): void;
  pack_b_t(src: number, ld: number, kc: number, n: number, dst: number): void;
  pack_a_n(src: number, ld: number, kc: number, m: number, dst: number): void;
  pack_a_t(src: number, ld: number, kc: number, m: number, dst: number): void;
  macro_pp: MacroFn;
  macro_bp: MacroFn;
  pack_a_n_bcast(src: number, ld: number, kc: number, m: number, dst: number): void;
  pack_a_t_bcast(src: number, ld: number, kc: number, m: number, dst: number): void;
  macro_rp: MacroFn;
  macro_rs: MacroFn;
  gemv_n(K: number, N: number, a: number, aStep: number, B: number, ldb: number, c: number, alpha: number, beta: number): void;
  dot_nt(m: number, n: number, kc: number, A: number, lda: number, B: number, ldb: number, C: number, ldc: number, alpha: number, beta: number): void;
}

export type MacroFn = (
  m: number, n: number, kc: number, A: number, lda: number, B: number, ldb: number,
  C: number, ldc: number, alpha: number, beta: number, scratch: number,
) => void;
