/**
 * Property-based tests over the public entry points of sparsity-lab/layers (contract: test/helpers/fuzz.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActivationRecorder, CrossEntropyLoss, Linear, LogSoftmax, Parameter, ReLU, RowBuffers, Sequential, Sigmoid, Softmax, Tanh, hiddenActivationLayers, mlp } from '../../src/layers/index.js';
import { Rng, Tensor, fromArray, zeros } from '../../src/tensor/index.js';
import { badCount, expectOurError, fuzz, notAFiniteNumber } from '../helpers/fuzz.js';

const activation = fc.constantFrom('sigmoid', 'relu', 'tanh') as fc.Arbitrary<'sigmoid' | 'relu' | 'tanh'>;

describe('layers: valid inputs (properties)', () => {
  it('mlp forward + cross-entropy + backward: finite loss ≥ 0, finite gradients, each gradient row sums to 0', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 2, maxLength: 4 }),
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        activation,
        fc.integer({ min: 0, max: 10_000 }),
        fc.constantFrom(1, 100, 1e4),
        (hidden, classes, batch, act, seed, scale) => {
          const widths = [...hidden, classes];
          const rng = new Rng(seed);
          const net = mlp(widths, { rng, activation: act });
          const x = zeros([batch, widths[0]]);
          rng.fillUniform(x.data, -scale, scale);
          const labels = Array.from({ length: batch }, () => rng.int(classes));
          const ce = new CrossEntropyLoss();
          const logits = net.forward(x);
          expect(logits.shape).toEqual([batch, classes]);
          const loss = ce.forward(logits, labels);
          expect(Number.isFinite(loss) && loss >= 0, `loss ${loss}`).toBe(true);
          const g = ce.backward();
          for (let r = 0; r < batch; r++) {
            let s = 0;
            for (let c = 0; c < classes; c++) s += g.get(r, c);
            expect(Math.abs(s)).toBeLessThanOrEqual(1e-6);
          }
          const dx = net.backward(g);
          expect(dx.shape).toEqual([batch, widths[0]]);
          for (const v of dx.data.subarray(0, dx.size)) expect(Number.isFinite(v)).toBe(true);
          for (const p of net.parameters()) for (const v of p.grad) expect(Number.isFinite(v)).toBe(true);
        },
      ),
      fuzz(150),
    );
  });

  it('activations: finite input of any batch and width gives finite output and input gradient', () => {
    fc.assert(
      fc.property(fc.constantFrom(Sigmoid, ReLU, Tanh, Softmax, LogSoftmax), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 999 }), (Kind, b, w, seed) => {
        const layer = new Kind();
        const x = zeros([b, w]);
        new Rng(seed).fillUniform(x.data, -1e38, 1e38); // differences stay within float32's range
        const y = layer.forward(x);
        for (const v of y.data.subarray(0, y.size)) expect(Number.isFinite(v), `${layer.name} output ${v}`).toBe(true);
        const dy = zeros([b, w]);
        new Rng(seed + 1).fillUniform(dy.data, -1, 1);
        const dx = layer.backward(dy);
        for (const v of dx.data.subarray(0, dx.size)) expect(Number.isFinite(v), `${layer.name} grad ${v}`).toBe(true);
      }),
      fuzz(150),
    );
  });
});

describe('layers: invalid inputs throw our errors (properties)', () => {
  const notTensor = fc.constantFrom<unknown>(null, undefined, 3, 'x', {}, [[1, 2]], new Float32Array(4), { data: new Float32Array(4), shape: [2, 2] });

  it('constructors: Linear, mlp, Sequential, ActivationRecorder, CrossEntropyLoss', () => {
    fc.assert(
      fc.property(badCount, fc.boolean(), (bad, first) => {
        const rng = new Rng(1);
        expectOurError(() => new Linear(first ? (bad as number) : 3, first ? 3 : (bad as number), { rng }), 'Linear features');
        expectOurError(() => mlp(first ? [bad as number, 3] : [3, bad as number], { rng }), 'mlp widths');
        expectOurError(() => new ActivationRecorder(new Sigmoid(), bad as number), 'ActivationRecorder rows');
      }),
      fuzz(100),
    );
    fc.assert(
      fc.property(fc.constantFrom<unknown>(null, undefined, 1, 'layers', {}, [{}], [null], [1], [{ name: 'x' }], [new Sigmoid(), {}], []), (bad) => {
        expectOurError(() => new Sequential(bad as never), 'Sequential');
      }),
      fuzz(30),
    );
    fc.assert(
      fc.property(fc.constantFrom<unknown>(null, 1, 'rng', {}, { rng: null }, { rng: {} }, { rng: new Rng(1), bias: 'no' }, { rng: new Rng(1), name: 3 }), (opts) => {
        expectOurError(() => new Linear(2, 3, opts as never), 'Linear options');
        if (!(opts !== null && typeof opts === 'object' && 'name' in opts)) expectOurError(() => mlp([2, 3], opts as never), 'mlp options'); // mlp takes no name
      }),
      fuzz(30),
    );
    fc.assert(
      fc.property(fc.constantFrom<unknown>(null, 1, 'none', 'Mean', { reduction: 'none' }, { reduction: 'mean', name: 7 }), (opts) => {
        expectOurError(() => new CrossEntropyLoss(opts as never), 'CrossEntropyLoss options');
      }),
      fuzz(20),
    );
    fc.assert(
      fc.property(fc.constantFrom<unknown>(null, 1, 'softplus', 'Sigmoid', {}), (act) => {
        expectOurError(() => mlp([2, 3, 2], { rng: new Rng(1), activation: act as never }), 'mlp activation');
      }),
      fuzz(20),
    );
  });

  it('forward: non-tensors, wrong rank or width, empty batch, non-contiguous views, NaN and ±∞ data', () => {
    const layers = () => [new Linear(3, 2, { rng: new Rng(1) }), new Sigmoid(), new Softmax(), mlp([3, 4, 2], { rng: new Rng(2) })];
    const badInput = fc.oneof(
      notTensor,
      fc.constantFrom(zeros([3]), zeros([2, 3, 1]), zeros([0, 3]), zeros([2, 4]).slice(0, 3, 1), zeros([3, 2]).transpose()),
      fc.tuple(fc.integer({ min: 0, max: 5 }), fc.constantFrom(NaN, Infinity, -Infinity)).map(([i, v]) => {
        const t = zeros([2, 3]);
        t.data[i] = v;
        return t;
      }),
    );
    fc.assert(
      fc.property(badInput, fc.integer({ min: 0, max: 3 }), (x, which) => {
        const layer = layers()[which];
        // Activations accept any width, and element-wise ones (Sigmoid) any rank, as PyTorch's do (the conv
        // front-end feeds them [N, C, H, W]): only the remaining cases apply to them.
        const valid = x instanceof Tensor && x.shape[0] > 0 && x.isContiguous() && !x.data.some((v) => !Number.isFinite(v));
        if (which === 1 && valid) return;
        if (which === 2 && valid && (x as Tensor).rank === 2) return;
        expectOurError(() => layer.forward(x as Tensor), `${layer.name}.forward`);
      }),
      fuzz(200),
    );
  });

  it('backward and loss: bad gradients and labels', () => {
    fc.assert(
      fc.property(fc.oneof(notTensor, fc.constantFrom(zeros([2, 3]), zeros([1, 2]), zeros([2]), zeros([2, 2, 1]))), (g) => {
        const lin = new Linear(3, 2, { rng: new Rng(1) });
        lin.forward(zeros([2, 3]));
        expectOurError(() => lin.backward(g as Tensor), 'Linear.backward');
        const s = new Sigmoid();
        s.forward(zeros([2, 2]));
        if (!(g instanceof Tensor && g.rank === 2 && g.shape[0] === 2 && g.shape[1] === 2)) expectOurError(() => s.backward(g as Tensor), 'Sigmoid.backward');
      }),
      fuzz(60),
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom<unknown>(null, undefined, 1, 'ab', {}),
          fc.array(fc.oneof(badCount, fc.constantFrom(3, 10)), { minLength: 2, maxLength: 2 }),
          fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 0, maxLength: 5 }).filter((a) => a.length !== 2),
        ),
        (labels) => {
          expectOurError(() => new CrossEntropyLoss().forward(fromArray([[1, 2, 3], [3, 2, 1]]), labels as number[]), 'CrossEntropyLoss labels');
        },
      ),
      fuzz(150),
    );
    expectOurError(() => new Linear(3, 2, { rng: new Rng(1) }).backward(zeros([2, 2])), 'backward before forward');
  });

  it('Parameter, RowBuffers, Sequential options, hiddenActivationLayers', () => {
    fc.assert(
      fc.property(fc.oneof(badCount.filter((x) => x !== undefined), fc.constantFrom<unknown>(null, {}, 'net', new Sigmoid())), (bad) => {
        expectOurError(() => new Parameter('w', [2, bad as number]), 'Parameter shape');
        if (!Array.isArray(bad)) expectOurError(() => new Parameter('w', bad as never), 'Parameter shape (not an array)');
        if (typeof bad !== 'object' || bad === null) expectOurError(() => new RowBuffers(3).get(bad as number), 'RowBuffers.get');
        expectOurError(() => hiddenActivationLayers(bad as never), 'hiddenActivationLayers');
      }),
      fuzz(60),
    );
    expectOurError(() => new Sequential([new Sigmoid()], null as never), 'Sequential(…, null)');
  });

  it('Parameter.assign and registerForwardHook', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom<unknown>(null, undefined, 5, 'abcdef', {}), fc.array(notAFiniteNumber, { minLength: 6, maxLength: 6 }), fc.constant([1, 2, 3])), (values) => {
        const lin = new Linear(3, 2, { rng: new Rng(1) });
        expectOurError(() => lin.weight.assign(values as number[]), 'assign');
      }),
      fuzz(60),
    );
    fc.assert(
      fc.property(fc.constantFrom<unknown>(null, undefined, 1, 'f', {}), (hook) => {
        expectOurError(() => new Sigmoid().registerForwardHook(hook as never), 'registerForwardHook');
      }),
      fuzz(10),
    );
  });
});
