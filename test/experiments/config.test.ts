import { describe, expect, it } from 'vitest';
import {
  OPTIMIZER_NAMES,
  baselineConfigs,
  canonicalJson,
  ConfigError,
  configHash,
  deriveSeeds,
  layerWidths,
  normalizeConfig,
  runId,
  samplerSpec,
  trainingHash,
  type RunConfigInput,
} from '../../src/experiments/config.js';

function problemsOf(input: unknown): string[] {
  try {
    normalizeConfig(input as RunConfigInput);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('normalizeConfig', () => {
  it('fills the dissertation defaults (PROTOCOL §1)', () => {
    const c = normalizeConfig({ optimizer: 'adagrad' });
    expect(c).toEqual({
      data: { name: 'mnist' },
      hidden: [256],
      activation: 'sigmoid',
      optimizer: { name: 'adagrad', lr: 0.1, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 },
      batchSize: 50,
      sampler: { kind: 'shuffled' },
      epochs: 30,
      seed: 1,
      evalBatchSize: 50,
      metrics: { eps: 1e-7, train: false },
    });
    expect(normalizeConfig({ optimizer: 'sgd' }).optimizer).toEqual({ name: 'sgd', lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false });
    expect(normalizeConfig({ optimizer: 'adadelta' }).optimizer).toMatchObject({ lr: 1.0, rho: 0.9, eps: 1e-6 });
    expect(normalizeConfig({ optimizer: 'adam' }).optimizer).toMatchObject({ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, amsgrad: false });
  });

  it('keeps given options and does not alias the input', () => {
    const input = { optimizer: { name: 'adam' as const, betas: [0.5, 0.9] as [number, number] }, hidden: [64, 32] };
    const c = normalizeConfig(input);
    expect(c.optimizer.betas).toEqual([0.5, 0.9]);
    expect(c.hidden).not.toBe(input.hidden);
    (c.optimizer.betas as number[])[0] = 0;
    expect(input.optimizer.betas[0]).toBe(0.5);
  });

  it('lists every bad field, naming it with expected and actual values', () => {
    const problems = problemsOf({
      optimizer: { name: 'adam', momentum: 0.9, lr: -1, betas: [0.9] },
      hidden: [256, 0],
      batchSize: 2.5,
      epochs: 0,
      activation: 'gelu',
      seed: -3,
      metrics: { eps: -1 },
      colour: 'red',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'colour: unknown field (known: data, hidden, activation, optimizer, batchSize, sampler, epochs, seed, evalBatchSize, metrics, model)',
        'optimizer.momentum: not an option of adam (options: lr, betas, eps, weightDecay, amsgrad)',
        'optimizer.lr: expected a finite number ≥ 0, got -1',
        'optimizer.betas: expected a pair of numbers in [0, 1), got [0.9]',
        'hidden: expected a non-empty list of positive integer widths, e.g. [256], got [256,0]',
        'batchSize: expected a positive integer, got 2.5',
        'epochs: expected a positive integer, got 0',
        'activation: expected one of sigmoid, relu, tanh, got "gelu"',
        'seed: expected a non-negative integer, got -3',
        'metrics.eps: expected a finite number ≥ 0, got -1',
      ]),
    );
    expect(problems).toHaveLength(10);
  });

  it('rejects a missing or unknown optimizer, bad data ranges and sampler fields the run owns', () => {
    expect(problemsOf({})).toEqual([`optimizer: expected an optimizer name (${OPTIMIZER_NAMES.join(', ')}) or { name, …options }, got undefined`]);
    expect(problemsOf({ optimizer: 'lbfgs' })).toEqual([`optimizer.name: unknown optimizer "lbfgs" (registered: ${OPTIMIZER_NAMES.join(', ')})`]);
    expect(problemsOf({ optimizer: 'sgd', data: { train: { start: 10, end: 5 } } })).toEqual([
      'data.train: expected { start, end } with integers 0 ≤ start < end, got {"start":10,"end":5}',
    ]);
    expect(problemsOf({ optimizer: 'sgd', sampler: { kind: 'shuffled', seed: 3 } })).toEqual([
      "sampler.seed: set by the run (use the run's seed), not in the sampler",
    ]);
    expect(problemsOf({ optimizer: 'sgd', sampler: { kind: 'random' } })[0]).toMatch(/^sampler\.kind: unknown sampler kind "random" \(registered: shuffled, sequential/);
    expect(problemsOf({ optimizer: 'sgd', sampler: { kind: 'consecutive', n: 5 } })).toEqual([
      "batchSize: expected 1 with sampler kind 'consecutive' (Sec. 5.7 trains with batch 1), got 50",
    ]);
    expect(() => normalizeConfig({ optimizer: 'sgd', sampler: { kind: 'consecutive', n: 5 }, batchSize: 1 })).not.toThrow();
  });

  it('throws a readable message', () => {
    expect(() => normalizeConfig({ optimizer: 'sgd', epochs: -1 })).toThrow(/invalid run configuration:\n {2}- epochs: expected a positive integer, got -1/);
  });
});

describe('canonical form, hashes, run ids and seeds', () => {
  it('sorts keys at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: 1 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,{"y":1,"z":0}]},"b":1}');
    expect(() => canonicalJson({ a: NaN })).toThrow(/NaN has no JSON form/);
  });

  it('hashes equal configurations equally whatever the key order, and different ones differently', () => {
    const a = normalizeConfig({ optimizer: 'adam', seed: 1 });
    const b = normalizeConfig({ seed: 100, optimizer: { lr: 1e-3, name: 'adam' } });
    expect(configHash(a)).toBe(configHash(b)); // the seed is not part of the condition
    expect(configHash(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(configHash(normalizeConfig({ optimizer: { name: 'adam', lr: 2e-3 } }))).not.toBe(configHash(a));
  });

  it('makes readable run ids that differ per seed and condition', () => {
    const c = normalizeConfig({ optimizer: 'adam', seed: 1 });
    expect(runId(c)).toBe(`adam-784x256x10-b50-s1-${configHash(c).slice(0, 8)}`);
    expect(runId(normalizeConfig({ optimizer: 'sgd', hidden: [256, 256], batchSize: 10, seed: 1234 }))).toMatch(/^sgd-784x256x256x10-b10-s1234-[0-9a-f]{8}$/);
    expect(layerWidths(c)).toEqual([784, 256, 10]);
  });

  it('derives the streams from the seed and the training-shaping fields only', () => {
    const base = normalizeConfig({ optimizer: 'sgd', seed: 1 });
    const s = deriveSeeds(base);
    expect(s.init).toBe(`1/${trainingHash(base)}/init`);
    expect(s.sampler).toBe(`1/${trainingHash(base)}/sampler`);
    expect(deriveSeeds(normalizeConfig({ optimizer: 'sgd', seed: 100 })).init).not.toBe(s.init);
    // Measuring differently or for longer does not change the trajectory …
    const longer = normalizeConfig({ optimizer: 'sgd', seed: 1, epochs: 50, metrics: { train: true, eps: 0 }, data: { test: { start: 0, end: 100 } } });
    expect(deriveSeeds(longer)).toEqual(s);
    expect(runId(longer)).not.toBe(runId(base));
    // … anything that shapes training does.
    expect(deriveSeeds(normalizeConfig({ optimizer: 'adam', seed: 1 })).init).not.toBe(s.init);
    expect(deriveSeeds(normalizeConfig({ optimizer: 'sgd', seed: 1, data: { train: { start: 0, end: 2000 } } })).init).not.toBe(s.init);
  });

  it('builds the sampler spec with the run batch size and sampler stream', () => {
    const c = normalizeConfig({ optimizer: 'sgd', batchSize: 20 });
    expect(samplerSpec(c)).toEqual({ kind: 'shuffled', batchSize: 20, seed: deriveSeeds(c).sampler });
    expect(samplerSpec(normalizeConfig({ optimizer: 'sgd', sampler: { kind: 'sorted' } }))).toEqual({ kind: 'sorted', batchSize: 50 });
    const con = normalizeConfig({ optimizer: 'sgd', batchSize: 1, sampler: { kind: 'consecutive', n: 10 } });
    expect(samplerSpec(con)).toEqual({ kind: 'consecutive', n: 10, seed: deriveSeeds(con).sampler });
  });
});

describe('baselineConfigs', () => {
  it('is the four optimizers × seeds 1, 100, 1234, optimizer-major, 30 epochs, 784-256-10 sigmoid, batch 50', () => {
    const cs = baselineConfigs();
    expect(cs.map((c) => `${c.optimizer.name}:${c.seed}`)).toEqual([
      'sgd:1', 'sgd:100', 'sgd:1234', 'adagrad:1', 'adagrad:100', 'adagrad:1234',
      'adadelta:1', 'adadelta:100', 'adadelta:1234', 'adam:1', 'adam:100', 'adam:1234',
    ]);
    for (const c of cs) {
      expect(c).toMatchObject({ epochs: 30, hidden: [256], activation: 'sigmoid', batchSize: 50, sampler: { kind: 'shuffled' } });
    }
    expect(new Set(cs.map(runId)).size).toBe(12);
  });

  it('takes overrides and rejects empty lists', () => {
    const cs = baselineConfigs({ optimizers: ['adam'], seeds: [7], epochs: 2, hidden: [128, 64], batchSize: 10 });
    expect(cs).toHaveLength(1);
    expect(cs[0]).toMatchObject({ seed: 7, epochs: 2, hidden: [128, 64], batchSize: 10 });
    expect(() => baselineConfigs({ seeds: [] })).toThrow(/seeds: expected at least one seed/);
    expect(() => baselineConfigs({ batchSize: 0 })).toThrow(/batchSize: expected a positive integer, got 0/);
  });
});
