/**
 * The WebAssembly SIMD sigmoid (./wasm/sigmoid.ts) for arrays in the WebAssembly heap: four lanes at a time
 * with a float32 exp, a few ulps from the correctly rounded σ (PyTorch's float32 sigmoid is as far); the
 * elements the kernel flags (|x| > 80, NaN) and the last n mod 4 are computed here exactly, in float64
 * rounded once, as `ops.sigmoid` does everywhere else.
 */
import { wasmHeap } from '../memory.js';
import { sparseWasmExports } from './sparse.js';
import { SIGMOID_WASM_RANGE } from './wasm/sigmoid.js';

/** σ in float64, rounded once by the store; no overflow for any x. */
function exactSigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/**
 * out[oOff + i] = σ(x[xOff + i]) for i < n, when both arrays live in the WebAssembly heap and do not
 * overlap; returns false (writing nothing) otherwise, and the caller computes it in JS.
 */
export function sigmoidWasm(out: Float32Array, oOff: number, x: Float32Array, xOff: number, n: number): boolean {
  if (n < 8) return false;
  const ex = sparseWasmExports();
  if (ex === null) return false;
  const heap = wasmHeap();
  const ao = heap.addressOf(out), ax = heap.addressOf(x);
  if (ao < 0 || ax < 0) return false;
  const o0 = ao + 4 * oOff, x0 = ax + 4 * xOff;
  if (o0 < x0 + 4 * n && x0 < o0 + 4 * n) return false; // overlapping: flagged inputs would be overwritten
  const n4 = n & ~3;
  if (ex.sigmoid_f32(n4, x0, o0) !== 0) {
    for (let i = 0; i < n4; i++) {
      const v = x[xOff + i];
      if (!(Math.abs(v) <= SIGMOID_WASM_RANGE)) out[oOff + i] = exactSigmoid(v);
    }
  }
  for (let i = n4; i < n; i++) out[oOff + i] = exactSigmoid(x[xOff + i]);
  return true;
}

/** Whether byte ranges [a, a + bytes) and [b, b + bytes) overlap without being the same range. */
function partlyOverlap(a: number, b: number, bytes: number): boolean {
  return a !== b && a < b + bytes && b < a + bytes;
}

/**
 * dx[dxOff + i] = (dy[dyOff + i]·(1 − y[yOff + i]))·y[yOff + i] for i < n with every operation in float32 —
 * PyTorch's CPU sigmoid_backward bit for bit (the JS path of `ops.sigmoidBackward` rounds once from float64
 * instead, at most an ulp or so away) — when the three arrays live in the WebAssembly heap; returns false
 * (writing nothing) otherwise. dx may be dy or y exactly, but not overlap them otherwise.
 */
export function sigmoidBackwardWasm(dx: Float32Array, dxOff: number, y: Float32Array, yOff: number, dy: Float32Array, dyOff: number, n: number): boolean {
  if (n < 8) return false;
  const ex = sparseWasmExports();
  if (ex === null) return false;
  const heap = wasmHeap();
  const ad = heap.addressOf(dx), ay = heap.addressOf(y), ag = heap.addressOf(dy);
  if (ad < 0 || ay < 0 || ag < 0) return false;
  const d0 = ad + 4 * dxOff, y0 = ay + 4 * yOff, g0 = ag + 4 * dyOff;
  if (partlyOverlap(d0, y0, 4 * n) || partlyOverlap(d0, g0, 4 * n)) return false;
  const n4 = n & ~3;
  ex.sigmoid_backward_f32(n4, g0, y0, d0);
  for (let i = n4; i < n; i++) {
    const s = y[yOff + i];
    dx[dxOff + i] = Math.fround(Math.fround(dy[dyOff + i] * Math.fround(1 - s)) * s);
  }
  return true;
}
