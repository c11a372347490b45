/**
 * The optimizer kinds a run configuration may name: one descriptor each — its options with their
 * defaults and PyTorch's ranges, and how to build it over a model's parameters. Defaults are the
 * dissertation's settings (PROTOCOL §1) for the four it studies (Adagrad's lr 0.1 is ten times PyTorch's
 * default) and PyTorch 1.13's for the rest. Option names are PyTorch's in camelCase, handed unchanged to
 * the classes of src/optim, which check the values again with PyTorch's own messages.
 *
 * To add an optimizer: one more `optimizers.register({...})` below — validation, `--optimizers`, its
 * flags, the JSON Schema and the dry-run pick it up from here.
 */
import { Adadelta, AdadeltaK, Adagrad, AdagradK, Adam, AdamW, RMSprop, SGD } from '../../optim/index.js';
import { Registry, type Named } from '../registry.js';
import type { OptionSchemas } from './options.js';

/** What the runner needs from an optimizer. */
export interface Optimizer {
  step(): void;
  zeroGrad(): void;
}

export interface ParamLike {
  data: Float32Array;
  grad: Float32Array;
}

export interface OptimizerKind extends Named {
  options: OptionSchemas;
  /** Construct it; `options` are complete and checked against `options`' schemas. */
  build(params: ParamLike[], options: Record<string, unknown>): Optimizer;
}

// Shared option schemas (PyTorch's names and ranges; each optimizer's default set where it differs).
const lr = (d: number) => ({ type: 'number', default: d, min: 0, doc: 'learning rate', flag: '--lr' }) as const;
const weightDecay = (d = 0) => ({ type: 'number', default: d, min: 0, doc: 'L2 penalty added to the gradient (decoupled for adamw)', flag: '--weight-decay' }) as const;
const eps = (d: number) => ({ type: 'number', default: d, min: 0, doc: "the optimizer's epsilon (--eps is the CCMAS one)", flag: '--optimizer-eps' }) as const;
const momentum = { type: 'number', default: 0, min: 0, doc: 'momentum factor', flag: '--momentum' } as const;
const betas = { type: 'pair', default: [0.9, 0.999], min: 0, max: 1, doc: 'coefficients of the running averages of the gradient and its square', flag: '--betas' } as const;
const amsgrad = { type: 'boolean', default: false, doc: 'the AMSGrad variant', flag: '--amsgrad' } as const;
const rho = { type: 'number', default: 0.9, min: 0, max: 1, doc: 'running-average coefficient', flag: '--rho' } as const;

type Ctor = new (params: ParamLike[], options: never) => Optimizer;
const via = (C: Ctor) => (params: ParamLike[], options: Record<string, unknown>) => new C(params, options as never);

export const optimizers = new Registry<OptimizerKind>('optimizer');

optimizers
  .register({
    name: 'sgd',
    doc: 'stochastic gradient descent, torch.optim.SGD (dissertation lr 0.1)',
    options: {
      lr: lr(0.1),
      momentum,
      dampening: { type: 'number', default: 0, min: 0, doc: 'momentum dampening', flag: '--dampening' },
      nesterov: { type: 'boolean', default: false, doc: 'Nesterov momentum (needs momentum > 0, dampening 0)', flag: '--nesterov' },
      weightDecay: weightDecay(),
    },
    build: via(SGD as unknown as Ctor),
  })
  .register({
    name: 'adagrad',
    doc: 'torch.optim.Adagrad (dissertation lr 0.1, ten times PyTorch’s default)',
    options: {
      lr: lr(0.1),
      lrDecay: { type: 'number', default: 0, min: 0, doc: 'learning-rate decay' },
      weightDecay: weightDecay(),
      initialAccumulatorValue: { type: 'number', default: 0, min: 0, doc: 'starting value of the sum of squares' },
      eps: eps(1e-10),
    },
    build: via(Adagrad as unknown as Ctor),
  })
  .register({
    name: 'adadelta',
    doc: 'torch.optim.Adadelta (lr 1.0, rho 0.9)',
    options: { lr: lr(1.0), rho, eps: eps(1e-6), weightDecay: weightDecay() },
    build: via(Adadelta as unknown as Ctor),
  })
  .register({
    name: 'adam',
    doc: 'torch.optim.Adam (lr 1e-3, betas 0.9, 0.999)',
    options: { lr: lr(1e-3), betas, eps: eps(1e-8), weightDecay: weightDecay(), amsgrad },
    build: via(Adam as unknown as Ctor),
  })
  .register({
    name: 'adamw',
    doc: 'torch.optim.AdamW (decoupled weight decay 1e-2)',
    options: { lr: lr(1e-3), betas, eps: eps(1e-8), weightDecay: weightDecay(1e-2), amsgrad },
    build: via(AdamW as unknown as Ctor),
  })
  .register({
    name: 'rmsprop',
    doc: 'torch.optim.RMSprop (lr 1e-2, alpha 0.99)',
    options: {
      lr: lr(1e-2),
      alpha: { type: 'number', default: 0.99, min: 0, doc: 'smoothing constant' },
      eps: eps(1e-8),
      weightDecay: weightDecay(),
      momentum,
      centered: { type: 'boolean', default: false, doc: 'normalise by the estimated variance of the gradient' },
    },
    build: via(RMSprop as unknown as Ctor),
  })
  .register({
    name: 'adagradk',
    doc: 'EXPERIMENTAL Adagrad with a k·G² factor (dissertation eq. 6.1; never run there, defaults ours)',
    options: {
      lr: lr(1e-2),
      k: { type: 'number', default: 1, min: 0, doc: 'the factor k on G²' },
      eps: eps(1e-10),
      initialAccumulatorValue: { type: 'number', default: 0, min: 0, doc: 'starting value of G' },
      weightDecay: weightDecay(),
    },
    build: via(AdagradK as unknown as Ctor),
  })
  .register({
    name: 'adadeltak',
    doc: 'EXPERIMENTAL Adadelta with a k·(E[g²])² factor (dissertation eq. 6.2; never run there, defaults ours)',
    options: { lr: lr(1.0), rho, eps: eps(1e-6), k: { type: 'number', default: 1, min: 0, doc: 'the factor k on (E[g²])²' }, weightDecay: weightDecay() },
    build: via(AdadeltaK as unknown as Ctor),
  });
