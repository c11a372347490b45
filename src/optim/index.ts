/**
 * sparsity-lab/optim — optimizers whose every step equals PyTorch's.
 *
 * What it is for: SGD (momentum, dampening, Nesterov), Adagrad, Adadelta, Adam (AMSGrad), AdamW and
 * RMSprop (alpha, centered, momentum) that reproduce `torch.optim` 1.13 on CPU step for step, so update
 * rules can be unit-tested against PyTorch. Each optimizer is two things in one file:
 *
 * - a pure step function over Float32Arrays — `adamStep(param, grad, state, options, step)` — which is the
 *   specification, allocates nothing and can be imported on its own;
 * - a class named as in PyTorch (`Adam`, …) taking parameters (`{ data: Float32Array, grad }` objects such
 *   as the library's `Parameter`) or parameter groups with per-group options, with `step()`, `zeroGrad()`,
 *   `addParamGroup()` and `stateDict()` / `loadStateDict()`.
 *
 * Options are PyTorch's names in camelCase with PyTorch's defaults (lr, momentum, dampening, nesterov,
 * weightDecay, maximize, lrDecay, initialAccumulatorValue, eps, rho, betas, amsgrad, alpha, centered), and
 * invalid ones throw PyTorch's messages ("Invalid learning rate: -1"). State dicts have PyTorch's layout
 * and names (`momentum_buffer`, `sum`, `square_avg`, `acc_delta`, `exp_avg`, `exp_avg_sq`,
 * `max_exp_avg_sq`, `grad_avg`, `step`; `param_groups` options in snake_case), are plain JSON, and a
 * PyTorch `state_dict()` exported to JSON loads. Saving and loading mid-training continues bit-identically.
 *
 * Arithmetic follows PyTorch's single-tensor code path (`foreach=False`) in float32, operation by operation,
 * including where PyTorch's CPU kernels fuse a multiply-add; hyper-parameters stay doubles and are rounded
 * to float32 only where PyTorch's kernels round them. Against PyTorch 1.13 fixtures the results are
 * bit-identical (test/optim; the tests allow 1e-5 relative).
 *
 * Also here: learning-rate schedules (StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR),
 * `clipGradNorm` (`clip_grad_norm_`), and, clearly marked EXPERIMENTAL, the two optimizers the dissertation
 * proposes but never ran (eq. 6.1 and 6.2: `AdagradK`, `AdadeltaK`).
 *
 * What it deliberately does not do: sparse gradients, complex parameters, closures that need autograd,
 * `foreach`/fused multi-tensor kernels (the single-tensor path is the specification), `set_to_none`
 * (gradients here are preallocated arrays, so `zeroGrad` zero-fills as PyTorch 1.13 does by default), and
 * optimizers PyTorch has but the project does not use (Adamax, NAdam, RAdam, ASGD, Rprop, LBFGS).
 */
export * from './optimizer.js';
export * from './state-dict.js';
export { check, checkCommon, checkLength, checkTypes } from './checks.js';
export * from './sgd.js';
export * from './adagrad.js';
export * from './adadelta.js';
export * from './adam.js';
export * from './adamw.js';
export * from './rmsprop.js';
export * from './lr-scheduler.js';
export * from './clip-grad.js';
export * from './experimental/index.js';
