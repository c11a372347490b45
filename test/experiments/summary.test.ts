import { describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../src/experiments/config.js';
import { groupLabels } from '../../src/experiments/labels.js';
import { meanOverLayers, meanSem, summarize, weightedOverLayers } from '../../src/experiments/summary.js';
import { layer, run } from './fixtures.js';

describe('meanSem', () => {
  it('is the mean ± sample std / √n (hand-derived)', () => {
    // 0.90, 0.92, 0.94: mean 0.92; deviations ∓0.02, 0 → Σd² = 8e-4; s = √(8e-4 / 2) = 0.02; SEM = 0.02 / √3.
    const s = meanSem([0.9, 0.92, 0.94]);
    expect(s.n).toBe(3);
    expect(s.mean).toBeCloseTo(0.92, 15);
    expect(s.sem).toBeCloseTo(0.02 / Math.sqrt(3), 15);
    // 1, 2, 3, 4: mean 2.5; Σd² = 2.25+0.25+0.25+2.25 = 5; s = √(5/3); SEM = √(5/3)/2.
    expect(meanSem([1, 2, 3, 4]).sem).toBeCloseTo(Math.sqrt(5 / 3) / 2, 15);
  });

  it('has an undefined SEM for one value and an undefined mean for none', () => {
    expect(meanSem([0.7])).toEqual({ mean: 0.7, sem: NaN, n: 1 });
    expect(meanSem([])).toEqual({ mean: NaN, sem: NaN, n: 0 });
  });
});

describe('layer aggregation', () => {
  it('eq. 5.1: the plain mean over layers; undefined if any layer is', () => {
    expect(meanOverLayers([layer(0.2, 0.5), layer(0.4, 0.7)], 'sparsity_mean')).toBeCloseTo(0.3, 15);
    expect(meanOverLayers([layer(0.2, 0.5), layer(null, 0.7)], 'sparsity_mean')).toBeNull();
    expect(meanOverLayers([], 'sparsity_mean')).toBeNull();
  });

  it('eq. 5.2: weights are the layers’ shares of the total activation', () => {
    // T = 1 and 3 → weights 1/4, 3/4: 0.25·0.2 + 0.75·0.4 = 0.35.
    expect(weightedOverLayers([layer(0.2, 0.5, 1), layer(0.4, 0.7, 3)], 'sparsity_mean')).toBeCloseTo(0.35, 15);
    expect(weightedOverLayers([layer(0.2, 0.5, 0), layer(0.4, 0.7, 0)], 'sparsity_mean')).toBeNull();
    expect(weightedOverLayers([layer(0.2, 0.5, null), layer(0.4, 0.7, 3)], 'sparsity_mean')).toBeNull();
  });
});

describe('summarize', () => {
  it('groups the seeds of a condition and reports mean ± SEM per epoch', () => {
    const runs = [
      run({ optimizer: 'sgd', seed: 1, epochs: 2 }, [0.9, 0.95]),
      run({ optimizer: 'sgd', seed: 100, epochs: 2 }, [0.92, 0.96]),
      run({ optimizer: 'sgd', seed: 1234, epochs: 2 }, [0.94, 0.97]),
      run({ optimizer: 'adam', seed: 1, epochs: 2 }, [0.8, 0.85]),
    ];
    const s = summarize(runs);
    expect(s.groups.map((g) => g.label)).toEqual(['sgd', 'adam']);
    expect(s.groups[0].group).toEqual({ optimizer: 'sgd' });
    expect(s.groups[0].runs.map((r) => r.seed)).toEqual([1, 100, 1234]);
    expect(s.groups[0].runs.every((r) => r.complete)).toBe(true);
    expect(s.groups[0].config).not.toHaveProperty('seed');
    expect(s.rows.map((r) => `${r.label}@${r.epoch}`)).toEqual(['sgd@1', 'sgd@2', 'adam@1', 'adam@2']);
    const sgd1 = s.rows[0];
    expect(sgd1.seeds).toEqual([1, 100, 1234]);
    expect(sgd1.metrics.test_acc.mean).toBeCloseTo(0.92, 15);
    expect(sgd1.metrics.test_acc.sem).toBeCloseTo(0.02 / Math.sqrt(3), 15);
    expect(sgd1.metrics.test_acc.n).toBe(3);
    expect(sgd1.metrics.sparsity_mean).toEqual({ mean: 0.5, sem: 0, n: 3 });
    expect(sgd1.metrics.train_loss.mean).toBe(1);
    expect(sgd1.layers).toHaveLength(1);
    expect(sgd1.metrics).not.toHaveProperty('sparsity_mean_weighted'); // one hidden layer
    expect(s.rows[2].metrics.test_acc).toEqual({ mean: 0.8, sem: NaN, n: 1 });
  });

  it('leaves diverged runs out and counts them from the epoch they diverged in', () => {
    const runs = [
      run({ optimizer: 'sgd', seed: 1, epochs: 3 }, [0.5, 0.6, 0.7]),
      run({ optimizer: 'sgd', seed: 2, epochs: 3 }, [0.3], { diverge: true }),
    ];
    const s = summarize(runs);
    expect(s.rows.map((r) => [r.epoch, r.seeds, r.diverged, r.metrics.test_acc.n])).toEqual([
      [1, [1, 2], 0, 2],
      [2, [1], 1, 1],
      [3, [1], 1, 1],
    ]);
    expect(s.rows[1].metrics.test_acc.mean).toBe(0.6);
    expect(s.groups[0].runs[1]).toMatchObject({ seed: 2, epochs: 1, complete: true, diverged: { epoch: 2, step: 3 } });
  });

  it('never averages an undefined metric in: it is left out and n says so', () => {
    const runs = [
      run({ optimizer: 'sgd', seed: 1, epochs: 1 }, [0.5], { layers: () => [layer(0.5, null)] }),
      run({ optimizer: 'sgd', seed: 2, epochs: 1 }, [0.6], { layers: () => [layer(0.7, 0.4)] }),
    ];
    const row = summarize(runs).rows[0];
    expect(row.metrics.selectivity_mean).toEqual({ mean: 0.4, sem: NaN, n: 1 });
    expect(row.metrics.sparsity_mean.n).toBe(2);
    expect(row.layers[0].selectivity_mean.n).toBe(1);
  });

  it('adds the weighted (eq. 5.2) and per-layer values for deeper nets', () => {
    const runs = [1, 2].map((seed) =>
      run({ optimizer: 'adam', hidden: [256, 256], seed, epochs: 1 }, [0.9], { layers: () => [layer(0.2, 0.5, 1), layer(0.4, 0.7, 3)] }),
    );
    const row = summarize(runs).rows[0];
    expect(row.metrics.sparsity_mean.mean).toBeCloseTo(0.3, 15);
    expect(row.metrics.sparsity_mean_weighted!.mean).toBeCloseTo(0.35, 15);
    expect(row.layers.map((l) => l.sparsity_mean.mean)).toEqual([0.2, 0.4]);
  });

  it('reports incomplete runs as such', () => {
    const s = summarize([run({ optimizer: 'sgd', seed: 1, epochs: 5 }, [0.5, 0.6])]);
    expect(s.groups[0].runs[0]).toMatchObject({ epochs: 2, complete: false, diverged: null });
  });
});

describe('groupLabels', () => {
  it('names the baseline by optimizer only, though each optimizer has its own options', () => {
    const cs = ['sgd', 'adagrad', 'adadelta', 'adam'].map((o) => normalizeConfig({ optimizer: o as 'sgd' }));
    expect(groupLabels(cs)).toEqual([
      { label: 'sgd', group: { optimizer: 'sgd' } },
      { label: 'adagrad', group: { optimizer: 'adagrad' } },
      { label: 'adadelta', group: { optimizer: 'adadelta' } },
      { label: 'adam', group: { optimizer: 'adam' } },
    ]);
  });

  it('adds what varies: options within one optimizer, and other fields across all', () => {
    const cs = [
      normalizeConfig({ optimizer: { name: 'sgd', lr: 0.01 } }),
      normalizeConfig({ optimizer: { name: 'sgd', lr: 0.1 } }),
      normalizeConfig({ optimizer: 'adam', hidden: [256, 256] }),
    ];
    expect(groupLabels(cs).map((l) => l.label)).toEqual(['sgd lr=0.01 hidden=256', 'sgd lr=0.1 hidden=256', 'adam hidden=256x256']);
    expect(groupLabels(cs)[2].group).toEqual({ optimizer: 'adam', hidden: [256, 256] });
    const sampler = [normalizeConfig({ optimizer: 'sgd' }), normalizeConfig({ optimizer: 'sgd', sampler: { kind: 'sorted' } })];
    expect(groupLabels(sampler).map((l) => l.label)).toEqual(['sgd sampler.kind=shuffled', 'sgd sampler.kind=sorted']);
  });

  it('keeps labels unique when conditions differ only in epochs', () => {
    const cs = [normalizeConfig({ optimizer: 'sgd', epochs: 30 }), normalizeConfig({ optimizer: 'sgd', epochs: 50 })];
    expect(groupLabels(cs).map((l) => l.label)).toEqual(['sgd epochs=30', 'sgd epochs=50']);
  });
});
