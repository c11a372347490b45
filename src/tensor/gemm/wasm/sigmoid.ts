/**
 * σ(x) = 1/(1 + e^−x) over float32 vectors, four lanes at a time, with an exp evaluated in float32:
 *
 *   t = e^−|x| = 2^n · e^r,  n = nearest(−|x|·log₂e),  r = −|x| − n·ln2  (ln2 split in two parts, C1 + C2,
 *       C1 with few significant bits so n·C1 is exact),  e^r ≈ 1 + r + r²·P(r), P of degree 5 — the classic
 *       single-precision minimax fit (Moshier's Cephes `expf` coefficients; relative error below 2 ulp on
 *       |r| ≤ ln2/2); 2^n by writing n + 127 into the exponent bits.
 *   σ(x) = 1/(1 + t) for x ≥ 0 and t/(1 + t) for x < 0 (one division either way, no cancellation).
 *
 * Error: a few float32 ulps (measured ≤ 2 over 2·10⁶ inputs evenly spaced on [−80, 80]; the test allows 4, see
 * test/tensor/sigmoid.test.ts) against the correctly rounded σ — PyTorch's own float32 CPU sigmoid (a
 * vectorised 1/(1 + exp(−x))) is itself a few ulps from it, and the fixtures allow 1e-5 relative.
 * Lanes with |x| > 80 or NaN are flagged (the function returns 1 if any): the caller recomputes those
 * elements exactly (e^−80 is still a normal float32, so every lane inside the range is exact in form).
 *
 * sigmoid_f32(n, x, out) → i32 — n a multiple of 4; x and out byte addresses (may be equal).
 */
import { ModuleBuilder, addTo, whileLoop } from './builder.js';
import { ValType } from './opcodes.js';

const { i32, v128 } = ValType;

const LOG2E = 1.44269504088896341;
const C1 = 0.693359375;
const C2 = -2.12194440e-4;
const P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
/** Beyond this |x| (or NaN) the lane is flagged for the exact scalar path. */
export const SIGMOID_WASM_RANGE = 80;

export function emitSigmoid(m: ModuleBuilder): void {
  const f = m.declare('sigmoid_f32', [['n', i32], ['x', i32], ['out', i32]], [i32]);
  const Pn = (s: string) => f.get(s);
  const end = f.local(i32), v = f.local(v128), z = f.local(v128), nn = f.local(v128), r = f.local(v128), p = f.local(v128);
  const t = f.local(v128), bad = f.local(v128);
  const splat = (c: number) => f.f32(c).f32x4Splat();
  f.v128Zero().lset(bad);
  f.lget(Pn('n')).i32(2).i32Shl().lget(Pn('x')).i32Add().lset(end);
  whileLoop(f, () => f.lget(Pn('x')).lget(end).i32LtS(), () => {
    f.lget(Pn('x')).v128Load().lset(v);
    // bad |= (|v| > RANGE) | (v ≠ v)
    f.lget(bad).lget(v).f32x4Abs().ltee(z);
    splat(SIGMOID_WASM_RANGE);
    f.f32x4Gt().v128Or().lget(v).lget(v).f32x4Ne().v128Or().lset(bad);
    // z = −|v|; n = nearest(z·log2e); r = (z − n·C1) − n·C2
    f.lget(z).f32x4Neg().lset(z);
    f.lget(z);
    splat(LOG2E);
    f.f32x4Mul().f32x4Nearest().lset(nn);
    f.lget(z).lget(nn);
    splat(C1);
    f.f32x4Mul().f32x4Sub().lget(nn);
    splat(C2);
    f.f32x4Mul().f32x4Sub().lset(r);
    // p = P0; p = p·r + Pk
    splat(P[0]);
    f.lset(p);
    for (let k = 1; k < P.length; k++) {
      f.lget(p).lget(r).f32x4Mul();
      splat(P[k]);
      f.f32x4Add().lset(p);
    }
    // e^r = (p·r² + r) + 1;  t = e^r · 2^n
    f.lget(p).lget(r).lget(r).f32x4Mul().f32x4Mul().lget(r).f32x4Add();
    splat(1);
    f.f32x4Add();
    f.lget(nn).i32x4TruncSatF32x4S().i32(127).i32x4Splat().i32x4Add().i32(23).i32x4Shl();
    f.f32x4Mul().lset(t);
    // out = (v ≥ 0 ? 1 : t) / (1 + t)
    f.lget(Pn('out'));
    splat(1);
    f.lget(t).lget(v);
    f.v128Zero().f32x4Ge(); // mask: v ≥ 0
    f.v128Bitselect();
    splat(1);
    f.lget(t).f32x4Add().f32x4Div().v128Store();
    addTo(f, Pn('x'), 16);
    addTo(f, Pn('out'), 16);
  });
  f.lget(bad).v128AnyTrue();
}

/**
 * sigmoid_backward_f32(n, dy, y, dx): dx = (dy·(1 − y))·y, four lanes at a time, every operation rounded to
 * float32 — PyTorch's CPU `sigmoid_backward` (`a * (one - b) * b` on Vectorized<float>) operation for
 * operation, so the lanes give PyTorch's bits. n a multiple of 4; byte addresses (dx may equal dy or y).
 */
export function emitSigmoidBackward(m: ModuleBuilder): void {
  const f = m.declare('sigmoid_backward_f32', [['n', i32], ['dy', i32], ['y', i32], ['dx', i32]]);
  const p = f.local(i32), end = f.local(i32), one = f.local(v128), s = f.local(v128);
  f.f32(1).f32x4Splat().lset(one);
  f.lget(f.get('n')).i32(2).i32Shl().lset(end);
  whileLoop(f, () => f.lget(p).lget(end).i32LtS(), () => {
    f.lget(p).lget(f.get('y')).i32Add().v128Load().lset(s);
    f.lget(p).lget(f.get('dx')).i32Add();
    f.lget(p).lget(f.get('dy')).i32Add().v128Load().lget(one).lget(s).f32x4Sub().f32x4Mul().lget(s).f32x4Mul();
    f.v128Store();
    addTo(f, p, 16);
  });
}
