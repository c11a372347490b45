import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { fromNdarray, toNdarray } from '../../src/ndarray/index.js';
import { fromArray } from '../../src/tensor/tensor.js';

describe('sparsity-lab/ndarray', () => {
  it('ndarray interop shares storage (and copies other element types)', () => {
    const t = fromArray([[1, 2], [3, 4]]);
    const nd = toNdarray(t.transpose());
    expect(nd.get(0, 1)).toBe(3);
    nd.set(0, 1, 30);
    expect(t.get(1, 0)).toBe(30);
    const back = fromNdarray(nd);
    expect(back.data).toBe(t.data);
    expect(back.toArray()).toEqual([[1, 30], [2, 4]]);
    const f64 = fromNdarray(ndarray(new Float64Array([1, 2, 3, 4, 5, 6]), [3, 2], [1, 3]));
    expect(f64.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(f64.isContiguous()).toBe(true);
  });
});
