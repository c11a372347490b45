/**
 * Every epoch's metrics, recomputed independently. A 3-epoch run with two hidden layers and the training
 * stream measured (Sec. 5.3): each hidden layer's outputs are captured by a second forward hook next to the
 * runner's own taps, split by epoch and pass (the training stream is the epoch's batches in sampler order,
 * then the test pass is the test set in order), and each epoch's Hoyer and CCMAS — test set and training
 * stream — are recomputed with the one-shot functions and compared bit for bit with the records. A runner
 * that forgets to reset its test-set or training-stream meters between epochs (so that epoch 2 mixes two
 * epochs) fails here from epoch 2 on; so does one that measures the wrong rows or labels.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { epochBatches, loadMnist } from '../../src/data/index.js';
import { normalizeConfig } from '../../src/experiments/config.js';
import type { LayerRecord } from '../../src/experiments/records.js';
import { runExperiment, setupRun, type RunData } from '../../src/experiments/runner.js';
import { BaseLayer, type Layer } from '../../src/layers/index.js';
import { ccmasSelectivity, hoyerSparsity } from '../../src/metrics/index.js';
import type { Tensor } from '../../src/tensor/index.js';

let data: RunData;
beforeAll(() => {
  const m = loadMnist();
  data = { train: m.train, test: m.test };
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** What the runner records for one layer, from the activation rows and their labels. */
function expectedRecord(rows: Float32Array[], labels: ArrayLike<number>, units: number, eps: number): LayerRecord {
  const data = new Float32Array(rows.length * units);
  rows.forEach((r, i) => data.set(r, i * units));
  const A = { data, shape: [rows.length, units] };
  const h = hoyerSparsity(A);
  const c = ccmasSelectivity(A, labels, 10, { eps });
  const def = (v: number): number | null => (Number.isFinite(v) ? v : null);
  return {
    sparsity_mean: def(h.mean),
    sparsity_std: def(h.stdSample),
    selectivity_mean: def(c.mean),
    selectivity_std: def(c.stdPopulation),
    activation_sum: def(h.activationSum),
    ...(h.undefinedCount > 0 && { sparsity_undefined: h.undefinedCount }),
    ...(c.undefinedCount > 0 && { selectivity_undefined: c.undefinedCount }),
  };
}

describe('per-epoch metrics, recomputed from captured activations', () => {
  it('3 epochs × 2 hidden layers: every epoch’s test-set and training-stream Hoyer and CCMAS equal the one-shot functions on that epoch’s rows alone', async () => {
    const config = normalizeConfig({
      optimizer: 'adam',
      hidden: [24, 12],
      epochs: 3,
      metrics: { train: true },
      data: { train: { start: 0, end: 300 }, test: { start: 0, end: 130 } },
    });
    // The hooks the runner's taps register are on the hidden activation layers; register a capturing hook
    // beside each (original registerForwardHook, so the runner's own hooks are untouched).
    const captured = new Map<Layer, Float32Array[]>();
    const original = BaseLayer.prototype.registerForwardHook;
    vi.spyOn(BaseLayer.prototype, 'registerForwardHook').mockImplementation(function (this: BaseLayer, hook) {
      const handle = original.call(this, hook);
      if (!captured.has(this)) {
        captured.set(this, []);
        const rows = captured.get(this)!;
        original.call(this, (out: Tensor) => {
          const [b, u] = out.shape;
          for (let r = 0; r < b; r++) rows.push(out.row(r).toFloat32Array().slice(0, u));
        });
      }
      return handle;
    });
    const out = await runExperiment(config, { data });
    vi.restoreAllMocks();
    expect(out.diverged).toBeNull();
    expect(out.epochs).toHaveLength(3);
    const layers = [...captured.values()];
    expect(layers).toHaveLength(2);

    // The same sampler (same seed) gives each epoch's training order; the test set is read in order.
    const s = setupRun(config, data);
    const testLabels = s.test.labels;
    const trainLabels = s.train.labels;
    const units = config.hidden;
    const cursor = [0, 0];
    const distinct = new Set<number>();
    for (let e = 1; e <= 3; e++) {
      const { order } = epochBatches(s.sampler, e);
      const record = out.epochs[e - 1];
      for (let k = 0; k < 2; k++) {
        const rows = layers[k];
        const train = rows.slice(cursor[k], cursor[k] + order.length);
        cursor[k] += order.length;
        const test = rows.slice(cursor[k], cursor[k] + s.test.count);
        cursor[k] += s.test.count;
        const wantTrain = expectedRecord(train, Array.from(order, (i) => trainLabels[i]), units[k], config.metrics.eps);
        const wantTest = expectedRecord(test, testLabels, units[k], config.metrics.eps);
        expect(record.train_layers![k], `epoch ${e}, layer ${k + 1}, training stream`).toEqual(wantTrain);
        expect(record.layers[k], `epoch ${e}, layer ${k + 1}, test set`).toEqual(wantTest);
        distinct.add(record.layers[k].sparsity_mean!);
      }
    }
    // Every captured row was accounted for, and the epochs really differ (the check is not vacuous).
    expect(cursor).toEqual([layers[0].length, layers[1].length]);
    expect(distinct.size).toBe(6);
    s.dispose();
  });
});
