/**
 * Dispatch of ReLU and 2×2 max pooling to the WebAssembly SIMD kernels (./wasm/relu-pool.ts) when the arrays
 * live in the WebAssembly heap (as in training, `useWasmMemory`): same arguments and the same bits as the JS
 * references — `ops.relu` / `ops.reluBackward` (src/tensor/ops.ts) and MaxPool2d's 2×2 stride-2 unpadded
 * path and backward (src/layers/maxpool2d.ts), NaN, ±0 and ties included. Each returns false, writing
 * nothing, when it cannot run — no SIMD, an array on the JS heap, a region reaching past its array, operands
 * overlapping other than as the JS allows, fewer than 8 elements (ReLU), pooling planes under 8 columns
 * (4 outputs; 4 columns backward)
 * or an output shape that is not ⌊H/2⌋ × ⌊W/2⌋ — and the caller runs the JS instead. Other pooling
 * windows (kernel ≠ 2, stride ≠ kernel, padding) always take the JS: the CNN only uses 2×2.
 */
import { existingWasmHeap } from '../memory.js';
import { simdHeapModule } from './wasm/heap-module.js';
import { buildReluPoolModule, type ReluPoolExports } from './wasm/relu-pool.js';

/** The kernels instantiated on the process-wide heap, or null without WebAssembly SIMD. */
const reluPoolExports = simdHeapModule<ReluPoolExports>(buildReluPoolModule);

const isInt = (v: number, min: number): boolean => Number.isInteger(v) && v >= min;

/** Byte address of a[off], when a lives in the heap and a[off … off + n) lies inside a; else −1. */
function region(a: Float32Array | Int32Array, off: number, n: number): number {
  const heap = existingWasmHeap();
  if (heap === null || !isInt(off, 0) || off + n > a.length) return -1;
  // addressOf reads only .buffer and .byteOffset: an Int32Array view of heap memory answers the same way.
  const at = heap.addressOf(a as unknown as Float32Array);
  return at < 0 ? -1 : at + 4 * off;
}

/** Whether byte ranges [a, a + an) and [b, b + bn) share a byte. */
const overlap = (a: number, an: number, b: number, bn: number): boolean => a < b + bn && b < a + an;
/** Overlapping, but not the very same range (elementwise kernels may run in place). */
const partlyOverlap = (a: number, b: number, bytes: number): boolean => a !== b && overlap(a, bytes, b, bytes);

/**
 * out[oOff + i] = x[xOff + i] ≤ 0 ? 0 : x[xOff + i] for i < n (`ops.relu`), bit for bit; out may be x
 * (same offset). False (nothing written) when it cannot run.
 */
export function reluWasm(out: Float32Array, oOff: number, x: Float32Array, xOff: number, n: number): boolean {
  if (!isInt(n, 8)) return false;
  const o0 = region(out, oOff, n), x0 = region(x, xOff, n);
  if (o0 < 0 || x0 < 0 || partlyOverlap(o0, x0, 4 * n)) return false;
  const ex = reluPoolExports();
  if (ex === null) return false;
  const n4 = n & ~3;
  ex.relu_f32(n4, x0, o0);
  for (let i = n4; i < n; i++) {
    const v = x[xOff + i];
    out[oOff + i] = v <= 0 ? 0 : v;
  }
  return true;
}

/**
 * dx[dOff + i] = y[yOff + i] > 0 ? dy[gOff + i] : 0 for i < n (`ops.reluBackward`), bit for bit; dx may be
 * y or dy (same offset). False (nothing written) when it cannot run.
 */
export function reluBackwardWasm(dx: Float32Array, dOff: number, y: Float32Array, yOff: number, dy: Float32Array, gOff: number, n: number): boolean {
  if (!isInt(n, 8)) return false;
  const d0 = region(dx, dOff, n), y0 = region(y, yOff, n), g0 = region(dy, gOff, n);
  if (d0 < 0 || y0 < 0 || g0 < 0 || partlyOverlap(d0, y0, 4 * n) || partlyOverlap(d0, g0, 4 * n)) return false;
  const ex = reluPoolExports();
  if (ex === null) return false;
  const n4 = n & ~3;
  ex.relu_backward_f32(n4, g0, y0, d0);
  for (let i = n4; i < n; i++) dx[dOff + i] = y[yOff + i] > 0 ? dy[gOff + i] : 0;
  return true;
}

/** The pooled shape the kernels take: OH = ⌊H/2⌋, OW = ⌊W/2⌋ ≥ minOW, sizes addressable in i32 bytes. */
function validPool(planes: number, H: number, W: number, OH: number, OW: number, minOW: number): boolean {
  return isInt(planes, 0) && isInt(H, 2) && isInt(W, 2) && OH === Math.floor(H / 2) && OW === Math.floor(W / 2) && OW >= minOW &&
    planes * H * W < 2 ** 28;
}

/**
 * MaxPool2d(2) forward over `planes` [H, W] planes from x[xOff]: y[yOff + o] = the window's maximum and
 * am[amOff + o] = its plane index ih·W + iw (first maximum on ties, last NaN), exactly as `pool2x2` of
 * src/layers/maxpool2d.ts. False (nothing written) when it cannot run.
 */
export function maxPool2x2Wasm(
  x: Float32Array, xOff: number, planes: number, H: number, W: number, OH: number, OW: number,
  y: Float32Array, yOff: number, am: Int32Array, amOff: number,
): boolean {
  if (!validPool(planes, H, W, OH, OW, 4)) return false;
  const xn = planes * H * W, yn = planes * OH * OW;
  const x0 = region(x, xOff, xn), y0 = region(y, yOff, yn), a0 = region(am, amOff, yn);
  if (x0 < 0 || y0 < 0 || a0 < 0 || overlap(x0, 4 * xn, y0, 4 * yn) || overlap(x0, 4 * xn, a0, 4 * yn) || overlap(y0, 4 * yn, a0, 4 * yn)) {
    return false;
  }
  const ex = reluPoolExports();
  if (ex === null) return false;
  ex.maxpool2x2_f32(x0, planes, H, W, OH, OW, y0, a0);
  return true;
}

/**
 * MaxPool2d(2) backward: dx[dxOff …] (planes × H × W) = 0 except +0 + g[gOff + o] at each window's argmax
 * am[amOff + o], exactly as MaxPool2d.backward's fill-and-add for this window. False (nothing written) when
 * it cannot run.
 */
export function maxPool2x2BackwardWasm(
  g: Float32Array, gOff: number, am: Int32Array, amOff: number, planes: number, H: number, W: number, OH: number, OW: number,
  dx: Float32Array, dxOff: number,
): boolean {
  if (!validPool(planes, H, W, OH, OW, 2)) return false;
  const xn = planes * H * W, yn = planes * OH * OW;
  const g0 = region(g, gOff, yn), a0 = region(am, amOff, yn), d0 = region(dx, dxOff, xn);
  if (g0 < 0 || a0 < 0 || d0 < 0 || overlap(d0, 4 * xn, g0, 4 * yn) || overlap(d0, 4 * xn, a0, 4 * yn)) return false;
  const ex = reluPoolExports();
  if (ex === null) return false;
  ex.maxpool2x2_backward_f32(g0, a0, planes, H, W, OH, OW, d0);
  return true;
}
