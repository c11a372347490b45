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

/** Check that a gradient has exactly the shape of the output it belongs to. */
export function checkGradShape(where: string, grad: Tensor, output: Tensor): void {
  if (!(grad instanceof Tensor)) throw new TypeError(`${where}: gradOutput must be a Tensor of shape ${shapeString(output.shape)}`);
  if (grad.rank !== 2 || grad.shape[0] !== output.shape[0] || grad.shape[1] !== output.shape[1]) {
    throw new RangeError(
      `${where}: gradOutput has shape ${shapeString(grad.shape)}, expected ${shapeString(output.shape)} (the output of the last forward)`,
    );
  }
  if (!grad.isContiguous()) throw new RangeError(`${where}: gradOutput must be contiguous, got strides ${shapeString(grad.strides)}`);
}

/** Throw, naming the layer, the position and the value, if a [batch, features] input holds NaN or ±∞. */
export function checkFinite(where: string, t: Tensor): void {
  const i = findNonFinite(t);
  if (i < 0) return;
  const cols = t.shape[1];
  const row = Math.floor(i / cols);
  const col = i - row * cols;
  throw new RangeError(`${where}: input must be finite, got ${t.data[t.offset + i]} at [${row}, ${col}] (row ${row} of the batch, feature ${col})`);
}
