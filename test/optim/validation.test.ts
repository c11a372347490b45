import { describe, expect, it } from 'vitest';
import { Adadelta, Adagrad, AdadeltaK, AdagradK, Adam, AdamW, RMSprop, SGD } from '../../src/optim/index.js';
import { Parameter } from '../../src/layers/parameter.js';

function param(n = 4): { data: Float32Array; grad: Float32Array | null } {
  return { data: new Float32Array(n).fill(1), grad: new Float32Array(n).fill(0.5) };
}

/** Each case: PyTorch's exact message for the same bad option (torch/optim/*.py, 1.13). */
const CASES: Array<[string, () => unknown, string]> = [
  ['SGD lr', () => new SGD([param()], { lr: -1 }), 'Invalid learning rate: -1'],
  ['SGD momentum', () => new SGD([param()], { lr: 0.1, momentum: -0.5 }), 'Invalid momentum value: -0.5'],
  ['SGD weight decay', () => new SGD([param()], { lr: 0.1, weightDecay: -1e-4 }), 'Invalid weight_decay value: -0.0001'],
  ['SGD nesterov without momentum', () => new SGD([param()], { lr: 0.1, nesterov: true }), 'Nesterov momentum requires a momentum and zero dampening'],
  ['SGD nesterov with dampening', () => new SGD([param()], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), 'Nesterov momentum requires a momentum and zero dampening'],
  ['SGD no lr anywhere', () => new SGD([param()]), "parameter group didn't specify a value of required optimization parameter lr"],
  ['Adagrad lr', () => new Adagrad([param()], { lr: -0.1 }), 'Invalid learning rate: -0.1'],
  ['Adagrad lr decay', () => new Adagrad([param()], { lrDecay: -1 }), 'Invalid lr_decay value: -1'],
  ['Adagrad weight decay', () => new Adagrad([param()], { weightDecay: -1 }), 'Invalid weight_decay value: -1'],
  ['Adagrad initial accumulator', () => new Adagrad([param()], { initialAccumulatorValue: -0.1 }), 'Invalid initial_accumulator_value value: -0.1'],
  ['Adagrad eps', () => new Adagrad([param()], { eps: -1e-10 }), 'Invalid epsilon value: -1e-10'],
  ['Adadelta lr', () => new Adadelta([param()], { lr: -1 }), 'Invalid learning rate: -1'],
  ['Adadelta rho > 1', () => new Adadelta([param()], { rho: 1.5 }), 'Invalid rho value: 1.5'],
  ['Adadelta rho < 0', () => new Adadelta([param()], { rho: -0.1 }), 'Invalid rho value: -0.1'],
  ['Adadelta eps', () => new Adadelta([param()], { eps: -1 }), 'Invalid epsilon value: -1'],
  ['Adadelta weight decay', () => new Adadelta([param()], { weightDecay: -1 }), 'Invalid weight_decay value: -1'],
  ['Adam lr', () => new Adam([param()], { lr: -1 }), 'Invalid learning rate: -1'],
  ['Adam eps', () => new Adam([param()], { eps: -1 }), 'Invalid epsilon value: -1'],
  ['Adam beta1 = 1', () => new Adam([param()], { betas: [1, 0.999] }), 'Invalid beta parameter at index 0: 1'],
  ['Adam beta1 < 0', () => new Adam([param()], { betas: [-0.1, 0.999] }), 'Invalid beta parameter at index 0: -0.1'],
  ['Adam beta2 = 1', () => new Adam([param()], { betas: [0.9, 1] }), 'Invalid beta parameter at index 1: 1'],
  ['Adam weight decay', () => new Adam([param()], { weightDecay: -1 }), 'Invalid weight_decay value: -1'],
  ['AdamW beta2', () => new AdamW([param()], { betas: [0.9, 1.5] }), 'Invalid beta parameter at index 1: 1.5'],
  ['AdamW weight decay', () => new AdamW([param()], { weightDecay: -0.01 }), 'Invalid weight_decay value: -0.01'],
  ['RMSprop lr', () => new RMSprop([param()], { lr: -1 }), 'Invalid learning rate: -1'],
  ['RMSprop eps', () => new RMSprop([param()], { eps: -1 }), 'Invalid epsilon value: -1'],
  ['RMSprop momentum', () => new RMSprop([param()], { momentum: -1 }), 'Invalid momentum value: -1'],
  ['RMSprop weight decay', () => new RMSprop([param()], { weightDecay: -1 }), 'Invalid weight_decay value: -1'],
  ['RMSprop alpha', () => new RMSprop([param()], { alpha: -0.5 }), 'Invalid alpha value: -0.5'],
  ['AdagradK k', () => new AdagradK([param()], { k: -1 }), 'Invalid k value: -1'],
  ['AdadeltaK rho', () => new AdadeltaK([param()], { rho: 2 }), 'Invalid rho value: 2'],
  ['NaN learning rate', () => new Adam([param()], { lr: NaN }), 'Invalid learning rate: NaN'],
  ['empty parameter list', () => new Adam([]), 'optimizer got an empty parameter list'],
];

