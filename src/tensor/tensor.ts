import { allocFloat32 } from './memory.js';
import { describeShape, describeValue } from './describe.js';

/** Row-major (C-order) strides for `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

/** Number of elements of `shape`. */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let d = 0; d < shape.length; d++) n *= shape[d]; // an index loop: no iterator on the hot path
  return n;
}

function checkShape(shape: readonly number[], where: string, what = 'shape'): void {
  if (!Array.isArray(shape)) throw new TypeError(`${where}: ${what} must be an array of non-negative integers, got ${describeValue(shape)}`);
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(`${where}: ${what} must hold non-negative integers, got ${describeShape(shape)}`);
    }
  }
  if (what === 'shape' && !Number.isSafeInteger(sizeOf(shape))) {
    throw new RangeError(`${where}: shape ${describeShape(shape)} has ${sizeOf(shape)} elements, more than any array can hold`);
  }
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * A strided float32 view: element (i0, i1, …) is `data[offset + i0·strides[0] + i1·strides[1] + …]`.
 *
 * It has the same fields as a scijs `ndarray` view (`data`, `shape`, `stride`, `offset`), so
 * `toNdarray` and `fromNdarray` (the optional subpath sparsity-lab/ndarray) share storage without copying; unlike `ndarray`,
 * constructing one never generates code at run time. New tensors are contiguous (row-major); `transpose`,
 * `row` and `slice` return views that share storage.
 */
