/**
 * Optimizer config → instance, through the optimizer registry (src/experiments/kinds/optimizers.ts): a
 * normalised {@link OptimizerConfig} names a registered kind and states all its options (PyTorch's names in
 * camelCase), which are passed through unchanged to the kind's class in src/optim.
 */
import { ConfigError, type OptimizerConfig } from './config.js';
import { optimizers, type Optimizer, type ParamLike } from './kinds/optimizers.js';

export type { Optimizer, ParamLike } from './kinds/optimizers.js';

/** The options of `config` without its name, as the optimizer class takes them. */
export function optimizerOptions(config: OptimizerConfig): Record<string, unknown> {
  const { name: _name, ...options } = config;
  return options;
}

export function createOptimizer(config: OptimizerConfig, params: ParamLike[]): Optimizer {
  const kind = optimizers.find(config.name);
  if (!kind) throw new Error(`createOptimizer: ${optimizers.unknownMessage(config.name)}`);
  return kind.build(params, optimizerOptions(config));
}

/**
 * Let the optimizer class check the option values (ranges such as 0 ≤ rho ≤ 1, with PyTorch's messages)
 * without a model: construct it over a one-element dummy parameter. Throws a {@link ConfigError}.
 */
export function checkOptimizerConfig(config: OptimizerConfig): void {
  try {
    createOptimizer(config, [{ data: new Float32Array(1), grad: new Float32Array(1) }]);
  } catch (e) {
    throw new ConfigError([`optimizer (${config.name}): ${(e as Error).message}`]);
  }
}
