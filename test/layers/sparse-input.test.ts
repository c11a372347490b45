/**
 * The first layer's sparse-input path in training: forward and backward agree with the dense path (float32
 * summation order aside), and stepping only the gradient's known non-zero columns (SGD without momentum,
 * Adagrad) — with zeroGrad clearing only those — is bit-identical to the full dense step.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Linear, type Sequential } from '../../src/layers/index.js';
import { Adadelta, Adagrad, Adam, SGD, setSkipZeroGradients } from '../../src/optim/index.js';
import { Rng, SparseRows, Tensor, setSparseInputMode } from '../../src/tensor/index.js';
import { F, sparseDataset, train, trainer, wasmMemoryPerTest, type Optimizer } from './sparse-input-helpers.js';

const useWasm = wasmMemoryPerTest(afterEach);

const optimizers: Array<[string, (m: Sequential) => Optimizer, boolean]> = [
  ['SGD', (m) => new SGD(m.parameters(), { lr: 0.1 }), true],
  ['Adagrad', (m) => new Adagrad(m.parameters(), { lr: 0.1 }), true],
  ['Adadelta (deferred decays)', (m) => new Adadelta(m.parameters()), true],
  ['SGD with momentum (dense step)', (m) => new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 }), false],
  ['Adam (dense step)', (m) => new Adam(m.parameters(), { lr: 1e-3 }), false],
];

describe('an input offered only in block form (setSparseInput(x, rows, false), as the runner gathers)', () => {
  it('the sparse forward never reads x; a dense forward first writes the rows into it', () => {
    useWasm();
    const data = sparseDataset(6, 4);
    const B = 6;
    const dense = new Tensor(data.images.slice(0, B * F), [B, F]);
    for (const mode of ['sparse', 'dense'] as const) {
      setSparseInputMode(mode);
      const layer = new Linear(F, 8, { rng: new Rng(5) });
      const want = layer.forwardTrusted(dense).data.slice();
      const rows = SparseRows.fromDense(data.images, B, F);
      const x = new Tensor(new Float32Array(B * F).fill(NaN), [B, F]);
      layer.setSparseInput(x, rows, false);
      const got = layer.forwardTrusted(x).data;
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-6);
      if (mode === 'sparse') expect(x.data.every(Number.isNaN)).toBe(true);
      else expect(Array.from(x.data)).toEqual(Array.from(dense.data));
      layer.setSparseInput(null, null);
      rows.dispose();
      layer.dispose();
    }
  });
});

describe('sparse-input path in training', () => {
  it('takes the sparse kernels and matches the dense path to float32 rounding (batch 1 and 20)', () => {
    useWasm();
    const data = sparseDataset(200, 1);
    for (const batch of [1, 20]) {
      const s = trainer(data, batch, (m) => new SGD(m.parameters(), { lr: 0.1 }), true);
      const d = trainer(data, batch, (m) => new SGD(m.parameters(), { lr: 0.1 }), false);
      expect(s.feed).not.toBe(null);
      expect(d.feed).toBe(null);
      const ws = train(s, data, batch, 30);
      expect((s.model.layers[0] as Linear).lastForwardSparse).toBe(true);
      const wd = train(d, data, batch, 30);
      for (let a = 0; a < ws.length; a++) for (let i = 0; i < ws[a].length; i++) expect(Math.abs(ws[a][i] - wd[a][i])).toBeLessThan(1e-5);
      s.dispose();
      d.dispose();
    }
  });

  for (const [name, makeOpt, skips] of optimizers) {
    it(`${name}: stepping only the touched columns is bit-identical to the full step (batch 1 and 5)`, () => {
      useWasm();
      const data = sparseDataset(120, 2);
      for (const batch of [1, 5]) {
        setSkipZeroGradients(true);
        const a = trainer(data, batch, makeOpt, true);
        const wa = train(a, data, batch, 25);
        const gc = (a.model.layers[0] as Linear).weight.gradColumns!;
        expect(gc.all).toBe(false);
        if (skips) expect(gc.touched).toBeLessThan(8 * F); // the last step touched part of the columns only
        setSkipZeroGradients(false);
        const b = trainer(data, batch, makeOpt, true);
        const wb = train(b, data, batch, 25);
        for (let k = 0; k < wa.length; k++) expect(Array.from(wa[k])).toEqual(Array.from(wb[k]));
        a.dispose();
        b.dispose();
      }
    });
  }

  it('zeroGrad clears only the touched columns, leaving the whole gradient +0', () => {
    useWasm();
    const data = sparseDataset(40, 3);
    const t = trainer(data, 4, (m) => new SGD(m.parameters(), { lr: 0.1 }), true);
    train(t, data, 4, 3);
    const w = (t.model.layers[0] as Linear).weight;
    expect(w.grad.some((g) => g !== 0)).toBe(true);
    t.model.zeroGrad();
    expect(w.grad.every((g) => Object.is(g, 0))).toBe(true);
    t.dispose();
  });
});