export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;

  constructor(data: Float32Array, shape: readonly number[], strides?: readonly number[], offset = 0) {
    if (!(data instanceof Float32Array)) throw new TypeError(`Tensor: data must be a Float32Array, got ${describeValue(data)}`);
    checkShape(shape, 'Tensor');
    if (strides !== undefined) {
      if (!Array.isArray(strides) || !strides.every((s) => Number.isSafeInteger(s))) {
        throw new TypeError(`Tensor: strides must be an array of integers, got ${describeShape(strides)}`);
      }
    }
    this.data = data;
    this.shape = shape.slice();
    this.strides = strides ? strides.slice() : contiguousStrides(shape);
    if (this.strides.length !== this.shape.length) {
      throw new RangeError(
        `Tensor: strides ${shapeString(this.strides)} do not match shape ${shapeString(this.shape)}`,
      );
    }
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`Tensor: offset must be a non-negative integer, got ${describeValue(offset)}`);
    this.offset = offset;
    if (sizeOf(this.shape) > 0) {
      let lo = offset;
      let hi = offset;
      for (let d = 0; d < this.shape.length; d++) {
        const span = (this.shape[d] - 1) * this.strides[d];
        if (span < 0) lo += span;
        else hi += span;
      }
      if (lo < 0 || hi >= data.length) {
        throw new RangeError(
          `Tensor: view of shape ${shapeString(this.shape)} (strides ${shapeString(this.strides)}, offset ${offset}) ` +
            `reaches elements ${lo}..${hi} of a buffer of length ${data.length}`,
        );
      }
    }
  }

  /** The ndarray-compatible name for `strides`. */
  get stride(): readonly number[] {
    return this.strides;
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  /** True when the view is row-major with no gaps (its elements are `data[offset … offset+size)`). */
  isContiguous(): boolean {
    let s = 1;
    for (let d = this.shape.length - 1; d >= 0; d--) {
      if (this.shape[d] !== 1 && this.strides[d] !== s) return false;
      s *= this.shape[d];
    }
    return true;
  }

  index(...idx: number[]): number {
    if (idx.length !== this.shape.length) {
      throw new RangeError(`Tensor.index: expected ${this.shape.length} indices, got ${idx.length}`);
    }
    let p = this.offset;
    for (let d = 0; d < idx.length; d++) {
      const i = idx[d];
      if (!Number.isInteger(i) || i < 0 || i >= this.shape[d]) {
        throw new RangeError(`Tensor.index: index ${describeValue(i)} out of range for axis ${d} of size ${this.shape[d]}`);
      }
      p += i * this.strides[d];
    }
    return p;
  }

  get(...idx: number[]): number {
    return this.data[this.index(...idx)];
  }

  /** `t.set(i, j, value)`, as ndarray's `set`. */
  set(...idxAndValue: number[]): void {
    const value = idxAndValue[idxAndValue.length - 1];
    if (typeof value !== 'number') throw new TypeError(`Tensor.set: the value (last argument) must be a number, got ${describeValue(value)}`);
    this.data[this.index(...idxAndValue.slice(0, -1))] = value;
  }

  /** A view with the axes permuted (default: reversed, the matrix transpose for rank 2). */
  transpose(...axes: number[]): Tensor {
    const order = axes.length ? axes : this.shape.map((_, d) => this.shape.length - 1 - d);
    if (order.length !== this.shape.length || new Set(order).size !== order.length || order.some((a) => !(Number.isInteger(a) && a >= 0 && a < this.shape.length))) {
      throw new RangeError(`Tensor.transpose: axes ${describeShape(order)} are not a permutation of 0..${this.shape.length - 1}`);
    }
    return new Tensor(this.data, order.map((a) => this.shape[a]), order.map((a) => this.strides[a]), this.offset);
  }

  /** The view of index `i` along axis 0 (rank drops by one). */
  row(i: number): Tensor {
    if (this.shape.length === 0) throw new RangeError('Tensor.row: a rank-0 tensor has no rows');
    if (!Number.isInteger(i) || i < 0 || i >= this.shape[0]) {
      throw new RangeError(`Tensor.row: index ${describeValue(i)} out of range for axis 0 of size ${this.shape[0]}`);
    }
    return new Tensor(this.data, this.shape.slice(1), this.strides.slice(1), this.offset + i * this.strides[0]);
  }

  /** The view of indices [start, end) along `axis`. */
  slice(start: number, end: number, axis = 0): Tensor {
    if (!(Number.isInteger(axis) && axis >= 0 && axis < this.shape.length)) {
      throw new RangeError(`Tensor.slice: axis must be an integer in [0, ${this.shape.length - 1}], got ${describeValue(axis)}`);
    }
    const n = this.shape[axis];
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= n)) {
      throw new RangeError(`Tensor.slice: [${describeValue(start)}, ${describeValue(end)}) is not a range within axis ${axis} of size ${n}`);
    }
    const shape = this.shape.slice();
    shape[axis] = end - start;
    return new Tensor(this.data, shape, this.strides, this.offset + start * this.strides[axis]);
  }

  /** A view with another shape; the tensor must be contiguous. */
  reshape(shape: readonly number[]): Tensor {
    checkShape(shape, 'Tensor.reshape');
    if (sizeOf(shape) !== this.size) {
      throw new RangeError(`Tensor.reshape: cannot view ${shapeString(this.shape)} (${this.size} elements) as ${shapeString(shape)}`);
    }
    if (!this.isContiguous()) throw new Error('Tensor.reshape: the view is not contiguous; clone() it first');
    return new Tensor(this.data, shape, undefined, this.offset);
  }

  /** A contiguous copy in fresh storage. */
  clone(): Tensor {
    const out = zeros(this.shape);
    copyInto(out, this);
    return out;
  }

  /** The elements in row-major order as a new Float32Array. */
  toFloat32Array(): Float32Array {
    if (this.isContiguous()) return this.data.slice(this.offset, this.offset + this.size);
    return this.clone().data;
  }

  /** Nested JS arrays (a number for rank 0). */
  toArray(): any {
    const walk = (d: number, p: number): any => {
      if (d === this.shape.length) return this.data[p];
      const out = new Array(this.shape[d]);
      for (let i = 0; i < this.shape[d]; i++) out[i] = walk(d + 1, p + i * this.strides[d]);
      return out;
    };
    return walk(0, this.offset);
  }
}

