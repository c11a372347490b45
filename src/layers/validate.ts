import { findNonFinite } from '../tensor/ops.js';
import { Tensor, shapeString } from '../tensor/tensor.js';

function expected(features: number | undefined): string {
  return `[batch, ${features ?? 'features'}]`;
}

/**
 * Check that a layer input is a contiguous [batch, features] matrix with batch ≥ 1; `features` undefined
 * accepts any width. O(1): shapes only.
 */
export function checkBatchInput(where: string, what: string, t: Tensor, features?: number): void {
  if (!(t instanceof Tensor)) throw new TypeError(`${where}: ${what} must be a Tensor of shape ${expected(features)}, got ${typeof t}`);
  if (t.rank !== 2 || (features !== undefined && t.shape[1] !== features)) {
    throw new RangeError(`${where}: expected ${what} of shape ${expected(features)}, got ${shapeString(t.shape)}`);
  }
  if (t.shape[0] < 1) throw new RangeError(`${where}: ${what} has an empty batch (shape ${shapeString(t.shape)})`);
  if (!t.isContiguous()) {
    throw new RangeError(`${where}: ${what} must be contiguous (row-major), got strides ${shapeString(t.strides)} for shape ${shapeString(t.shape)}`);
  }
}

/**
 * Check that a layer input is a contiguous tensor of rank `rank` (any rank ≥ 1 when undefined) with a
 * non-empty batch (axis 0); `expected` describes the shape in the error, e.g. '[batch, 3, H, W]'. O(1).
 */
export function checkTensorInput(where: string, what: string, t: Tensor, expected: string, rank?: number): void {
  if (!(t instanceof Tensor)) throw new TypeError(`${where}: ${what} must be a Tensor of shape ${expected}, got ${typeof t}`);
  if (rank !== undefined ? t.rank !== rank : t.rank < 1) {
    throw new RangeError(`${where}: expected ${what} of shape ${expected} (rank ${rank ?? '≥ 1'}), got ${shapeString(t.shape)} (rank ${t.rank})`);
  }
  if (t.shape[0] < 1) throw new RangeError(`${where}: ${what} has an empty batch (shape ${shapeString(t.shape)})`);
  if (!t.isContiguous()) {
    throw new RangeError(`${where}: ${what} must be contiguous (row-major), got strides ${shapeString(t.strides)} for shape ${shapeString(t.shape)}`);
  }
}

/** True when the two shapes are equal (no allocation). */
export function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let d = 0; d < a.length; d++) if (a[d] !== b[d]) return false;
  return true;
}

/** Check that a gradient has exactly the shape of the output it belongs to (any rank). */
export function checkGradShape(where: string, grad: Tensor, output: Tensor): void {
  if (!(grad instanceof Tensor)) throw new TypeError(`${where}: gradOutput must be a Tensor of shape ${shapeString(output.shape)}`);
  if (!sameDims(grad.shape, output.shape)) {
    throw new RangeError(
      `${where}: gradOutput has shape ${shapeString(grad.shape)}, expected ${shapeString(output.shape)} (the output of the last forward)`,
    );
  }
  if (!grad.isContiguous()) throw new RangeError(`${where}: gradOutput must be contiguous, got strides ${shapeString(grad.strides)}`);
}

/** Throw, naming the layer, the position and the value, if a (contiguous, any rank) input holds NaN or ±∞. */
export function checkFinite(where: string, t: Tensor): void {
  const i = findNonFinite(t);
  if (i < 0) return;
  const idx = new Array<number>(t.rank);
  let r = i;
  for (let d = t.rank - 1; d >= 0; d--) {
    idx[d] = r % t.shape[d];
    r = Math.floor(r / t.shape[d]);
  }
  const rest = t.rank === 2 ? `feature ${idx[1]}` : `element [${idx.slice(1).join(', ')}] of the example`;
  throw new RangeError(`${where}: input must be finite, got ${t.data[t.offset + i]} at [${idx.join(', ')}] (row ${idx[0]} of the batch, ${rest})`);
}