describe('option validation, with PyTorch\'s wording', () => {
  it.each(CASES)('%s', (_name, make, message) => {
    expect(make).toThrow(message);
  });

  it('accepts the boundaries PyTorch accepts', () => {
    expect(() => new Adadelta([param()], { rho: 0 })).not.toThrow();
    expect(() => new Adadelta([param()], { rho: 1 })).not.toThrow();
    expect(() => new Adam([param()], { betas: [0, 0] })).not.toThrow();
    expect(() => new RMSprop([param()], { alpha: 1 })).not.toThrow();
    expect(() => new SGD([param()], { lr: 0 })).not.toThrow();
    expect(() => new SGD([{ params: [param()], lr: 0.1 }])).not.toThrow(); // lr from the group only
  });

  it('rejects what PyTorch accepts but can only give NaN or an uphill step, saying why', () => {
    expect(() => new Adam([param()], { lr: Infinity })).toThrow('Adam: option lr must be a finite number, got Infinity');
    expect(() => new SGD([param()], { lr: 0.1, momentum: Infinity })).toThrow('SGD: option momentum must be a finite number, got Infinity');
    expect(() => new Adagrad([param()], { eps: Infinity })).toThrow('Adagrad: option eps must be a finite number, got Infinity');
    expect(() => new RMSprop([param()], { weightDecay: Infinity })).toThrow('RMSprop: option weightDecay must be a finite number, got Infinity');
    expect(() => new RMSprop([param()], { alpha: 2 })).toThrow('Invalid alpha value: 2 (must be in [0, 1]: above 1 the average of squares goes negative');
    expect(() => new SGD([param()], { lr: 0.1, momentum: 0.9, dampening: 1.5 })).toThrow('Invalid dampening value: 1.5 (must be ≤ 1');
    const opt = new Adam([param()], { lr: 0.1 });
    expect(() => opt.addParamGroup({ params: [param()], lr: Infinity })).toThrow('Adam: option lr must be a finite number, got Infinity');
    expect(opt.paramGroups.length).toBe(1);
  });

  it('validates every group, not only the defaults', () => {
    const opt = new Adam([param()], { lr: 0.1 });
    expect(() => opt.addParamGroup({ params: [param()], betas: [0.9, 1] })).toThrow('Invalid beta parameter at index 1: 1');
    expect(() => new SGD([{ params: [param()], momentum: 0.9, nesterov: true, dampening: 0.5 }], { lr: 0.1 })).toThrow('Nesterov momentum requires a momentum and zero dampening');
    expect(opt.paramGroups.length).toBe(1);
  });

  it('rejects unknown options, wrong types and malformed betas, naming them', () => {
    expect(() => new Adam([param()], { weight_decay: 0.1 } as never)).toThrow("Adam: unknown option 'weight_decay'");
    expect(() => new SGD([param()], { lr: 0.1, momentun: 0.9 } as never)).toThrow("SGD: unknown option 'momentun'");
    expect(() => new Adam([param()], { lr: '0.1' } as never)).toThrow('Adam: option lr must be a number, got "0.1"');
    expect(() => new Adam([param()], { amsgrad: 1 } as never)).toThrow('Adam: option amsgrad must be a boolean, got 1');
    expect(() => new Adam([param()], { betas: [0.9] } as never)).toThrow('Adam: option betas must be a pair of numbers');
    expect(() => new Adam([{ params: [param()], momentum: 0.9 } as never])).toThrow("Adam: param group 0 has unknown option 'momentum'");
  });
});