/** Copy `src` into `dst` elementwise; shapes must match. Works for any strides. */
export function copyInto(dst: Tensor, src: Tensor): Tensor {
  if (!(dst instanceof Tensor)) throw new TypeError(`copyInto: dst must be a Tensor, got ${describeValue(dst)}`);
  if (!(src instanceof Tensor)) throw new TypeError(`copyInto: src must be a Tensor, got ${describeValue(src)}`);
  if (dst.shape.length !== src.shape.length || dst.shape.some((d, i) => d !== src.shape[i])) {
    throw new RangeError(`copyInto: destination shape ${shapeString(dst.shape)} differs from source shape ${shapeString(src.shape)}`);
  }
  if (dst.isContiguous() && src.isContiguous()) {
    dst.data.set(src.data.subarray(src.offset, src.offset + src.size), dst.offset);
    return dst;
  }
  const rank = dst.shape.length;
  const walk = (d: number, pd: number, ps: number): void => {
    if (d === rank) {
      dst.data[pd] = src.data[ps];
      return;
    }
    for (let i = 0; i < dst.shape[d]; i++) walk(d + 1, pd + i * dst.strides[d], ps + i * src.strides[d]);
  };
  walk(0, dst.offset, src.offset);
  return dst;
}

/** A contiguous tensor of zeros (storage from the active float32 allocator). */
export function zeros(shape: readonly number[]): Tensor {
  checkShape(shape, 'zeros');
  return new Tensor(allocFloat32(sizeOf(shape)), shape);
}

/** A contiguous tensor filled with `value`. */
export function full(shape: readonly number[], value: number): Tensor {
  if (typeof value !== 'number') throw new TypeError(`full: value must be a number, got ${describeValue(value)}`);
  const t = zeros(shape);
  t.data.fill(value);
  return t;
}

export function ones(shape: readonly number[]): Tensor {
  return full(shape, 1);
}

export type Nested = number | Nested[];

function inferShape(values: Nested): number[] {
  const shape: number[] = [];
  let v: Nested = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] as Nested;
    if (v === undefined) break;
  }
  return shape;
}

/**
 * A tensor from nested arrays (`fromArray([[1, 2], [3, 4]])`) or from flat values and a shape
 * (`fromArray([1, 2, 3, 4], [2, 2])`). Ragged nesting is an error naming the first bad row.
 */
export function fromArray(values: Nested | ArrayLike<number>, shape?: readonly number[]): Tensor {
  if (shape !== undefined) {
    checkShape(shape, 'fromArray');
    const flat = values as ArrayLike<number>;
    if (flat === null || typeof flat !== 'object' || typeof (flat as any).length !== 'number' || Array.isArray((flat as any)[0])) {
      throw new TypeError('fromArray: with an explicit shape, values must be a flat array of numbers');
    }
    if (flat.length !== sizeOf(shape)) {
      throw new RangeError(`fromArray: ${flat.length} values do not fill shape ${shapeString(shape)} (${sizeOf(shape)} elements)`);
    }
    if (!ArrayBuffer.isView(flat)) {
      for (let i = 0; i < flat.length; i++) {
        if (typeof flat[i] !== 'number') throw new TypeError(`fromArray: values[${i}] must be a number, got ${describeValue(flat[i])}`);
      }
    }
    const t = zeros(shape);
    for (let i = 0; i < flat.length; i++) t.data[i] = flat[i];
    return t;
  }
  if (values === null || (typeof values !== 'number' && typeof values !== 'object')) {
    throw new TypeError(`fromArray: values must be a number, a (nested) array of numbers or a typed array, got ${describeValue(values)}`);
  }
  if (typeof values === 'number') {
    const t = zeros([]);
    t.data[0] = values;
    return t;
  }
  if (!Array.isArray(values)) {
    if (!ArrayBuffer.isView(values)) throw new TypeError(`fromArray: values must be a number, a (nested) array of numbers or a typed array, got ${describeValue(values)}`);
    return fromArray(Array.from(values as ArrayLike<number>), [(values as ArrayLike<number>).length]);
  }
  const inferred = inferShape(values);
  const t = zeros(inferred);
  let p = 0;
  const walk = (v: Nested, d: number, path: string): void => {
    if (d === inferred.length) {
      if (typeof v !== 'number') throw new TypeError(`fromArray: expected a number at ${path}, got ${describeValue(v)}`);
      t.data[p++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== inferred[d]) {
      throw new RangeError(`fromArray: ragged input at ${path}: expected ${inferred[d]} entries, got ${Array.isArray(v) ? v.length : typeof v}`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], d + 1, `${path}[${i}]`);
  };
  walk(values, 0, 'values');
  return t;
}
