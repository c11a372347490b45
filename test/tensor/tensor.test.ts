import { describe, expect, it } from 'vitest';
import { Tensor, contiguousStrides, copyInto, fromArray, full, ones, shapeString, sizeOf, zeros } from '../../src/tensor/tensor.js';

describe('Tensor', () => {
  it('row-major strides, size, shapeString', () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([])).toBe(1);
    expect(shapeString([2, 3])).toBe('[2, 3]');
    const t = zeros([2, 3]);
    expect([t.rank, t.size, t.strides, t.offset, t.isContiguous()]).toEqual([2, 6, [3, 1], 0, true]);
    expect(t.stride).toBe(t.strides);
  });

  it('fromArray: nested, flat with a shape, typed arrays, scalars', () => {
    const t = fromArray([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.get(1, 2)).toBe(6);
    expect(fromArray([1, 2, 3, 4], [2, 2]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(fromArray(Float64Array.of(0.1, 0.2)).toArray()).toEqual([Math.fround(0.1), Math.fround(0.2)]);
    expect(fromArray(7).toArray()).toBe(7);
    expect(fromArray([]).shape).toEqual([0]);
  });

  it('fromArray errors name the problem', () => {
    expect(() => fromArray([[1, 2], [3]])).toThrow('fromArray: ragged input at values[1]: expected 2 entries, got 1');
    expect(() => fromArray([[1], [[2]]] as any)).toThrow('fromArray: expected a number at values[1][0], got an array');
    expect(() => fromArray([1, 2, 3], [2, 2])).toThrow('fromArray: 3 values do not fill shape [2, 2] (4 elements)');
    expect(() => fromArray([[1, 2]] as any, [2])).toThrow('fromArray: with an explicit shape, values must be a flat array of numbers');
  });

  it('zeros, ones, full; bad shapes are rejected', () => {
    expect(Array.from(ones([3]).data)).toEqual([1, 1, 1]);
    expect(Array.from(full([2], 2.5).data)).toEqual([2.5, 2.5]);
    expect(() => zeros([2, -1])).toThrow('zeros: shape must hold non-negative integers, got [2, -1]');
    expect(() => zeros([1.5])).toThrow('zeros: shape must hold non-negative integers, got [1.5]');
  });

  it('views share storage: transpose, row, slice, reshape', () => {
    const t = fromArray([[1, 2, 3], [4, 5, 6]]);
    const tt = t.transpose();
    expect(tt.shape).toEqual([3, 2]);
    expect(tt.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(tt.isContiguous()).toBe(false);
    tt.set(2, 1, 60);
    expect(t.get(1, 2)).toBe(60);
    expect(t.row(1).toArray()).toEqual([4, 5, 60]);
    expect(t.row(1).offset).toBe(3);
    const s = t.slice(1, 3, 1);
    expect(s.toArray()).toEqual([[2, 3], [5, 60]]);
    expect(s.isContiguous()).toBe(false);
    expect(t.slice(1, 2).isContiguous()).toBe(true);
    expect(t.reshape([3, 2]).toArray()).toEqual([[1, 2], [3, 4], [5, 60]]);
    expect(() => tt.reshape([6])).toThrow('Tensor.reshape: the view is not contiguous; clone() it first');
    expect(() => t.reshape([4])).toThrow('Tensor.reshape: cannot view [2, 3] (6 elements) as [4]');
  });

  it('a 3-d transpose with explicit axes', () => {
    const t = fromArray([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    const p = t.transpose(2, 0, 1);
    expect(p.shape).toEqual([2, 2, 2]);
    // p[i, j, k] = t[j, k, i].
    expect(p.get(1, 0, 1)).toBe(t.get(0, 1, 1));
    expect(() => t.transpose(0, 0, 1)).toThrow('Tensor.transpose: axes [0, 0, 1] are not a permutation of 0..2');
  });

  it('clone, copyInto and toFloat32Array make contiguous copies of any view', () => {
    const t = fromArray([[1, 2, 3], [4, 5, 6]]);
    const c = t.transpose().clone();
    expect(c.isContiguous()).toBe(true);
    expect(Array.from(c.data)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(Array.from(t.transpose().toFloat32Array())).toEqual([1, 4, 2, 5, 3, 6]);
    const dst = zeros([3, 2]);
    copyInto(dst, t.transpose());
    expect(dst.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(() => copyInto(zeros([2, 2]), t)).toThrow('copyInto: destination shape [2, 2] differs from source shape [2, 3]');
    const sl = t.slice(1, 2).toFloat32Array();
    sl[0] = 99;
    expect(t.get(1, 0)).toBe(4); // a copy
  });

  it('index errors and out-of-bounds views are rejected', () => {
    const t = zeros([2, 3]);
    expect(() => t.get(2, 0)).toThrow('Tensor.index: index 2 out of range for axis 0 of size 2');
    expect(() => t.get(0)).toThrow('Tensor.index: expected 2 indices, got 1');
    expect(() => t.row(-1)).toThrow('Tensor.row: index -1 out of range for axis 0 of size 2');
    expect(() => t.slice(2, 1)).toThrow('Tensor.slice: [2, 1) is not a range within axis 0 of size 2');
    expect(() => new Tensor(new Float32Array(5), [2, 3])).toThrow('reaches elements 0..5 of a buffer of length 5');
    expect(() => new Tensor(new Float32Array(6), [2, 3], [3, 1], 1)).toThrow('reaches elements 1..6');
    expect(() => new Tensor(new Float32Array(6), [2, 3], [3])).toThrow('Tensor: strides [3] do not match shape [2, 3]');
  });

  it('rank-0 tensors have no rows; offsets must be non-negative integers (fixed bugs)', () => {
    expect(() => fromArray(3).row(0)).toThrow('Tensor.row: a rank-0 tensor has no rows');
    expect(() => new Tensor(new Float32Array(4), [2], undefined, 0.5)).toThrow('Tensor: offset must be a non-negative integer, got 0.5');
    expect(() => new Tensor(new Float32Array(4), [0], undefined, -1)).toThrow('Tensor: offset must be a non-negative integer, got -1');
  });
});
