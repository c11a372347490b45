/**
 * The fused multiply-add of PyTorch's float32 CPU kernels, in JavaScript.
 *
 * PyTorch 1.13's `add_(x, alpha=a)` computes self + a·x and `addcmul_(t1, t2, value=v)` computes
 * self + (v·t1)·t2 with a fused multiply-add: the exact a·x + self rounded ONCE to float32 (its AVX2
 * kernels use vfmadd, and its scalar remainder loop gives the same). tools/reference/optim_rounding.py
 * shows it on real PyTorch.
 *
 * For float32 a, b, c the product a·b is exact in double (24 + 24 ≤ 53 bits), so float32(a·b + c) computed
 * in double is right except for one case: the double sum s lands exactly halfway between two float32
 * values while the exact sum does not (it was rounded onto the halfway point). Rounding s then ties to
 * even, which may be the wrong side — about once in 2^29 random operations. `fma32` detects that case and
 * settles it with the sum's exact rounding error (Knuth's TwoSum), so its result is the correctly rounded
 * float32 of a·b + c, always.
 *
 * The WebAssembly kernels (./wasm) compute the same function: a hardware FMA where the engine's
 * relaxed-SIMD madd is verified to be one, otherwise double arithmetic with round-to-odd.
 */

const fround = Math.fround;

/** Largest float32, and the double halfway between it and 2^128 (where float32 rounding overflows). */
const FLT_MAX = 3.4028234663852886e38;
const OVERFLOW_HALFWAY = 3.4028235677973366e38;

/** float32(a·b + c) with one rounding, for float32 values a, b, c. */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b; // exact
  const s = p + c; // rounded to double
  const bb = s - p;
  const e = p - (s - bb) + (c - bb); // a·b + c − s, exactly (Knuth's TwoSum)
  const r = fround(s);
  const o = s + (s - r); // if s is halfway between floats, the one on the other side of r (exactly); else not a float
  // |fround(o) − o| is 0 when s is halfway (or a float), and otherwise at least about a double ulp while
  // |e| is at most half of one: so this single test is true except (essentially) when rounding twice
  // could go wrong — a well-predicted branch, off the result's critical path. The rare rest is settled
  // exactly below.
  if (Math.abs(fround(o) - o) >= Math.abs(e)) return r;
  return halfway(s, e, r);
}

/** Rarely reached: s may be halfway between floats (or r overflowed, or NaN) and the exact sum s + e ≠ s. */
function halfway(s: number, e: number, r: number): number {
  const h = s - r;
  if (e === 0 || h === 0 || h !== h) return r; // exactly s; or s is a float (the exact sum rounds to it too); or NaN
  if (r - r !== 0) {
    // s rounded to ±∞ in float32; exactly at the threshold (halfway between ±FLT_MAX and ±2^128) with e
    // pulling towards zero the exact sum rounds to ±FLT_MAX.
    return Math.abs(s) === OVERFLOW_HALFWAY && e > 0 !== s > 0 ? (s > 0 ? FLT_MAX : -FLT_MAX) : r;
  }
  const o = s + h;
  if (fround(o) !== o) return r; // s is not halfway: rounding it once is rounding the exact sum
  return e > 0 === h > 0 ? o : r; // halfway: the float on the exact sum's side of s
}
