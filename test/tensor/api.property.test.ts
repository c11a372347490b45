/**
 * Property-based tests over the public entry points of sparsity-lab/tensor (see test/helpers/fuzz.ts for
 * the contract): valid inputs never throw and give the right finite values; invalid ones throw our errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Rng,
  Tensor,
  addColumnSums,
  allocFloat32,
  copyInto,
  fillRows,
  fromArray,
  logSoftmaxRowsBackward,
  reluBackward,
  setGemmThreads,
  sigmoidBackward,
  softmaxRowsBackward,
  tanhBackward,
  useGemmKernel,
  full,
  gemm,
  logSoftmaxRows,
  relu,
  sgemm,
  sigmoid,
  softmaxRows,
  tanh,
  zeros,
} from '../../src/tensor/index.js';
import { badCount, expectOurError, float32Array, fuzz, nonFinite, notAFiniteNumber, notAFloat32Array } from '../helpers/fuzz.js';
import { fromNdarray } from '../../src/ndarray/index.js';

/** A rank-2 view of an m×n matrix with arbitrary positive strides and offset inside a larger buffer. */
const stridedMatrix = (m: number, n: number) =>
  fc.record({
    layout: fc.constantFrom('row', 'col', 'gappy-row', 'gappy-col', 'general'),
    pad: fc.integer({ min: 0, max: 3 }),
    gap: fc.integer({ min: 2, max: 3 }),
    values: float32Array(m * n, 8),
  }).map(({ layout, pad, gap, values }) => {
    // strides [sr, sc] for a stored m×n matrix; the buffer holds every reachable element.
    let sr: number, sc: number;
    if (layout === 'row') [sr, sc] = [n, 1];
    else if (layout === 'col') [sr, sc] = [1, m];
    else if (layout === 'gappy-row') [sr, sc] = [n + gap, 1];
    else if (layout === 'gappy-col') [sr, sc] = [1, m + gap];
    else [sr, sc] = [gap * n + 1, gap]; // non-unit stride in both axes
    const data = new Float32Array(pad + (m - 1) * sr + (n - 1) * sc + 1).fill(NaN); // gaps are NaN: reading one shows
    const t = new Tensor(data, [m, n], [sr, sc], pad);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) data[pad + i * sr + j * sc] = values[i * n + j];
    return t;
  });

/** op(X)[i][j] in float64 from a view. */
const at = (t: Tensor, i: number, j: number, trans: boolean): number => (trans ? t.get(j, i) : t.get(i, j));

describe('tensor: valid inputs (properties)', () => {
  it('gemm on views of every layout and stride equals the float64 product within float32 rounding of the sum of |terms|', () => {
    const dims = fc.record({ m: fc.integer({ min: 1, max: 6 }), n: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 1, max: 6 }), tA: fc.boolean(), tB: fc.boolean() });
    fc.assert(
      fc.property(
        dims.chain(({ m, n, k, tA, tB }) =>
          fc.record({
            m: fc.constant(m), n: fc.constant(n), k: fc.constant(k), tA: fc.constant(tA), tB: fc.constant(tB),
            A: tA ? stridedMatrix(k, m) : stridedMatrix(m, k),
            B: tB ? stridedMatrix(n, k) : stridedMatrix(k, n),
            C: stridedMatrix(m, n),
            alpha: fc.constantFrom(1, -0.5, 2),
            beta: fc.constantFrom(0, 1, 0.25),
          }),
        ),
        ({ m, n, k, tA, tB, A, B, C, alpha, beta }) => {
          const c0 = C.toArray() as number[][];
          gemm(C, A, B, { transA: tA, transB: tB, alpha, beta });
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let s = 0, mag = 0;
              for (let p = 0; p < k; p++) {
                const t = at(A, i, p, tA) * at(B, p, j, tB);
                s += t;
                mag += Math.abs(t);
              }
              const want = alpha * s + (beta === 0 ? 0 : beta * c0[i][j]);
              const bound = 4 * 2 ** -24 * (Math.abs(alpha) * mag + Math.abs(beta * c0[i][j])) * (k + 2) + 1e-30;
              const got = C.get(i, j);
              if (!(Math.abs(got - want) <= bound)) throw new Error(`C[${i},${j}] = ${got}, want ${want} ± ${bound}`);
            }
          }
        },
      ),
      fuzz(300),
    );
  });

  it('elementwise and row ops: finite inputs give finite outputs in range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 1000 }), (r, c, seed) => {
        const x = zeros([r, c]);
        new Rng(seed).fillUniform(x.data, -1e4, 1e4);
        const out = zeros([r, c]);
        for (const [op, lo, hi] of [[sigmoid, 0, 1], [tanh, -1, 1], [relu, 0, 1e4], [softmaxRows, 0, 1], [logSoftmaxRows, -Infinity, 0]] as const) {
          op(out, x);
          for (const v of out.data) {
            expect(Number.isFinite(v), `${op.name} gave ${v}`).toBe(true);
            expect(v >= lo && v <= hi, `${op.name} gave ${v} outside [${lo}, ${hi}]`).toBe(true);
          }
        }
      }),
      fuzz(100),
    );
  });

  it('fromArray / toArray round trip and copyInto between any views', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 99 }), (m, n, seed) => {
        const rows = Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => Math.fround(seed + i * 7.25 - j)));
        const t = fromArray(rows);
        expect(t.toArray()).toEqual(rows);
        const back = zeros([n, m]);
        copyInto(back, t.transpose());
        expect(back.transpose().toArray()).toEqual(rows);
      }),
      fuzz(100),
    );
  });
});

