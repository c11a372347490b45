/**
 * Optimizer name → instance, with the options of a normalised {@link OptimizerConfig} (whose defaults are
 * the dissertation's settings, see config.ts `OPTIMIZER_DEFAULTS`). The option names are PyTorch's in
 * camelCase, passed through unchanged to the classes of src/optim.
 */
import { Adadelta, Adagrad, Adam, AdamW, RMSprop, SGD } from '../optim/index.js';
import { ConfigError, type OptimizerConfig, type OptimizerName } from './config.js';

/** What the runner needs from an optimizer. */
export interface Optimizer {
  step(): void;
  zeroGrad(): void;
}

export interface ParamLike {
  data: Float32Array;
  grad: Float32Array;
}

type Factory = (params: ParamLike[], options: Record<string, unknown>) => Optimizer;
type OptionsOf<C extends abstract new (...args: never[]) => unknown> = ConstructorParameters<C>[1];

// The option records were checked by normalizeConfig against OPTIMIZER_DEFAULTS (same names, same types);
// the classes check the values again (ranges) and throw naming the option.
const FACTORIES: Record<OptimizerName, Factory> = {
  sgd: (p, o) => new SGD(p, o as OptionsOf<typeof SGD>),
  adagrad: (p, o) => new Adagrad(p, o as OptionsOf<typeof Adagrad>),
  adadelta: (p, o) => new Adadelta(p, o as OptionsOf<typeof Adadelta>),
  adam: (p, o) => new Adam(p, o as OptionsOf<typeof Adam>),
  adamw: (p, o) => new AdamW(p, o as OptionsOf<typeof AdamW>),
  rmsprop: (p, o) => new RMSprop(p, o as OptionsOf<typeof RMSprop>),
};

/** The options of `config` without its name, as the optimizer class takes them. */
export function optimizerOptions(config: OptimizerConfig): Record<string, unknown> {
  const { name: _name, ...options } = config;
  return options;
}

export function createOptimizer(config: OptimizerConfig, params: ParamLike[]): Optimizer {
  const factory = FACTORIES[config.name];
  if (!factory) throw new Error(`createOptimizer: unknown optimizer "${String(config.name)}" (known: ${Object.keys(FACTORIES).join(', ')})`);
  return factory(params, optimizerOptions(config));
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
