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
 * invalid ones throw PyTorch's messages ("Invalid learning rate: -1"); beyond PyTorch, every number option
 * must be finite and values that can only give NaN or an uphill step are rejected (RMSprop alpha > 1, SGD
 * dampening > 1, loaded state with non-finite buffers or negative second moments, negative or non-finite
 * scheduler factors) — see README "Input policy". State dicts have PyTorch's layout
 * and names (`momentum_buffer`, `sum`, `square_avg`, `acc_delta`, `exp_avg`, `exp_avg_sq`,
 * `max_exp_avg_sq`, `grad_avg`, `step`; `param_groups` options in snake_case), are plain JSON, and a
 * PyTorch `state_dict()` exported to JSON loads. Saving and loading mid-training continues bit-identically.
 *
 * Arithmetic follows PyTorch's single-tensor code path (`foreach=False`) in float32, operation by operation,
 * including where PyTorch's CPU kernels fuse a multiply-add (`add_(x, alpha)`, `addcmul_`: one rounding,
 * reproduced exactly by `fma32` — not by double arithmetic, which rounds twice in rare halfway cases);
 * hyper-parameters stay doubles and are rounded to float32 only where PyTorch's kernels round them. Against
 * PyTorch 1.13 fixtures the results are bit-identical (test/optim; the ordinary fixtures allow 1e-5
 * relative, the crafted double-rounding fixture nothing).
 *
 * Speed: the same steps exist as WebAssembly SIMD kernels (./wasm), generated at run time. `step()` uses
 * them for every parameter whose value, gradient and state all live in WebAssembly memory — call
 * `useWasmMemory()` (src/tensor/memory.ts) before building the model and the optimizer — and the
 * JavaScript step functions otherwise; both give the same bits. Optimizer state is allocated with
 * `allocFloat32` (when a parameter first gets a gradient, so under the allocator active then), and
 * `dispose()` frees it, as WebAssembly memory is not garbage-collected.
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
export { fma32 } from './fused.js';
export * from './sgd.js';
export * from './adagrad.js';
export { setSkipZeroGradients, skippingZeroGradients } from './skip-zero.js';
export * from './adadelta.js';
export * from './adam.js';
export * from './adamw.js';
export * from './rmsprop.js';
export * from './lr-scheduler.js';
export * from './clip-grad.js';
export * from './experimental/index.js';
