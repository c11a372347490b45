/** Every preset validates and plans exactly the original design (run counts, seeds, epochs; PROTOCOL §4, Table 5.4). */
import { describe, expect, it } from 'vitest';
import { loadSpec, presetNames } from '../../src/experiments/presets.js';
import { distinctRuns, expandSpec, pendingMeasures } from '../../src/experiments/spec.js';

/** preset → [planned runs, distinct runs, epochs (a list where blocks differ), runnable now]. */
const EXPECTED: Record<string, [number, number, number | number[], boolean]> = {
  baseline: [12, 12, 30, true],
  'hidden-layers': [60, 60, 50, true],
  'batch-size': [84, 84, 30, true],
  consecutive: [48, 48, 30, true],
  hyperparameters: [444, 438, 30, true],
  neurons: [168, 168, 30, true],
  'class-diversity': [84, 84, 30, true],
  'class-diversity-all-images': [24, 24, 30, true],
  conv: [24, 24, [5, 30], true],
  sorted: [24, 24, 100, true],
  'train-vs-test': [12, 12, 30, true],
  combined: [24, 24, 30, true],
  dropout: [120, 120, 30, true],
  'rmsprop-momentum': [9, 9, 30, true],
  'adam-betas-zoom': [30, 27, 30, true],
  'formative-combined': [12, 12, 30, true],
  'sorted-300': [24, 24, 300, true],
  'remove-neurons': [12, 12, 30, true],
  'selectivity-violin': [12, 12, 30, true],
};

describe('presets', () => {
  it('are exactly the expected set', () => {
    expect(presetNames()).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [name, [runs, distinct, epochs, runnable]] of Object.entries(EXPECTED)) {
    it(`${name}: ${runs} runs (${distinct} distinct), seeds 1, 100, 1234, ${epochs} epochs`, () => {
      const spec = loadSpec(name);
      const plan = expandSpec(spec, { planPending: true });
      expect(plan).toHaveLength(runs);
      expect(distinctRuns(plan)).toHaveLength(distinct);
      expect(new Set(plan.map((p) => p.config.seed))).toEqual(new Set([1, 100, 1234]));
      expect([...new Set(plan.map((p) => p.config.epochs))].sort((a, b) => a - b)).toEqual([epochs].flat());
      expect(plan.every((p) => p.experiment === name)).toBe(true);
      expect(plan.some((p) => p.pending !== undefined) || pendingMeasures(spec).length > 0).toBe(!runnable);
      if (runnable) expect(() => expandSpec(spec)).not.toThrow();
    });
  }

  it('hyperparameters is Table 5.4: 11 weight decays and 15 learning rates × 4 optimizers, 11 values each for momentum, rho, beta1, beta2', () => {
    const plan = expandSpec(loadSpec('hyperparameters'));
    const count = (block: string) => plan.filter((p) => p.block === block).length / 3;
    expect([count('weight-decay'), count('lr'), count('momentum'), count('rho'), count('beta1'), count('beta2')]).toEqual([44, 60, 11, 11, 11, 11]);
    const lrs = [...new Set(plan.filter((p) => p.block === 'lr').map((p) => p.config.optimizer.lr))];
    expect(lrs[0]).toBe(1e-5);
    expect(lrs[7]).toBe(0.1);
    expect(lrs[14]).toBe(1000);
    const beta1 = plan.filter((p) => p.block === 'beta1').map((p) => p.config.optimizer.betas as number[]);
    expect(beta1.every((b) => b[1] === 0.999)).toBe(true);
    expect(plan.every((p) => p.config.metrics.eps === 1e-6)).toBe(true);
  });

  it('baseline plans the same runs as npm start, and consecutive’s batch-50 reference is the baseline’s run', () => {
    const base = expandSpec(loadSpec('baseline')).map((p) => p.id);
    const con = expandSpec(loadSpec('consecutive'));
    expect(con.filter((p) => p.condition === 'baseline').map((p) => p.id).sort()).toEqual([...base].sort());
    expect(con.filter((p) => p.condition === 'con 10').every((p) => p.config.batchSize === 1 && p.config.sampler.kind === 'consecutive')).toBe(true);
  });

  it('class-diversity follows PROTOCOL §4.7: single uses every image, pair and 5nums the original exhaust rule', () => {
    const plan = expandSpec(loadSpec('class-diversity'));
    const sampler = (block: string) => plan.find((p) => p.block === block)!.config.sampler;
    expect(sampler('single')).toEqual({ kind: 'class-restricted', classesPerBatch: 1 });
    expect(sampler('pair')).toEqual({ kind: 'class-restricted', classesPerBatch: 2, exhaust: 'original' });
    expect(sampler('5nums')).toEqual({ kind: 'class-restricted', classesPerBatch: 5, exhaust: 'original' });
    expect(plan.find((p) => p.block === 'single-b10')!.config.batchSize).toBe(10);
  });

  it('conv: 5-epoch CNN runs beside the 30-epoch MLP reference, which are the baseline’s runs', () => {
    const plan = expandSpec(loadSpec('conv'));
    const cnn = plan.filter((p) => p.block === 'cnn');
    expect(cnn.every((p) => p.config.epochs === 5 && p.config.model?.kind === 'cnn')).toBe(true);
    const base = expandSpec(loadSpec('baseline')).map((p) => p.id).sort();
    expect(plan.filter((p) => p.block === 'mlp').map((p) => p.id).sort()).toEqual(base);
    // An epochs= override applies to every block (a quick look at both).
    expect(new Set(expandSpec(loadSpec('conv'), { overrides: ['epochs=1'] }).map((p) => p.config.epochs))).toEqual(new Set([1]));
  });

  it('dropout: p = 0 … 0.9 as the mlp option, p = 0 being the baseline’s runs', () => {
    const plan = expandSpec(loadSpec('dropout'));
    const ps = [...new Set(plan.map((p) => (p.config.model as { dropout?: number } | undefined)?.dropout ?? 0))];
    expect(ps).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    const base = new Set(expandSpec(loadSpec('baseline')).map((p) => p.id));
    expect(plan.filter((p) => p.config.model === undefined).every((p) => base.has(p.id))).toBe(true);
  });
});
