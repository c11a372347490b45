import { describe, expect, it } from 'vitest';
import { ConfigError, normalizeConfig, OPTIMIZER_NAMES } from '../../src/experiments/config.js';
import { checkOptimizerConfig, createOptimizer } from '../../src/experiments/optimizers.js';
import { Adadelta, Adagrad, Adam, AdamW, RMSprop, SGD } from '../../src/optim/index.js';

const param = () => ({ data: Float32Array.from([1, -2]), grad: Float32Array.from([0.5, 0.25]) });

describe('createOptimizer', () => {
  it('builds each class with the configuration’s options (the dissertation’s settings by default)', () => {
    const classes: Record<string, unknown> = { sgd: SGD, adagrad: Adagrad, adadelta: Adadelta, adam: Adam, adamw: AdamW, rmsprop: RMSprop };
    expect(OPTIMIZER_NAMES).toEqual(expect.arrayContaining(Object.keys(classes)));
    for (const name of Object.keys(classes)) {
      const config = normalizeConfig({ optimizer: name }).optimizer;
      const opt = createOptimizer(config, [param()]);
      expect(opt).toBeInstanceOf(classes[name]);
      const { name: _n, ...options } = config;
      expect((opt as SGD).paramGroups[0]).toMatchObject(options);
    }
    expect((createOptimizer(normalizeConfig({ optimizer: 'adagrad' }).optimizer, [param()]) as Adagrad).paramGroups[0].lr).toBe(0.1);
  });

  it('steps: SGD lr 0.1 moves p by −0.1·g (hand-derived)', () => {
    const p = param();
    createOptimizer(normalizeConfig({ optimizer: 'sgd' }).optimizer, [p]).step();
    // 1 − 0.1·0.5 = 0.95; −2 − 0.1·0.25 = −2.025 (in float32)
    expect(Array.from(p.data)).toEqual([Math.fround(0.95), Math.fround(-2.025)]);
  });

  it('lets the class check option ranges up front, as a ConfigError', () => {
    const bad = { ...normalizeConfig({ optimizer: 'adadelta' }).optimizer, rho: 2 }; // past normalizeConfig's own range check
    expect(() => checkOptimizerConfig(bad)).toThrow(ConfigError);
    expect(() => checkOptimizerConfig(bad)).toThrow(/optimizer \(adadelta\): .*Invalid rho value: 2/);
    expect(() => checkOptimizerConfig(normalizeConfig({ optimizer: 'adam' }).optimizer)).not.toThrow();
  });
});
