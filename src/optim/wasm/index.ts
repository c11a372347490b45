/**
 * sparsity-lab/optim/wasm — WebAssembly SIMD kernels for the optimizer steps.
 *
 * What it is for: running SGD, Adagrad, Adadelta, Adam, AdamW and RMSprop updates at memory speed when
 * the parameters, gradients and optimizer state live in WebAssembly memory (`useWasmMemory()` in
 * src/tensor/memory.ts, before the model and the optimizer are built). The optimizer classes dispatch
 * here by themselves; nothing needs to be called. The kernels are generated at run time by the typed
 * emitter in src/tensor/gemm/wasm (no binaries, no eval), from element-wise bodies written once
 * (./kernels.ts) in PyTorch's rounding order, and give the same bits as the pure JavaScript step
 * functions, which remain the specification.
 *
 * What it deliberately does not do: copy arrays in or out (arrays on the JS heap keep the JavaScript
 * path; copying would cost more than the update), use threads, or change a single bit of any result.
 */
export { adadeltaStepWasm, adagradStepWasm, adamUpdateWasm, rmspropStepWasm, sgdStepWasm } from './steps.js';
export { buildOptimModule, familyKernels, heapAddress, kernelStats, optimKernelMode, setOptimKernelMode } from './runtime.js';
export type { FusedMode } from './lower.js';
