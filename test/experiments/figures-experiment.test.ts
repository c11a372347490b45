import { describe, expect, it } from 'vitest';
import { experimentFigures, optimizerColour } from '../../src/experiments/figures-experiment.js';
import { summarize } from '../../src/experiments/summary.js';
import type { ExperimentSpec } from '../../src/experiments/spec.js';
import { layer, run } from './fixtures.js';

const spec = (figures: ExperimentSpec['figures']): ExperimentSpec => ({ name: 'x', title: 'X', description: 'd', seeds: [1, 2], epochs: 2, figures });

function labelled(r: ReturnType<typeof run>, condition: string) {
  r.header.condition = condition;
  r.header.experiment = 'x';
  return r;
}

const runs = [
  ...[0.01, 0.1].flatMap((lr) =>
    (['sgd', 'adam'] as const).flatMap((name) =>
      [1, 2].map((seed) => labelled(run({ optimizer: { name, lr }, seed, epochs: 2 }, [0.5, lr === 0.1 ? 0.9 : 0.7 + seed / 100]), `lr lr=${lr}`)),
    ),
  ),
  ...[1, 2].map((seed) => labelled(run({ optimizer: 'sgd', seed, epochs: 2, hidden: [8, 8] }, [0.4, 0.6], { layers: () => [layer(0.2, 0.1), layer(0.4, 0.3)] }), 'deep')),
];
const rows = summarize(runs).rows;

describe('experimentFigures', () => {
  it('final-vs-param: final epoch against the swept path, log x for lr, one series per optimizer, ±SEM', () => {
    const [f] = experimentFigures(spec([{ kind: 'final-vs-param', param: 'optimizer.lr', blocks: ['lr'] }]), rows, runs, ['test_acc']);
    expect(f.name).toBe('x-0-final-vs-optimizer_lr');
    const panel = (f.spec.hconcat as Array<Record<string, any>>)[0];
    expect(panel.layer[0].encoding.x.scale).toEqual({ type: 'log' });
    const values = panel.data.values as Array<{ optimizer: string; x: number; mean: number; lo: number; hi: number }>;
    expect(values.map((v) => [v.optimizer, v.x])).toEqual([['sgd', 0.01], ['adam', 0.01], ['sgd', 0.1], ['adam', 0.1]]);
    const sgd001 = values[0];
    expect(sgd001.mean).toBeCloseTo(0.715, 12); // (0.71 + 0.72) / 2
    expect(sgd001.hi - sgd001.mean).toBeCloseTo(0.005, 12); // SEM = sample std / √2
    expect(panel.layer[0].encoding.color.scale).toEqual({ domain: ['sgd', 'adam'], range: [optimizerColour('sgd'), optimizerColour('adam')] });
  });

  it('bars: condition × optimizer at the final epoch; per-layer: only conditions with several hidden layers', () => {
    const figs = experimentFigures(spec([{ kind: 'bars' }, { kind: 'per-layer' }]), rows, runs, ['test_acc', 'sparsity_mean']);
    expect(figs.map((f) => f.name)).toEqual(['x-0-bars', 'x-1-per-layer']);
    const bars = (figs[0].spec.hconcat as Array<Record<string, any>>)[0].data.values as Array<{ condition: string; optimizer: string }>;
    expect(bars.map((b) => `${b.condition}/${b.optimizer}`)).toEqual(['lr lr=0.01/sgd', 'lr lr=0.01/adam', 'lr lr=0.1/sgd', 'lr lr=0.1/adam', 'deep/sgd']);
    const layers = (figs[1].spec.vconcat as Array<Record<string, any>>)[0].data.values as Array<{ layer: string; epoch: number; mean: number }>;
    expect(layers.map((l) => [l.layer, l.epoch, l.mean])).toEqual([['layer 1', 1, 0.2], ['layer 2', 1, 0.4], ['layer 1', 2, 0.2], ['layer 2', 2, 0.4]]);
  });

  it('gives each registered optimizer its own fixed colour', () => {
    const names = ['sgd', 'adagrad', 'adadelta', 'adam', 'adamw', 'rmsprop', 'adagradk', 'adadeltak'];
    expect(new Set(names.map(optimizerColour)).size).toBe(names.length);
    expect(optimizerColour('adam')).toBe('#e45756');
  });
});
