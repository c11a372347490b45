import { sigmoidBackwardWasm, sigmoidWasm } from './gemm/activations.js';
import { reluBackwardWasm, reluWasm } from './gemm/relu-pool.js';
import { Tensor, shapeString } from './tensor.js';
import { describeValue } from './describe.js';

/**
 * The elementwise and row-wise operations the layers need, destination first as in scijs ndarray-ops:
 * `op(out, a, b)` writes `out` and returns it. Operands are contiguous float32 views (any offset); each op
 * checks shapes and layout once per call (O(1)) and allocates nothing.
 *
 * Every value is computed in float64 (JavaScript numbers) from the float32 inputs and rounded once when
 * stored, so results are within one float32 rounding of the exact function of the stored inputs;
 * PyTorch's float32 CPU kernels are within a few roundings, hence tests compare at about 1e-5 relative.
 *
 * Unless stated otherwise `out` may be the same view as an input (in place).
 * Deliberately absent: broadcasting, strided walks, dtype dispatch — layers need none of them.
 */

function requireContiguous(op: string, name: string, t: Tensor): void {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${describeValue(t)}`);
  if (!t.isContiguous()) {
    throw new RangeError(`${op}: ${name} must be a contiguous view, got shape ${shapeString(t.shape)} with strides ${shapeString(t.strides)}`);
  }
}

function sameShape(a: Tensor, b: Tensor): boolean {
  if (a.shape.length !== b.shape.length) return false;
  for (let k = 0; k < a.shape.length; k++) if (a.shape[k] !== b.shape[k]) return false;
  return true;
}

/**
 * `b` (and `c`, when given) must be contiguous with the shape of `a`. Fixed arity, no array literals or
 * closures: these checks run on every forward and backward, which must allocate nothing.
 */
function requireSameShape(op: string, aName: string, a: Tensor, bName: string, b: Tensor, cName?: string, c?: Tensor): void {
  requireContiguous(op, aName, a);
  requireContiguous(op, bName, b);
  if (!sameShape(a, b)) {
    throw new RangeError(`${op}: ${bName} has shape ${shapeString(b.shape)}, expected ${shapeString(a.shape)} (the shape of ${aName})`);
  }
  if (cName !== undefined) {
    requireContiguous(op, cName, c as Tensor);
    if (!sameShape(a, c as Tensor)) {
      throw new RangeError(`${op}: ${cName} has shape ${shapeString((c as Tensor).shape)}, expected ${shapeString(a.shape)} (the shape of ${aName})`);
    }
  }
}

function requireMatrix(op: string, name: string, t: Tensor): void {
  if (!(t instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${describeValue(t)}`);
  if (t.rank !== 2) throw new RangeError(`${op}: ${name} must be a matrix [rows, cols], got shape ${shapeString(t.shape)}`);
}

// ---------------------------------------------------------------------------------------------------------
// Elementwise activations and their derivatives (expressed through the output y, which is what a layer keeps).

/**
 * out = σ(x) = 1 / (1 + e^−x), evaluated without overflow: e^−x for x ≥ 0 and e^x / (1 + e^x) for x < 0,
 * so neither branch exponentiates a positive number (the naive e^x / (1 + e^x) gives ∞/∞ = NaN at x ≈ 710
 * in float64, x ≈ 89 in float32). NaN propagates. Arrays in the WebAssembly heap (`useWasmMemory`) go
 * through the SIMD kernel of gemm/activations.ts instead: a float32 exp, within a few ulps of this.
 */
export function sigmoid(out: Tensor, x: Tensor): Tensor {
  requireSameShape('sigmoid', 'out', out, 'x', x);
  const o = out.data, a = x.data, n = out.size, oo = out.offset, xo = x.offset;
  if (sigmoidWasm(o, oo, a, xo, n)) return out; // SIMD, a few ulps (see gemm/activations.ts); else exact below
  for (let i = 0; i < n; i++) {
    const v = a[xo + i];
    if (v >= 0) {
      o[oo + i] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      o[oo + i] = e / (1 + e);
    }
  }
  return out;
}

/**
 * dx = dy · σ′(x) = dy · y · (1 − y), with y = σ(x). Operands in the WebAssembly heap take the SIMD kernel of
 * gemm/activations.ts: PyTorch's float32 formula (dy·(1 − y))·y operation for operation (its bits); otherwise
 * float64 rounded once, as everywhere in this file.
 */
export function sigmoidBackward(dx: Tensor, y: Tensor, dy: Tensor): Tensor {
  requireSameShape('sigmoidBackward', 'dx', dx, 'y', y, 'dy', dy);
  const d = dx.data, yd = y.data, g = dy.data, n = dx.size, dOff = dx.offset, yOff = y.offset, gOff = dy.offset;
  if (sigmoidBackwardWasm(d, dOff, yd, yOff, g, gOff, n)) return dx;
  for (let i = 0; i < n; i++) {
    const s = yd[yOff + i];
    d[dOff + i] = g[gOff + i] * s * (1 - s);
  }
  return dx;
}

