/**
 * The `model` field of a run configuration (src/experiments/kinds/models.ts): validation, unchanged hashes for
 * plain mlp configurations, and runs of the CNN and of the mlp with dropout on the first MNIST images.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/index.js';
import { ConfigError, configHash, normalizeConfig, runId } from '../../src/experiments/config.js';
import { runExperiment, setupRun, type RunData } from '../../src/experiments/runner.js';
import { Conv2d, Dropout } from '../../src/layers/index.js';

let data: RunData;
beforeAll(() => {
  const m = loadMnist();
  data = { train: m.train, test: m.test };
});

const problems = (input: object): string[] => {
  try {
    normalizeConfig({ optimizer: 'sgd', ...input });
  } catch (e) {
    return (e as ConfigError).problems;
  }
  return [];
};

describe('the model field', () => {
  it('is validated, naming the field, expected and actual value', () => {
    expect(problems({ model: { kind: 'rnn' } })).toEqual([expect.stringMatching(/^model\.kind: .*"rnn".*mlp.*cnn/)]);
    expect(problems({ model: { kind: 'mlp', dropout: 1.5 } })).toEqual(['model.dropout: expected a finite number in [0, 1], got 1.5']);
    expect(problems({ model: { kind: 'cnn', dropout: 0.5 } })).toEqual(['model.dropout: not an option of model kind cnn (options: none)']);
    expect(problems({ model: { kind: 'cnn' }, hidden: [256, 128] })).toEqual([
      "hidden: expected one width (the CNN's fully connected layer) with model kind cnn, got [256,128]",
    ]);
  });
  it('leaves plain mlp configurations (and their hashes and ids) as they were', () => {
    const plain = normalizeConfig({ optimizer: 'sgd' });
    expect('model' in plain).toBe(false);
    expect(normalizeConfig({ optimizer: 'sgd', model: { kind: 'mlp' } })).toEqual(plain);
    const cnn = normalizeConfig({ optimizer: 'sgd', model: { kind: 'cnn' } });
    expect(configHash(cnn)).not.toBe(configHash(plain));
    expect(runId(cnn)).toMatch(/^sgd-cnn-784x256x10-b50-s1-/);
    expect(runId(plain)).toMatch(/^sgd-784x256x10-b50-s1-/);
  });
  it('builds the CNN with [N, 1, 28, 28] input and taps its fully connected sigmoid', () => {
    const s = setupRun({ optimizer: 'sgd', model: { kind: 'cnn' }, data: { train: { start: 0, end: 100 }, test: { start: 0, end: 100 } } }, data);
    expect(s.model.layers[0]).toBeInstanceOf(Conv2d);
    expect(s.exampleShape).toEqual([1, 28, 28]);
    expect(s.taps.test.length).toBe(1);
    s.dispose();
  });
});

describe('runs', () => {
  it('the CNN trains for an epoch on 200 images, evaluates, and measures its sigmoid layer', async () => {
    const out = await runExperiment(
      { optimizer: 'adam', model: { kind: 'cnn' }, epochs: 1, data: { train: { start: 0, end: 200 }, test: { start: 0, end: 100 } } },
      { data },
    );
    const e = out.epochs[0];
    expect(out.diverged).toBeNull();
    expect(e.test_acc).toBeGreaterThan(0.2); // 4 adam steps from 10% chance
    expect(e.layers[0].sparsity_mean).toBeGreaterThan(0);
    expect(Number.isFinite(e.layers[0].selectivity_mean)).toBe(true);
  }, 60_000);
  it('mlp with dropout: deterministic per seed, evaluated in eval mode (the test pass does not depend on masks)', async () => {
    const cfg = { optimizer: 'sgd' as const, hidden: [32], model: { kind: 'mlp' as const, dropout: 0.5 }, epochs: 1, data: { train: { start: 0, end: 300 }, test: { start: 0, end: 100 } } };
    const s = setupRun(cfg, data);
    expect(s.model.layers.map((l) => l.name)).toEqual(['linear0', 'sigmoid0', 'dropout0', 'linear1']);
    expect((s.model.layers[2] as Dropout).p).toBe(0.5);
    const a = s.evaluator.run(), b = s.evaluator.run();
    expect(b).toEqual(a);
    expect(s.model.training).toBe(true); // the mode is put back after the test pass
    s.dispose();
    const r1 = await runExperiment(cfg, { data });
    const r2 = await runExperiment(cfg, { data });
    expect(r2.epochs[0].train_loss).toBe(r1.epochs[0].train_loss);
    const r0 = await runExperiment({ ...cfg, model: { kind: 'mlp', dropout: 0 } }, { data });
    expect(r0.epochs[0].train_loss).not.toBe(r1.epochs[0].train_loss);
  });
});