describe('tensor: invalid inputs throw our errors (properties)', () => {
  const shapeArb = fc.oneof(
    fc.constant<unknown>(null), fc.constant<unknown>('2,3'), fc.constant<unknown>(3),
    fc.array(badCount, { minLength: 1, maxLength: 3 }),
  );

  it('shapes: zeros, full, Tensor, fromArray, reshape reject non-integer, negative, non-finite and non-array shapes', () => {
    fc.assert(
      fc.property(shapeArb, (shape) => {
        expectOurError(() => zeros(shape as number[]), 'zeros');
        expectOurError(() => full(shape as number[], 1), 'full');
        expectOurError(() => new Tensor(new Float32Array(6), shape as number[]), 'new Tensor');
        expectOurError(() => fromArray([1, 2, 3, 4, 5, 6], shape as number[]), 'fromArray');
        expectOurError(() => zeros([6]).reshape(shape as number[]), 'reshape');
      }),
      fuzz(200),
    );
  });

  it('Tensor data must be a Float32Array; strides and offset integers', () => {
    fc.assert(
      fc.property(notAFloat32Array, badCount, (data, bad) => {
        expectOurError(() => new Tensor(data as Float32Array, [3]), 'new Tensor(data)');
        expectOurError(() => new Tensor(new Float32Array(6), [2, 3], [bad as number, 1]), 'strides');
        if (bad !== undefined) expectOurError(() => new Tensor(new Float32Array(6), [2, 3], undefined, bad as number), 'offset'); // undefined: the default 0
      }),
      fuzz(100),
    );
  });

  it('ops reject non-Tensors and mismatched shapes', () => {
    const notTensor = fc.constantFrom<unknown>(null, undefined, 1, {}, new Float32Array(6), { data: new Float32Array(6), shape: [2, 3] });
    fc.assert(
      fc.property(notTensor, fc.constantFrom(sigmoid, tanh, relu, softmaxRows, logSoftmaxRows, fillRows, addColumnSums, copyInto), fc.boolean(), (bad, op, first) => {
        const good = zeros([2, 3]);
        const f = op as (a: Tensor, b: Tensor) => Tensor;
        expectOurError(() => (first ? f(bad as Tensor, good) : f(good, bad as Tensor)), `${op.name}(${String(bad)})`);
      }),
      fuzz(100),
    );
  });

  it('gemm rejects non-tensors, wrong ranks, mismatched shapes and non-finite or non-number alpha/beta', () => {
    const notMatrix = fc.constantFrom<unknown>(null, undefined, 0, {}, [1, 2], zeros([6]), zeros([1, 2, 3]));
    fc.assert(
      fc.property(notMatrix, fc.integer({ min: 0, max: 2 }), (bad, which) => {
        const args: unknown[] = [zeros([2, 2]), zeros([2, 3]), zeros([3, 2])];
        args[which] = bad;
        expectOurError(() => gemm(args[0] as Tensor, args[1] as Tensor, args[2] as Tensor), `gemm arg ${which} = ${String(bad)}`);
      }),
      fuzz(100),
    );
    fc.assert(
      fc.property(notAFiniteNumber.filter((v) => v !== undefined), fc.constantFrom('alpha', 'beta'), (bad, name) => {
        expectOurError(() => gemm(zeros([2, 2]), zeros([2, 3]), zeros([3, 2]), { [name]: bad }), `gemm ${name}`);
      }),
      fuzz(50),
    );
    fc.assert(
      fc.property(fc.constantFrom<unknown>(1, 'yes', null, 0), (bad) => {
        expectOurError(() => gemm(zeros([2, 2]), zeros([2, 2]), zeros([2, 2]), { transA: bad as boolean }), `gemm transA = ${String(bad)}`);
      }),
      fuzz(20),
    );
    expectOurError(() => gemm(zeros([2, 2]), zeros([2, 3]), zeros([2, 2])), 'inner dimensions');
    expectOurError(() => gemm(zeros([3, 2]), zeros([2, 3]), zeros([3, 2])), 'C shape');
  });

  it('sgemm rejects a plain Array or other typed array, bad sizes, offsets and leading dimensions', () => {
    fc.assert(
      fc.property(notAFloat32Array, fc.integer({ min: 0, max: 2 }), (bad, which) => {
        const arrs: unknown[] = [new Float32Array(4), new Float32Array(4), new Float32Array(4)];
        arrs[which] = bad;
        expectOurError(() => sgemm(false, false, 2, 2, 2, 1, arrs[0] as Float32Array, 0, 2, arrs[1] as Float32Array, 0, 2, 0, arrs[2] as Float32Array, 0, 2), `sgemm array ${which}`);
      }),
      fuzz(60),
    );
    fc.assert(
      fc.property(badCount, fc.integer({ min: 0, max: 8 }), (bad, which) => {
        // which: 0–2 M, N, K; 3–5 offsets; 6–8 leading dimensions
        const a: number[] = [2, 2, 2, 0, 0, 0, 2, 2, 2];
        a[which] = bad as number;
        const [M, N, K, ao, bo, co, lda, ldb, ldc] = a;
        expectOurError(() => sgemm(false, false, M, N, K, 1, new Float32Array(4), ao, lda, new Float32Array(4), bo, ldb, 0, new Float32Array(4), co, ldc), `sgemm arg ${which} = ${String(bad)}`);
      }),
      fuzz(150),
    );
    fc.assert(
      fc.property(nonFinite, fc.boolean(), (bad, alpha) => {
        const A = new Float32Array(4), B = new Float32Array(4), C = new Float32Array(4);
        expectOurError(() => sgemm(false, false, 2, 2, 2, alpha ? bad : 1, A, 0, 2, B, 0, 2, alpha ? 0 : bad, C, 0, 2), `sgemm ${alpha ? 'alpha' : 'beta'} = ${bad}`);
      }),
      fuzz(20),
    );
  });

  it('Tensor methods, backward ops, fromNdarray, kernels and threads: bad indices, values and arguments', () => {
    const bad = fc.oneof(badCount, fc.constant<unknown>(5)); // 5 is out of range on every axis of a 2×3 tensor
    fc.assert(
      fc.property(bad, fc.integer({ min: 0, max: 7 }), (b, which) => {
        const t = zeros([2, 3]);
        const calls = [
          () => t.get(b as number, 0), () => t.set(0, b as number, 1), () => t.row(b as number), () => t.slice(b as number, 1),
          () => t.slice(0, 1, b as number), () => t.transpose(b as number, 0), () => t.index(0, b as number), () => t.set(0, 0, String(b) as never),
        ];
        if (which === 4 && b === undefined) return; // slice's axis defaults to 0
        expectOurError(calls[which], `Tensor method ${which}`);
      }),
      fuzz(150),
    );
    fc.assert(
      fc.property(fc.constantFrom<unknown>(null, undefined, 3, {}, zeros([2, 2]), zeros([3, 2])), fc.integer({ min: 0, max: 2 }), (b, at) => {
        const args: [unknown, unknown, unknown] = [zeros([2, 3]), zeros([2, 3]), zeros([2, 3])];
        args[at] = b;
        for (const op of [sigmoidBackward, tanhBackward, reluBackward, softmaxRowsBackward, logSoftmaxRowsBackward]) {
          expectOurError(() => (op as (a: unknown, b: unknown, c: unknown) => unknown)(...args), `${op.name} arg ${at}`);
        }
      }),
      fuzz(40),
    );
    fc.assert(
      fc.property(fc.constantFrom<unknown>(null, undefined, 3, 'no-such-kernel', {}, { name: 'x' }, 2 ** 53), (k) => {
        expectOurError(() => useGemmKernel(k as never), 'useGemmKernel');
        expectOurError(() => fromNdarray(k as never), 'fromNdarray');
      }),
      fuzz(20),
    );
    fc.assert(
      fc.property(badCount, (n) => {
        expectOurError(() => setGemmThreads(n as number), 'setGemmThreads');
      }),
      fuzz(40),
    );
  });

  it('Rng: seeds and counts', () => {
    fc.assert(
      fc.property(fc.oneof(nonFinite, fc.constantFrom<unknown>(null, undefined, {}, [], true)), badCount, (seed, n) => {
        expectOurError(() => new Rng(seed as number), `Rng(${String(seed)})`);
        expectOurError(() => new Rng(1).int(n as number), `int(${String(n)})`);
        expectOurError(() => new Rng(1).permutation(n as number), `permutation(${String(n)})`);
        expectOurError(() => allocFloat32(n as number), `allocFloat32(${String(n)})`);
      }),
      fuzz(100),
    );
    fc.assert(
      fc.property(notAFiniteNumber.filter((v) => v !== undefined), fc.integer({ min: 0, max: 7 }), (bad, which) => {
        const rng = new Rng(1);
        const out = new Float32Array(2);
        const calls = [
          () => rng.uniform(bad as number, 1), () => rng.uniform(0, bad as number), () => rng.normal(bad as number, 1), () => rng.normal(0, bad as number),
          () => rng.fillUniform(out, bad as number, 1), () => rng.fillNormal(out, 0, bad as number), () => rng.fillUniform(bad as Float32Array), () => rng.shuffle(bad as number[]),
        ];
        if (which === 7 && Array.isArray(bad)) return; // shuffling an array is valid
        expectOurError(calls[which], `Rng ${which}`);
      }),
      fuzz(80),
    );
  });
});
