/**
 * sparsity-lab/ndarray — interop with scijs `ndarray`, kept out of sparsity-lab/tensor on purpose.
 *
 * A {@link Tensor} has the fields of an ndarray view (`data`, `shape`, `stride`, `offset`), so conversion
 * shares storage. It lives in its own subpath because the `ndarray` package builds its view classes with
 * `new Function` (forbidden by a strict Content-Security-Policy) and is CommonJS: the browser-ready
 * subpaths must not pull it in. `ndarray` (and, for TypeScript, `@types/ndarray`) are optional peer
 * dependencies: install them to use this subpath. The metric functions need none of this — they accept an
 * ndarray structurally.
 */
import ndarray from 'ndarray';
import { Tensor, zeros } from '../tensor/tensor.js';
import { describeValue } from '../tensor/describe.js';

/** An `ndarray` view of `t`'s storage (no copy; writes through either are seen by both). */
export function toNdarray(t: Tensor): ndarray.NdArray<Float32Array> {
  return ndarray(t.data, t.shape.slice(), t.strides.slice(), t.offset);
}

/**
 * A Tensor over an ndarray's storage: shared when the ndarray holds a Float32Array, otherwise a contiguous
 * float32 copy (e.g. from a Float64Array or a plain array; each element rounded to float32).
 */
export function fromNdarray(nd: ndarray.NdArray<ndarray.Data<number>>): Tensor {
  if (nd === null || typeof nd !== 'object' || nd.data === null || typeof nd.data !== 'object' || !Array.isArray(nd.shape)) {
    throw new TypeError(`fromNdarray: expected an ndarray (data, shape, stride, offset), got ${describeValue(nd)}`);
  }
  if (nd.data instanceof Float32Array) return new Tensor(nd.data, nd.shape, nd.stride, nd.offset);
  // ndarray's data is an array, a typed array, or a "generic array" with get/set methods.
  const data = nd.data as ArrayLike<number> & { get?: (i: number) => number };
  const read = typeof data.get === 'function' ? (p: number) => data.get!(p) : (p: number) => data[p];
  const out = zeros(nd.shape);
  const rank = nd.shape.length;
  let next = 0;
  const walk = (d: number, p: number): void => {
    if (d === rank) {
      out.data[next++] = read(p);
      return;
    }
    for (let i = 0; i < nd.shape[d]; i++) walk(d + 1, p + i * nd.stride[d]);
  };
  walk(0, nd.offset);
  return out;
}
