/** The final epoch's optional measures: per-unit selectivity (metrics.perUnit) and neuron ablation (metrics.ablation). */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/index.js';
import { configHash, normalizeConfig, runId } from '../../src/experiments/config.js';
import { runExperiment, type RunData } from '../../src/experiments/runner.js';
import { unitsToRemove } from '../../src/experiments/ablation.js';

let data: RunData;
beforeAll(() => {
  const m = loadMnist();
  data = { train: m.train, test: m.test };
});

const base = { optimizer: 'adam' as const, hidden: [32], epochs: 2, data: { train: { start: 0, end: 1000 }, test: { start: 0, end: 500 } } };

describe('metrics.perUnit and metrics.ablation', () => {
  it('are left out of the configuration when false, so run ids and hashes do not change', () => {
    const plain = normalizeConfig(base);
    const off = normalizeConfig({ ...base, metrics: { perUnit: false, ablation: false } });
    expect(off).toEqual(plain);
    expect(runId(off)).toBe(runId(plain));
    const on = normalizeConfig({ ...base, metrics: { perUnit: true } });
    expect(on.metrics).toEqual({ eps: 1e-7, train: false, perUnit: true });
    expect(configHash(on)).not.toBe(configHash(plain));
    expect(() => normalizeConfig({ ...base, metrics: { ablation: 'yes' as never } })).toThrow(/metrics\.ablation: expected true or false, got "yes"/);
  });

  it('record the final epoch’s per-unit CCMAS (its mean is the layer’s selectivity) and the ablation accuracies', async () => {
    const plain = await runExperiment(base, { data });
    const out = await runExperiment({ ...base, metrics: { perUnit: true, ablation: true } }, { data });
    const [first, last] = out.epochs;
    expect(first.per_unit_selectivity).toBeUndefined();
    expect(first.ablation).toBeUndefined();
    // The measures do not change training: every number of the plain run's last epoch is the same.
    expect(last.test_acc).toBe(plain.epochs[1].test_acc);
    expect(last.layers).toEqual(plain.epochs[1].layers);
    const units = last.per_unit_selectivity!;
    expect(units).toHaveLength(1);
    expect(units[0]).toHaveLength(32);
    const defined = units[0].filter((v): v is number => v !== null);
    const mean = defined.reduce((a, b) => a + b, 0) / defined.length;
    expect(mean).toBeCloseTo(last.layers[0].selectivity_mean!, 12);
    // k = 100 is more than the 32 units: skipped; 1, 5, 10 × three orders remain.
    const ab = last.ablation!;
    expect(ab.map((a) => `${a.k}/${a.order}`)).toEqual(['1', '5', '10'].flatMap((k) => ['most-selective', 'least-selective', 'random'].map((o) => `${k}/${o}`)));
    for (const a of ab) {
      expect(a.drop).toBeCloseTo(last.test_acc - a.accuracy, 15);
      expect(a.accuracy).toBeGreaterThanOrEqual(0);
      expect(a.accuracy).toBeLessThanOrEqual(1);
    }
    const most10 = ab.find((a) => a.k === 10 && a.order === 'most-selective')!;
    expect(most10.units).toEqual(unitsToRemove(units[0].map((v) => v ?? NaN), 10, 'most-selective', 1));
    // Removing 10 of 32 units changes the net: some accuracy differs from the intact one.
    expect(ab.some((a) => a.accuracy !== last.test_acc)).toBe(true);
  }, 60_000);
});
