/**
 * The other half of the input policy: NaN and ±∞ in *data* are not errors inside the numerical core —
 * they propagate as IEEE arithmetic does, as in PyTorch — while `forward` on a net's input scans once and
 * names the bad value. (Hyper-parameters never propagate: they are rejected, see api.property tests.)
 */
import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, Linear, Sigmoid } from '../../src/layers/index.js';
import { Rng, fromArray, gemm, zeros } from '../../src/tensor/index.js';

describe('NaN data propagates through gemm and the layers, as in PyTorch', () => {
  it('gemm: a NaN in A poisons exactly its row of C, an ∞ times 0 is NaN; with beta = 0, NaN already in C is not read (BLAS)', () => {
    const A = fromArray([[1, NaN], [2, 3]]);
    const B = fromArray([[1, 0], [0, 1]]);
    const C = fromArray([[NaN, NaN], [NaN, NaN]]);
    gemm(C, A, B);
    const c = C.toArray() as number[][];
    expect(c[0].every(Number.isNaN)).toBe(true);
    expect(c[1]).toEqual([2, 3]); // C's NaN was not read (beta = 0)
    const D = zeros([1, 2]);
    gemm(D, fromArray([[Infinity, 0]]), fromArray([[0, 1], [1, 0]]));
    // [∞, 0]·[[0, 1], [1, 0]] = [∞·0 + 0·1, ∞·1 + 0·0] = [NaN, ∞].
    expect(Number.isNaN(D.get(0, 0))).toBe(true);
    expect(D.get(0, 1)).toBe(Infinity);
  });

  it('Linear.forwardTrusted propagates NaN to the rows it touches; forward rejects it naming the position; NaN logits give a NaN loss', () => {
    const lin = new Linear(3, 2, { rng: new Rng(1) });
    const x = zeros([2, 3]);
    x.data.set([0.1, NaN, 0.3, 0.4, 0.5, 0.6]);
    const y = lin.forwardTrusted(x).toArray() as number[][];
    expect(y[0].every(Number.isNaN)).toBe(true);
    expect(y[1].every(Number.isFinite)).toBe(true);
    expect(() => lin.forward(x)).toThrow('input must be finite, got NaN at [0, 1]');
    const s = new Sigmoid().forwardTrusted(fromArray([[NaN, 0]])).toArray() as number[][];
    expect(Number.isNaN(s[0][0]) && s[0][1] === 0.5).toBe(true);
    expect(new CrossEntropyLoss().forward(fromArray([[NaN, 1]]), [1])).toBeNaN();
  });
});
