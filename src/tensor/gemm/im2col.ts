/**
 * Dispatch of Conv2d's patch unrolling to the WebAssembly SIMD kernels (./wasm/im2col.ts) when the arrays
 * live in the WebAssembly heap (as in training, `useWasmMemory`): same arguments and the same bits as the JS
 * reference functions `im2col` / `col2imAdd` of src/layers/conv2d.ts. Each returns false, writing nothing,
 * when it cannot run — no SIMD, an array on the JS heap, a region reaching past its array, overlapping
 * input and output, or arguments the JS functions do not take (non-integers, stride < 1, output width
 * ≥ 65536) — and the caller runs the JS function instead.
 */
import { existingWasmHeap } from '../memory.js';
import { simdHeapModule } from './wasm/heap-module.js';
import { buildIm2colModule, type Im2colExports } from './wasm/im2col.js';

/** The kernels instantiated on the process-wide heap, or null without WebAssembly SIMD. */
const im2colExports = simdHeapModule<Im2colExports>(buildIm2colModule);

const isInt = (v: number, min: number): boolean => Number.isInteger(v) && v >= min;

/** The window arguments the kernels take (those the JS reference handles without NaN or overflow). */
function validWindow(C: number, H: number, W: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, OH: number, OW: number): boolean {
  return isInt(C, 0) && isInt(H, 0) && isInt(W, 0) && isInt(kh, 1) && isInt(kw, 1) && isInt(sh, 1) && isInt(sw, 1) &&
    isInt(ph, 0) && isInt(pw, 0) && isInt(OH, 0) && isInt(OW, 0) && OW < 65536 &&
    C * H * W < 2 ** 28 && C * kh * kw * OH * OW < 2 ** 28 && H + ph + kh < 2 ** 28 && W + pw + kw < 2 ** 28;
}

/**
 * Byte address of a[off], when a lives in the heap and a[off … off + n) lies inside a; else −1.
 */
function region(a: Float32Array, off: number, n: number): number {
  const heap = existingWasmHeap();
  if (heap === null || !isInt(off, 0) || off + n > a.length) return -1;
  const at = heap.addressOf(a);
  return at < 0 ? -1 : at + 4 * off;
}

/** {@link im2col} of src/layers/conv2d.ts in WebAssembly; false (nothing written) when it cannot run. */
export function im2colWasm(
  x: Float32Array, xOff: number, C: number, H: number, W: number, kh: number, kw: number, sh: number, sw: number,
  ph: number, pw: number, OH: number, OW: number, cols: Float32Array, colOff: number,
): boolean {
  if (!validWindow(C, H, W, kh, kw, sh, sw, ph, pw, OH, OW)) return false;
  const xn = C * H * W, cn = C * kh * kw * OH * OW;
  const x0 = region(x, xOff, xn), c0 = region(cols, colOff, cn);
  if (x0 < 0 || c0 < 0 || (x0 < c0 + 4 * cn && c0 < x0 + 4 * xn)) return false;
  const ex = im2colExports();
  if (ex === null) return false;
  ex.im2col(x0, C, H, W, kh, kw, sh, sw, ph, pw, OH, OW, c0);
  return true;
}

/** {@link col2imAdd} of src/layers/conv2d.ts in WebAssembly; false (nothing written) when it cannot run. */
export function col2imAddWasm(
  cols: Float32Array, colOff: number, C: number, H: number, W: number, kh: number, kw: number, sh: number, sw: number,
  ph: number, pw: number, OH: number, OW: number, dx: Float32Array, dxOff: number,
): boolean {
  if (!validWindow(C, H, W, kh, kw, sh, sw, ph, pw, OH, OW)) return false;
  const xn = C * H * W, cn = C * kh * kw * OH * OW;
  const c0 = region(cols, colOff, cn), d0 = region(dx, dxOff, xn);
  if (c0 < 0 || d0 < 0 || (d0 < c0 + 4 * cn && c0 < d0 + 4 * xn)) return false;
  const ex = im2colExports();
  if (ex === null) return false;
  ex.col2im_add(c0, C, H, W, kh, kw, sh, sw, ph, pw, OH, OW, d0);
  return true;
}