describe('parameters and groups', () => {
  it('rejects non-parameters, sets, duplicates and parameters in two groups', () => {
    expect(() => new Adam([{ data: [1, 2] } as never])).toThrow(/Adam: params\[0\] must be a parameter \(an object with a Float32Array 'data'\) or a param group/);
    expect(() => new Adam([param(), { data: [1] }] as never)).toThrow(/param group 0: params\[1\] must be an object with a Float32Array 'data'/);
    expect(() => new Adam(new Float32Array(3) as never)).toThrow('Adam: params[0] must be a parameter (an object with a Float32Array \'data\') or a param group ({ params, ...options }), got 0');
    expect(() => new Adam(param() as never)).toThrow('Adam: params must be an iterable of parameters or of parameter groups, got an object (Object)');
    expect(() => new Adam([{ params: new Set([param()]) }])).toThrow(/ordered collections/);
    const p = param();
    expect(() => new Adam([p, p])).toThrow('Adam: param group 0 lists params[1] more than once');
    const opt = new Adam([p]);
    expect(() => opt.addParamGroup({ params: [p] })).toThrow('some parameters appear in more than one parameter group');
    expect(opt.paramGroups.length).toBe(1);
  });

  it('takes the library\'s Parameter, a single parameter per group, and any iterable', () => {
    const w = new Parameter('w', [3, 2]);
    w.assign([1, 2, 3, 4, 5, 6]);
    w.grad.fill(1);
    const opt = new SGD(new Set([w]).values(), { lr: 0.5 });
    opt.step();
    expect(Array.from(w.data)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    const b = new Parameter('b', [2]);
    opt.addParamGroup({ params: b, lr: 1 });
    expect(opt.paramGroups[1].params).toEqual([b]);
    expect(opt.paramGroups[1].momentum).toBe(0); // missing options come from the defaults
  });

  it('a bad gradient throws before any parameter moves', () => {
    const a = param(4);
    const b = param(3);
    const opt = new Adam([a, b], { lr: 0.1 });
    b.grad = new Float32Array(2);
    expect(() => opt.step()).toThrow('Adam.step: parameter 1 has 3 values but its grad has 2');
    expect(Array.from(a.data)).toEqual([1, 1, 1, 1]);
    expect(opt.state.size).toBe(0);
    b.grad = [1, 2, 3] as never;
    expect(() => opt.step()).toThrow(/parameter 1 has a grad that is not a Float32Array/);
  });

  it('skips parameters without a gradient, leaving their state untouched (as PyTorch skips grad None)', () => {
    const a = param(2);
    const b: { data: Float32Array; grad?: Float32Array | null } = param(2);
    const opt = new Adam([a, b], { lr: 0.1 });
    b.grad = null;
    opt.step();
    expect(Array.from(b.data)).toEqual([1, 1]);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.get(a)!.step).toBe(1);
    b.grad = undefined;
    opt.step();
    expect(opt.state.get(a)!.step).toBe(2);
    expect(opt.state.has(b)).toBe(false);
  });

  it('zeroGrad zero-fills every gradient (PyTorch 1.13 default set_to_none=False) and skips null ones', () => {
    const a = param(3);
    const b = { data: new Float32Array(2), grad: null };
    const opt = new RMSprop([a, b]);
    opt.zeroGrad();
    expect(Array.from(a.grad!)).toEqual([0, 0, 0]);
    expect(b.grad).toBeNull();
  });

  it('step(closure) runs the closure first and returns its loss', () => {
    const a = param(1);
    const opt = new SGD([a], { lr: 1 });
    const loss = opt.step(() => {
      a.grad!.fill(2);
      return 42;
    });
    expect(loss).toBe(42);
    expect(a.data[0]).toBe(-1);
  });

  it('pure step functions reject buffers of the wrong size', async () => {
    const { adamStep, sgdStep, rmspropStep, adagradStep, adadeltaStep } = await import('../../src/optim/index.js');
    const p = new Float32Array(3);
    const g = new Float32Array(3);
    const o = { lr: 0.1, betas: [0.9, 0.999] as const, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
    expect(() => adamStep(p, g, { exp_avg: new Float32Array(3), exp_avg_sq: new Float32Array(2) }, o, 1)).toThrow('adamStep: state.exp_avg_sq has 2 values, param has 3');
    expect(() => adamStep(p, new Float32Array(4), { exp_avg: new Float32Array(3), exp_avg_sq: new Float32Array(3) }, o, 1)).toThrow('adamStep: grad has 4 values, param has 3');
    expect(() => adamStep(p, g, { exp_avg: new Float32Array(3), exp_avg_sq: new Float32Array(3) }, { ...o, amsgrad: true }, 1)).toThrow(/amsgrad needs state.max_exp_avg_sq/);
    expect(() => sgdStep(p, g, { momentum_buffer: null }, { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, 1)).toThrow(/needs state.momentum_buffer/);
    expect(() => rmspropStep(p, g, { square_avg: new Float32Array(3) }, { lr: 0.1, alpha: 0.9, eps: 1e-8, weightDecay: 0, momentum: 0, centered: true, maximize: false }, 1)).toThrow(/centered needs state.grad_avg/);
    expect(() => adagradStep(p, g, { sum: new Float32Array(1) }, { lr: 0.1, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false }, 1)).toThrow('adagradStep: state.sum has 1 values, param has 3');
    expect(() => adadeltaStep(p, g, { square_avg: new Float32Array(3), acc_delta: new Float32Array(5) }, { lr: 1, rho: 0.9, eps: 1e-6, weightDecay: 0, maximize: false }, 1)).toThrow('adadeltaStep: state.acc_delta has 5 values, param has 3');
    expect(Array.from(p)).toEqual([0, 0, 0]);
  });
});
