import { describe, expect, it } from 'vitest';
import { baselineConfigs, runId } from '../../src/experiments/config.js';
import { distinctRuns, expandSpec, parseOverride, setPath, SpecError, type ExperimentSpec } from '../../src/experiments/spec.js';

const spec = (over: Partial<ExperimentSpec> = {}): ExperimentSpec => ({ name: 't', title: 'T', description: 'd', seeds: [1, 2], epochs: 3, ...over });
const OPT = { path: 'optimizer.name', values: ['sgd', 'adam'] };

describe('expandSpec', () => {
  it('expands a product outermost-first with seeds innermost', () => {
    const plan = expandSpec(spec({ axes: [OPT, { path: 'batchSize', values: [10, 50] }] }));
    expect(plan.map((p) => [p.config.optimizer.name, p.config.batchSize, p.config.seed])).toEqual([
      ['sgd', 10, 1], ['sgd', 10, 2], ['sgd', 50, 1], ['sgd', 50, 2],
      ['adam', 10, 1], ['adam', 10, 2], ['adam', 50, 1], ['adam', 50, 2],
    ]);
    expect(plan.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(plan.every((p) => p.config.epochs === 3 && p.experiment === 't')).toBe(true);
    expect(plan[0].condition).toBe('batchSize=10');
  });

  it('advances zipped axes together, with their labels', () => {
    const plan = expandSpec(
      spec({
        seeds: [1],
        axes: [{ zip: [{ path: 'sampler', values: [{ kind: 'shuffled' }, { kind: 'consecutive', n: 5 }], labels: ['base', 'con 5'] }, { path: 'batchSize', values: [50, 1], labels: ['', ''] }] }],
        base: { optimizer: 'sgd' },
      }),
    );
    expect(plan.map((p) => [p.config.sampler, p.config.batchSize, p.condition])).toEqual([
      [{ kind: 'shuffled' }, 50, 'base'],
      [{ kind: 'consecutive', n: 5 }, 1, 'con 5'],
    ]);
    expect(() => expandSpec(spec({ axes: [{ zip: [{ path: 'batchSize', values: [1, 2] }, { path: 'epochs', values: [1] }] }], base: { optimizer: 'sgd' } }))).toThrow(/equally many values/);
  });

  it('unions condition blocks, each with its own set and axes', () => {
    const plan = expandSpec(
      spec({
        seeds: [1],
        conditions: [
          { name: 'mom', set: { 'optimizer.name': 'sgd' }, axes: [{ path: 'optimizer.momentum', values: [0.5, 0.9] }] },
          { name: 'b1', set: { 'optimizer.name': 'adam', 'optimizer.betas.0': 0.5 } },
        ],
      }),
    );
    expect(plan.map((p) => p.condition)).toEqual(['mom momentum=0.5', 'mom momentum=0.9', 'b1']);
    // betas.0 set on an absent option starts from Adam's default pair, so beta2 stays 0.999
    expect(plan[2].config.optimizer.betas).toEqual([0.5, 0.999]);
  });

  it('applies overrides: a single value sets, a list sweeps or replaces an axis, seeds and epochs replace', () => {
    const s = spec({ axes: [OPT] });
    const set = expandSpec(s, { overrides: ['batchSize=10', 'epochs=1', 'seeds=7'] });
    expect(set.map((p) => [p.config.batchSize, p.config.epochs, p.config.seed])).toEqual([[10, 1, 7], [10, 1, 7]]);
    const sweep = expandSpec(s, { overrides: ['optimizer.lr=0.01,0.1', 'seeds=1'] });
    expect(sweep.map((p) => [p.config.optimizer.name, p.config.optimizer.lr])).toEqual([['sgd', 0.01], ['sgd', 0.1], ['adam', 0.01], ['adam', 0.1]]);
    const replaced = expandSpec(s, { overrides: ['optimizer.name=adagrad'] });
    expect(replaced.map((p) => p.config.optimizer.name)).toEqual(['adagrad', 'adagrad']);
    expect(expandSpec(s, { overrides: ['optimizer.betas=[0.5,0.9]', 'optimizer.name=adam', 'seeds=1'] })[0].config.optimizer.betas).toEqual([0.5, 0.9]);
    expect(() => expandSpec(s, { overrides: ['optimizer.momentum=0.9'] })).toThrow(/optimizer\.momentum: not an option of adam/);
    expect(() => expandSpec(s, { overrides: ['seeds=1,1'] })).toThrow(SpecError);
  });

  it('parses overrides, with JSON values and top-level commas only', () => {
    expect(parseOverride('optimizer.lr=0.01,0.1')).toEqual({ path: 'optimizer.lr', values: [0.01, 0.1] });
    expect(parseOverride('hidden=[256,256],[64]')).toEqual({ path: 'hidden', values: [[256, 256], [64]] });
    expect(parseOverride('sampler={"kind":"sorted"}')).toEqual({ path: 'sampler', values: [{ kind: 'sorted' }] });
    expect(parseOverride('activation=relu')).toEqual({ path: 'activation', values: ['relu'] });
    for (const bad of ['lr', '=1', 'a..b=1', 'lr=', 'lr=1,,2']) expect(() => parseOverride(bad)).toThrow(SpecError);
  });

  it('gives stable ids: the same plan twice, and the baseline preset equals npm start’s runs (ids and order)', () => {
    const s = spec({ axes: [OPT, { path: 'hidden', values: [[64], [128]] }] });
    expect(expandSpec(s).map((p) => p.id)).toEqual(expandSpec(s).map((p) => p.id));
    const base = expandSpec({ ...spec(), seeds: [1, 100, 1234], epochs: 30, axes: [{ path: 'optimizer.name', values: ['sgd', 'adagrad', 'adadelta', 'adam'] }] });
    expect(base.map((p) => p.id)).toEqual(baselineConfigs().map(runId));
    // ids are the configuration's, never the labels': a fixed value from before specs existed
    expect(base[0].id).toBe('sgd-784x256x10-b50-s1-47c6cc33');
    expect(base[9].id).toBe('adam-784x256x10-b50-s1-f73492c8');
  });

  it('shares ids between planned runs with equal configurations; distinctRuns keeps the first', () => {
    const plan = expandSpec(spec({ seeds: [1], base: { optimizer: 'sgd' }, conditions: [{ name: 'a' }, { name: 'b', set: { 'optimizer.lr': 0.1 } }] }));
    expect(plan).toHaveLength(2);
    expect(plan[0].id).toBe(plan[1].id);
    expect(distinctRuns(plan).map((p) => p.condition)).toEqual(['a']);
  });

  it('reports every bad run configuration and spec field, naming block and point', () => {
    expect(() => expandSpec(spec({ axes: [{ path: 'batchSize', values: [0] }], base: { optimizer: 'sgd' } }))).toThrow(/run \(batchSize=0\): batchSize: expected a positive integer, got 0/);
    expect(() => expandSpec({ ...spec(), seeds: [] } as ExperimentSpec)).toThrow(/seeds: expected a non-empty list/);
    expect(() => expandSpec({ ...spec(), colour: 1 } as unknown as ExperimentSpec)).toThrow(/colour: unknown field/);
    expect(() => expandSpec(spec({ base: { optimizer: 'sgd' }, figures: [{ kind: 'pie' as 'bars' }] }))).toThrow(/figures\[0\]\.kind/);
  });

  it('plans runs of a registered model kind (cnn) and rejects an unknown one, naming it', () => {
    const [p] = expandSpec(spec({ seeds: [1], base: { optimizer: 'sgd', model: { kind: 'cnn' } } }));
    expect(p.config.model).toEqual({ kind: 'cnn' });
    expect(p.pending).toBeUndefined();
    expect(() => expandSpec(spec({ seeds: [1], base: { optimizer: 'sgd', model: { kind: 'rnn' } } }))).toThrow(/model\.kind: .*"rnn"/);
  });

  it('a condition block may set its own epochs; an epochs= override wins', () => {
    const s = spec({ base: { optimizer: 'sgd' }, seeds: [1], conditions: [{ name: 'short' }, { name: 'long', epochs: 7 }] });
    expect(expandSpec(s).map((p) => p.config.epochs)).toEqual([s.epochs, 7]);
    expect(expandSpec(s, { overrides: ['epochs=2'] }).map((p) => p.config.epochs)).toEqual([2, 2]);
    expect(() => expandSpec({ ...s, conditions: [{ name: 'x', epochs: 0 }] })).toThrow(/conditions\[0\]\.epochs: expected a positive integer, got 0/);
  });
});

describe('setPath', () => {
  it('creates objects and arrays, turns an optimizer name into an object, and rejects paths through scalars', () => {
    const o: Record<string, unknown> = { optimizer: 'adam' };
    setPath(o, 'optimizer.lr', 0.1);
    setPath(o, 'data.train', { start: 0, end: 10 });
    expect(o).toEqual({ optimizer: { name: 'adam', lr: 0.1 }, data: { train: { start: 0, end: 10 } } });
    expect(() => setPath({ batchSize: 5 }, 'batchSize.x', 1)).toThrow(/batchSize is 5/);
  });
});