/**
 * out = max(x, 0); NaN propagates (as `torch.relu`), −0 gives +0. Arrays in the WebAssembly heap take the
 * SIMD kernel of gemm/relu-pool.ts, which gives this loop's bits.
 */
export function relu(out: Tensor, x: Tensor): Tensor {
  requireSameShape('relu', 'out', out, 'x', x);
  const o = out.data, a = x.data, n = out.size, oo = out.offset, xo = x.offset;
  if (reluWasm(o, oo, a, xo, n)) return out;
  for (let i = 0; i < n; i++) {
    const v = a[xo + i];
    o[oo + i] = v <= 0 ? 0 : v;
  }
  return out;
}

/**
 * dx = dy · [x > 0] = dy · [y > 0] (the subgradient 0 at x = 0, as PyTorch), selected rather than
 * multiplied. Arrays in the WebAssembly heap take the SIMD kernel of gemm/relu-pool.ts (same bits).
 */
export function reluBackward(dx: Tensor, y: Tensor, dy: Tensor): Tensor {
  requireSameShape('reluBackward', 'dx', dx, 'y', y, 'dy', dy);
  const d = dx.data, yd = y.data, g = dy.data, n = dx.size, dOff = dx.offset, yOff = y.offset, gOff = dy.offset;
  if (reluBackwardWasm(d, dOff, yd, yOff, g, gOff, n)) return dx;
  for (let i = 0; i < n; i++) d[dOff + i] = yd[yOff + i] > 0 ? g[gOff + i] : 0;
  return dx;
}

/** out = tanh(x) (Math.tanh saturates to ±1 without overflow). */
export function tanh(out: Tensor, x: Tensor): Tensor {
  requireSameShape('tanh', 'out', out, 'x', x);
  const o = out.data, a = x.data, n = out.size, oo = out.offset, xo = x.offset;
  for (let i = 0; i < n; i++) o[oo + i] = Math.tanh(a[xo + i]);
  return out;
}

/** dx = dy · (1 − y²), with y = tanh(x). */
export function tanhBackward(dx: Tensor, y: Tensor, dy: Tensor): Tensor {
  requireSameShape('tanhBackward', 'dx', dx, 'y', y, 'dy', dy);
  const d = dx.data, yd = y.data, g = dy.data, n = dx.size, dOff = dx.offset, yOff = y.offset, gOff = dy.offset;
  for (let i = 0; i < n; i++) {
    const t = yd[yOff + i];
    d[dOff + i] = g[gOff + i] * (1 - t * t);
  }
  return dx;
}

// ---------------------------------------------------------------------------------------------------------
// Row-wise softmax family on [rows, cols] matrices.

/** max over a[base … base + n − 1] (−∞ for n = 0; NaN entries are skipped, as `>` is false for them). */
export function rowMax(a: Float32Array, base: number, n: number): number {
  let m = -Infinity;
  for (let j = 0; j < n; j++) if (a[base + j] > m) m = a[base + j];
  return m;
}

/** Σⱼ e^(a[base + j] − m) in float64, the denominator of a softmax shifted by its row maximum m. */
export function sumExpShifted(a: Float32Array, base: number, n: number, m: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(a[base + j] - m);
  return s;
}

/**
 * out[i, :] = softmax(x[i, :]): with m = maxⱼ x[i, j], out[i, j] = e^(x[i,j] − m) / Σₖ e^(x[i,k] − m).
 * Subtracting the row maximum makes every exponent ≤ 0, so nothing overflows for any finite logits
 * (|x| up to float32's 3.4e38); the sum is ≥ 1, so nothing divides by zero.
 */
export function softmaxRows(out: Tensor, x: Tensor): Tensor {
  requireMatrix('softmaxRows', 'x', x);
  requireSameShape('softmaxRows', 'out', out, 'x', x);
  const rows = x.shape[0], cols = x.shape[1];
  const o = out.data, a = x.data;
  for (let r = 0; r < rows; r++) {
    const xb = x.offset + r * cols, ob = out.offset + r * cols;
    const m = rowMax(a, xb, cols);
    const s = sumExpShifted(a, xb, cols, m);
    // Recomputing e^(x − m) here (rather than storing it in out) rounds each result once, and keeps the
    // op safe in place: element j of x is read before element j of out is written.
    for (let j = 0; j < cols; j++) o[ob + j] = Math.exp(a[xb + j] - m) / s;
  }
  return out;
}

