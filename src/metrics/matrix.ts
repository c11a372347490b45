/**
 * The one input type every metric takes: a rank-2 matrix, rows = samples, columns = units.
 *
 * Accepted as any of
 * - a `Tensor` from src/tensor (any strides and offset: a transposed or sliced view works as is),
 * - a scijs `ndarray` (fields `data`, `shape`, `stride`, `offset`),
 * - a plain `{ data, shape: [rows, cols] }`, read as row-major and contiguous (`data.length` must equal
 *   rows·cols exactly, so a wrong shape is caught instead of silently reading part of the buffer).
 *
 * `data` may be a Float32Array (the usual case, and the one the kernels are tuned for), a Float64Array or
 * a plain array of numbers. Nothing is copied: the metrics read the elements where they are.
 */

/** What the metric functions accept (a `Tensor` and an `ndarray` both satisfy it structurally). */
export interface MatrixInput {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
  /** ndarray's name for the strides. */
  readonly stride?: readonly number[];
  /** Tensor's name for the strides (wins over `stride` when both are present). */
  readonly strides?: readonly number[];
  readonly offset?: number;
}

/** A validated strided view: element (r, c) is `data[offset + r·rowStride + c·colStride]`. */
export interface MatrixView {
  readonly data: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
  readonly rowStride: number;
  readonly colStride: number;
  readonly offset: number;
}

import { describeShape, describeValue } from '../tensor/describe.js';

/** Arrays as their contents ("[10, 2, 3]"), anything else as {@link describeValue}. */
function describe(v: unknown): string {
  return describeShape(v);
}

/** A batch fed to an accumulator made for `units` columns must have exactly that many. */
export function checkBatchUnits(fn: string, m: MatrixView, units: number): void {
  if (m.cols !== units) {
    throw new RangeError(`${fn}: batch has ${m.cols} units (columns), the accumulator was made for ${units}`);
  }
}

/**
 * Validate `input` and return its view. `fn` and `arg` name the caller and the argument in errors, e.g.
 * "hoyerSparsity: activations must be a rank-2 [samples, units] matrix, got shape [10, 2, 3]".
 */
export function matrixView(input: MatrixInput, fn: string, arg = 'activations'): MatrixView {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError(`${fn}: ${arg} must be a Tensor, an ndarray or { data, shape }, got ${describe(input)}`);
  }
  const { data, shape } = input;
  if (!Array.isArray(data) && !(ArrayBuffer.isView(data) && !(data instanceof DataView) && !(data instanceof BigInt64Array) && !(data instanceof BigUint64Array))) {
    throw new TypeError(`${fn}: ${arg}.data must be a Float32Array, Float64Array or number[], got ${describeValue(data)}`);
  }
  if (Array.isArray(data)) {
    // A plain array may hold anything; arithmetic would read null as 0 and "3" as 3. One O(n) scan, on the
    // slow path only (typed arrays hold numbers by construction).
    for (let i = 0; i < data.length; i++) {
      if (typeof data[i] !== 'number') throw new TypeError(`${fn}: ${arg}.data[${i}] must be a number, got ${describeValue(data[i])}`);
    }
  }
  if (!Array.isArray(shape) && !(ArrayBuffer.isView(shape) && !(shape instanceof DataView))) {
    throw new TypeError(`${fn}: ${arg}.shape must be an array [samples, units], got ${describe(shape)}`);
  }
  if (shape.length !== 2) {
    throw new RangeError(`${fn}: ${arg} must be a rank-2 [samples, units] matrix, got shape ${describeShape(Array.from(shape))}`);
  }
  const [rows, cols] = shape;
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`${fn}: ${arg}.shape must hold non-negative integers, got ${describeShape([rows, cols])}`);
  }
  const strides = input.strides ?? input.stride;
  const offset = input.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(`${fn}: ${arg}.offset must be a non-negative integer, got ${offset}`);
  }
  if (strides === undefined) {
    if (data.length !== offset + rows * cols) {
      throw new RangeError(
        `${fn}: ${arg}.data has ${data.length} elements but shape [${rows}, ${cols}] needs ${rows * cols}` +
          (offset ? ` after offset ${offset}` : ''),
      );
    }
    return { data, rows, cols, rowStride: cols, colStride: 1, offset };
  }
  if (!Array.isArray(strides) && !ArrayBuffer.isView(strides)) throw new TypeError(`${fn}: ${arg} strides must be an array of two integers, got ${describeValue(strides)}`);
  if (strides.length !== 2 || !Number.isInteger(strides[0]) || !Number.isInteger(strides[1])) {
    throw new RangeError(`${fn}: ${arg} strides must be two integers, got ${describeShape(Array.isArray(strides) ? strides : describeValue(strides))}`);
  }
  const [rowStride, colStride] = strides;
  if (rows > 0 && cols > 0) {
    let lo = offset;
    let hi = offset;
    for (const span of [(rows - 1) * rowStride, (cols - 1) * colStride]) {
      if (span < 0) lo += span;
      else hi += span;
    }
    if (lo < 0 || hi >= data.length) {
      throw new RangeError(
        `${fn}: ${arg} view (shape [${rows}, ${cols}], strides [${rowStride}, ${colStride}], offset ${offset}) ` +
          `reaches elements ${lo}..${hi} of data of length ${data.length}`,
      );
    }
  }
  return { data, rows, cols, rowStride, colStride, offset };
}

/** The first non-finite element of rows [r0, r1) and columns [c0, c1), scanning row by row, or null. */
export function findNonFinite(
  m: MatrixView,
  r0 = 0,
  r1 = m.rows,
  c0 = 0,
  c1 = m.cols,
): { row: number; col: number; value: number } | null {
  for (let r = r0; r < r1; r++) {
    let p = m.offset + r * m.rowStride + c0 * m.colStride;
    for (let c = c0; c < c1; c++, p += m.colStride) {
      const v = m.data[p];
      if (!Number.isFinite(v)) return { row: r, col: c, value: v };
    }
  }
  return null;
}

/** The element of largest magnitude in rows [r0, r1) (for overflow messages). */
export function largestMagnitude(m: MatrixView, r0 = 0, r1 = m.rows): { row: number; col: number; value: number } {
  let best = { row: -1, col: -1, value: 0 };
  for (let r = r0; r < r1; r++) {
    let p = m.offset + r * m.rowStride;
    for (let c = 0; c < m.cols; c++, p += m.colStride) {
      const v = m.data[p];
      if (Math.abs(v) > Math.abs(best.value)) best = { row: r, col: c, value: v };
    }
  }
  return best;
}

/**
 * The error to throw when float64 sums over rows [r0, r1) came out non-finite: either an input element is
 * NaN/±Inf (named by row and column), or — only possible for float64 input — the sums overflowed.
 * `rowBase` turns a batch-local row into the row number the caller has seen overall (streaming).
 */
export function nonFiniteError(fn: string, m: MatrixView, r0: number, r1: number, rowBase = 0, arg = 'activations'): Error {
  const bad = findNonFinite(m, r0, r1);
  const where = (row: number): string =>
    rowBase ? `row ${rowBase + row} overall (row ${row} of this batch)` : `row ${row}`;
  if (bad) {
    return new RangeError(
      `${fn}: ${arg} holds ${bad.value} at ${where(bad.row)}, column ${bad.col}; the metrics need finite activations`,
    );
  }
  const big = largestMagnitude(m, r0, r1);
  return new RangeError(
    `${fn}: float64 sums overflowed (largest |value| ${big.value} at ${where(big.row)}, column ${big.col}); ` +
      `rescale the activations`,
  );
}
