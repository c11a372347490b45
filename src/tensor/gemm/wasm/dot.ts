/**
 * The small-M path for a transposed B: C[i, j] = alpha·⟨A[i, :], B[j, :]⟩ + beta·C[i, j], with both rows
 * contiguous along k. No packing (packing B would cost as much as the product when M is 1–4): four rows of
 * B at a time, two 4-wide accumulators per row (8 independent dependency chains hide the add latency),
 * a scalar k tail, then a horizontal sum.
 *
 * dot_nt(m, n, kc, A, lda, B, ldb, C, ldc, alpha, beta) — addresses and leading dimensions in bytes.
 */
import { FunctionBuilder, Local, ModuleBuilder, addTo, whileLoop } from './builder.js';
import { ValType } from './opcodes.js';

const { i32, f32, v128 } = ValType;

function madd(f: FunctionBuilder, acc: Local, a: Local, b: Local, fma: boolean): void {
  if (fma) f.lget(a).lget(b).lget(acc).f32x4RelaxedMadd().lset(acc);
  else f.lget(acc).lget(a).lget(b).f32x4Mul().f32x4Add().lset(acc);
}

export function emitDotNT(m: ModuleBuilder, fma: boolean): void {
  const f = m.declare(
    'dot_nt',
    [['m', i32], ['n', i32], ['kc', i32], ['A', i32], ['lda', i32], ['B', i32], ['ldb', i32], ['C', i32], ['ldc', i32], ['alpha', f32], ['beta', f32]],
    [],
    true,
  );
  const P = (n: string) => f.get(n);
  const i = f.local(i32);
  const j = f.local(i32);
  const k = f.local(i32);
  const aRow = f.local(i32);
  const cRow = f.local(i32);
  const aP = f.local(i32);
  const bRow = f.local(i32);
  const cP = f.local(i32);
  const av = [f.local(v128), f.local(v128)];
  const bv = f.local(v128);
  const accs: Local[][] = [0, 1, 2, 3].map(() => [f.local(v128), f.local(v128)]);
  const bPtr: Local[] = [0, 1, 2, 3].map(() => f.local(i32));
  const sums: Local[] = [0, 1, 2, 3].map(() => f.local(f32));
  const x = f.local(f32);
  const res = f.local(f32);

  /** The dot products of row aRow with `jw` rows of B starting at bRow, stored to cP… */
  const block = (jw: number): void => {
    for (let q = 0; q < jw; q++) {
      if (q === 0) f.lget(bRow).lset(bPtr[0]);
      else f.lget(bPtr[q - 1]).lget(P('ldb')).i32Add().lset(bPtr[q]);
      f.v128Zero().lset(accs[q][0]).v128Zero().lset(accs[q][1]).f32(0).lset(sums[q]);
    }
    f.lget(aRow).lset(aP);
    f.i32(0).lset(k);
    whileLoop(f, () => f.lget(k).i32(8).i32Add().lget(P('kc')).i32LeS(), () => {
      f.lget(aP).v128Load(0).lset(av[0]);
      f.lget(aP).v128Load(16).lset(av[1]);
      for (let q = 0; q < jw; q++) {
        for (let u = 0; u < 2; u++) {
          f.lget(bPtr[q]).v128Load(u * 16).lset(bv);
          madd(f, accs[q][u], av[u], bv, fma);
        }
        addTo(f, bPtr[q], 32);
      }
      addTo(f, aP, 32);
      addTo(f, k, 8);
    });
    whileLoop(f, () => f.lget(k).i32(4).i32Add().lget(P('kc')).i32LeS(), () => {
      f.lget(aP).v128Load(0).lset(av[0]);
      for (let q = 0; q < jw; q++) {
        f.lget(bPtr[q]).v128Load(0).lset(bv);
        madd(f, accs[q][0], av[0], bv, fma);
        addTo(f, bPtr[q], 16);
      }
      addTo(f, aP, 16);
      addTo(f, k, 4);
    });
    whileLoop(f, () => f.lget(k).lget(P('kc')).i32LtS(), () => {
      f.lget(aP).f32Load().lset(x);
      for (let q = 0; q < jw; q++) {
        f.lget(sums[q]).lget(x).lget(bPtr[q]).f32Load().f32Mul().f32Add().lset(sums[q]);
        addTo(f, bPtr[q], 4);
      }
      addTo(f, aP, 4);
      addTo(f, k, 1);
    });
    for (let q = 0; q < jw; q++) {
      f.lget(accs[q][0]).lget(accs[q][1]).f32x4Add().lset(bv);
      f.lget(bv).f32x4ExtractLane(0).lget(bv).f32x4ExtractLane(1).f32Add();
      f.lget(bv).f32x4ExtractLane(2).lget(bv).f32x4ExtractLane(3).f32Add().f32Add();
      f.lget(sums[q]).f32Add().lget(P('alpha')).f32Mul().lset(res);
      f.lget(P('beta')).f32(0).f32Eq().i32Eqz().if();
      f.lget(res).lget(cP).f32Load(q * 4).lget(P('beta')).f32Mul().f32Add().lset(res);
      f.end();
      f.lget(cP).lget(res).f32Store(q * 4);
    }
  };

  f.lget(P('A')).lset(aRow);
  f.lget(P('C')).lset(cRow);
  whileLoop(f, () => f.lget(i).lget(P('m')).i32LtS(), () => {
    f.i32(0).lset(j);
    f.lget(P('B')).lset(bRow);
    f.lget(cRow).lset(cP);
    whileLoop(f, () => f.lget(j).i32(4).i32Add().lget(P('n')).i32LeS(), () => {
      block(4);
      f.lget(bRow).lget(P('ldb')).i32(4).i32Mul().i32Add().lset(bRow);
      addTo(f, cP, 16);
      addTo(f, j, 4);
    });
    whileLoop(f, () => f.lget(j).lget(P('n')).i32LtS(), () => {
      block(1);
      addTo(f, bRow, P('ldb'));
      addTo(f, cP, 4);
      addTo(f, j, 1);
    });
    addTo(f, aRow, P('lda'));
    addTo(f, cRow, P('ldc'));
    addTo(f, i, 1);
  });
}