/** dx[i, :] = y[i, :] ⊙ (dy[i, :] − Σⱼ dy[i, j] · y[i, j]), with y = softmax(x) (the Jacobian diag(y) − y yᵀ). */
export function softmaxRowsBackward(dx: Tensor, y: Tensor, dy: Tensor): Tensor {
  requireMatrix('softmaxRowsBackward', 'y', y);
  requireSameShape('softmaxRowsBackward', 'dx', dx, 'y', y, 'dy', dy);
  const rows = y.shape[0], cols = y.shape[1];
  const d = dx.data, yd = y.data, g = dy.data;
  for (let r = 0; r < rows; r++) {
    const db = dx.offset + r * cols, yb = y.offset + r * cols, gb = dy.offset + r * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += g[gb + j] * yd[yb + j];
    for (let j = 0; j < cols; j++) d[db + j] = yd[yb + j] * (g[gb + j] - dot);
  }
  return dx;
}

/**
 * out[i, :] = log softmax(x[i, :]) = x[i, :] − (m + log Σₖ e^(x[i,k] − m)), m the row maximum — the
 * log-sum-exp trick: exact to rounding for |x| up to float32's range, where log(softmax(x)) would give
 * log(0) = −∞ as soon as a probability underflows (a logit gap above ~104 in float32).
 */
export function logSoftmaxRows(out: Tensor, x: Tensor): Tensor {
  requireMatrix('logSoftmaxRows', 'x', x);
  requireSameShape('logSoftmaxRows', 'out', out, 'x', x);
  const rows = x.shape[0], cols = x.shape[1];
  const o = out.data, a = x.data;
  for (let r = 0; r < rows; r++) {
    const xb = x.offset + r * cols, ob = out.offset + r * cols;
    const m = rowMax(a, xb, cols);
    const lse = m + Math.log(sumExpShifted(a, xb, cols, m));
    for (let j = 0; j < cols; j++) o[ob + j] = a[xb + j] - lse;
  }
  return out;
}

/** dx[i, :] = dy[i, :] − e^(y[i, :]) · Σⱼ dy[i, j], with y = log softmax(x) (so e^y = softmax(x)). */
export function logSoftmaxRowsBackward(dx: Tensor, y: Tensor, dy: Tensor): Tensor {
  requireMatrix('logSoftmaxRowsBackward', 'y', y);
  requireSameShape('logSoftmaxRowsBackward', 'dx', dx, 'y', y, 'dy', dy);
  const rows = y.shape[0], cols = y.shape[1];
  const d = dx.data, yd = y.data, g = dy.data;
  for (let r = 0; r < rows; r++) {
    const db = dx.offset + r * cols, yb = y.offset + r * cols, gb = dy.offset + r * cols;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += g[gb + j];
    for (let j = 0; j < cols; j++) d[db + j] = g[gb + j] - Math.exp(yd[yb + j]) * sum;
  }
  return dx;
}

// ---------------------------------------------------------------------------------------------------------
// Broadcasts and reductions for Linear's bias.

/** out[i, :] = v for every row i (v has shape [cols]). */
export function fillRows(out: Tensor, v: Tensor): Tensor {
  requireMatrix('fillRows', 'out', out);
  requireContiguous('fillRows', 'out', out);
  requireContiguous('fillRows', 'v', v);
  const rows = out.shape[0], cols = out.shape[1];
  if (v.rank !== 1 || v.shape[0] !== cols) {
    throw new RangeError(`fillRows: v must have shape [${cols}] (the row length of out), got ${shapeString(v.shape)}`);
  }
  if (rows === 0) return out;
  const o = out.data, d = v.data, first = out.offset;
  for (let j = 0; j < cols; j++) o[first + j] = d[v.offset + j];
  // Later rows copy the first (a memmove; no subarray view is created, so nothing is allocated).
  for (let r = 1; r < rows; r++) o.copyWithin(first + r * cols, first, first + cols);
  return out;
}

/**
 * out[j] += Σᵢ a[i, j] (column sums added into out: the bias gradient db += dYᵀ·1). Each column is summed
 * in float64 and added with one rounding.
 */
export function addColumnSums(out: Tensor, a: Tensor): Tensor {
  requireMatrix('addColumnSums', 'a', a);
  requireContiguous('addColumnSums', 'a', a);
  requireContiguous('addColumnSums', 'out', out);
  const rows = a.shape[0], cols = a.shape[1];
  if (out.rank !== 1 || out.shape[0] !== cols) {
    throw new RangeError(`addColumnSums: out must have shape [${cols}] (the row length of a), got ${shapeString(out.shape)}`);
  }
  const o = out.data, d = a.data;
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let r = 0, p = a.offset + j; r < rows; r++, p += cols) s += d[p];
    o[out.offset + j] += s;
  }
  return out;
}

/** The row-major position (0 … size−1) of the first NaN or ±∞ in a contiguous view, or −1 if all are finite. */
export function findNonFinite(a: Tensor): number {
  requireContiguous('findNonFinite', 'a', a);
  const d = a.data, off = a.offset, n = a.size;
  for (let i = 0; i < n; i++) {
    const v = d[off + i];
    // v − v is 0 for finite v and NaN for NaN and ±∞: one comparison per element.
    if (v - v !== 0) return i;
  }
  return -1;
}
