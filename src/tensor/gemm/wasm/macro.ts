/**
 * Macro-kernels: the two inner loops of the Goto/BLIS algorithm over one (m × kc) block of A and one
 * (kc × n) block of B, calling the micro-kernel on each mr×nr tile of C:
 *
 *   for each nr-column panel of B   (stays in L1 while …)
 *     for each mr-row panel of A    (… the A block streams from L2)
 *       C_tile = alpha·A_panel·B_panel + beta·C_tile
 *
 * Edge tiles (fewer than mr rows or nr columns left) are computed whole into a scratch tile — packed
 * panels are zero-padded, so this is safe — and merged into C with `merge`. In 'rows' mode (A read in
 * place) the last rows use the micro-kernel with exactly that many rows, so nothing past A is read.
 * In 'strided' B mode the caller passes n as a multiple of nr.
 *
 * Signature: (m, n, kc, A, lda, B, ldb, C, ldc, alpha, beta, scratch), addresses and leading
 * dimensions in bytes.
 */
import { ModuleBuilder, addTo, whileLoop } from './builder.js';
import { AMode, BMode, microName } from './micro.js';
import { ValType } from './opcodes.js';

const { i32, f32 } = ValType;

export function macroName(aMode: AMode, bMode: BMode): string {
  return `macro_${aMode[0]}${bMode[0]}`;
}

export function emitMacroKernel(m: ModuleBuilder, aMode: AMode, bMode: BMode, mr: number, nr: number, fnName = macroName(aMode, bMode)): void {
  const f = m.declare(
    fnName,
    [['m', i32], ['n', i32], ['kc', i32], ['A', i32], ['lda', i32], ['B', i32], ['ldb', i32], ['C', i32], ['ldc', i32], ['alpha', f32], ['beta', f32], ['scratch', i32]],
    [],
    true,
  );
  const P = (n: string) => f.get(n);
  const j0 = f.local(i32);
  const nrCur = f.local(i32);
  const i0 = f.local(i32);
  const rows = f.local(i32);
  const aP = f.local(i32);
  const bP = f.local(i32);
  const cP = f.local(i32);
  const cCol = f.local(i32);
  const aStep = f.local(i32);
  const bStep = f.local(i32);
  const cStep = f.local(i32);
  const tgt = f.local(i32);
  const tgtLd = f.local(i32);
  const tAlpha = f.local(f32);
  const tBeta = f.local(f32);

  // Panel strides.
  if (aMode === 'packed') f.lget(P('kc')).i32(mr * 4).i32Mul().lset(aStep);
  else if (aMode === 'bcast') f.lget(P('kc')).i32(mr * 16).i32Mul().lset(aStep);
  else f.lget(P('lda')).i32(mr).i32Mul().lset(aStep);
  if (bMode === 'packed') f.lget(P('kc')).i32(nr * 4).i32Mul().lset(bStep);
  else f.i32(nr * 4).lset(bStep);
  f.lget(P('ldc')).i32(mr).i32Mul().lset(cStep);
  f.lget(P('B')).lset(bP);
  f.lget(P('C')).lset(cCol);

  const callMicro = (rowsInTile: number): void => {
    f.lget(P('kc')).lget(aP).lget(P('lda')).lget(bP).lget(P('ldb')).lget(tgt).lget(tgtLd).lget(tAlpha).lget(tBeta);
    f.call(m.indexOf(microName(aMode, bMode, rowsInTile, nr)));
  };

  whileLoop(f, () => f.lget(j0).lget(P('n')).i32LtS(), () => {
    // nrCur = min(nr, n − j0)
    f.i32(nr).lget(P('n')).lget(j0).i32Sub().ltee(nrCur).lget(nrCur).i32(nr).i32GtS().select().lset(nrCur);
    f.lget(P('A')).lset(aP);
    f.lget(cCol).lset(cP);
    f.i32(0).lset(i0);
    whileLoop(f, () => f.lget(i0).lget(P('m')).i32LtS(), () => {
      // rows = min(mr, m − i0)
      f.i32(mr).lget(P('m')).lget(i0).i32Sub().ltee(rows).lget(rows).i32(mr).i32GtS().select().lset(rows);
      // Full-width tiles go straight to C; partial ones to the scratch tile.
      f.lget(nrCur).i32(nr).i32Eq().if();
      f.lget(cP).lset(tgt).lget(P('ldc')).lset(tgtLd).lget(P('alpha')).lset(tAlpha).lget(P('beta')).lset(tBeta);
      f.else();
      f.lget(P('scratch')).lset(tgt).i32(nr * 4).lset(tgtLd).f32(1).lset(tAlpha).f32(0).lset(tBeta);
      f.end();
      if (aMode !== 'rows') {
        // Zero-padded A panel: always the full-height kernel; partial height goes through scratch.
        f.lget(rows).i32(mr).i32Ne().if();
        f.lget(P('scratch')).lset(tgt).i32(nr * 4).lset(tgtLd).f32(1).lset(tAlpha).f32(0).lset(tBeta);
        f.end();
        callMicro(mr);
      } else {
        for (let r = 1; r <= mr; r++) {
          f.lget(rows).i32(r).i32Eq().if();
          callMicro(r);
          f.end();
        }
      }
      f.lget(tgt).lget(P('scratch')).i32Eq().if();
      f.lget(P('scratch')).i32(nr * 4).lget(cP).lget(P('ldc')).lget(rows).lget(nrCur).lget(P('alpha')).lget(P('beta'));
      f.call(m.indexOf('merge'));
      f.end();
      addTo(f, aP, aStep);
      addTo(f, cP, cStep);
      addTo(f, i0, mr);
    });
    addTo(f, bP, bStep);
    addTo(f, cCol, nr * 4);
    addTo(f, j0, nr);
  });
}
