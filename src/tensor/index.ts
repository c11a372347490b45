/**
 * sparsity-lab/tensor — float32 strided views, a seeded generator, and gemm.
 *
 * What it is for: the storage and the one matrix-multiply entry point (`gemm` / `sgemm`) that layers,
 * experiments and users share. What it deliberately is not: a general N-d array library with
 * broadcasting and autograd — layers carry their own backward passes.
 *
 * Input policy (README "Input policy"): every exported function checks its arguments' types, shapes,
 * offsets and strides once per call (O(1)) and throws a TypeError/RangeError naming the argument; `gemm`
 * and `sgemm` also require finite alpha and beta. NaN and ±∞ in the data propagate as IEEE arithmetic does
 * (as in PyTorch): the kernels never scan their operands.
 */
export * from './tensor.js';
export * from './random.js';
export * from './memory.js';
export * from './gemm/index.js';
export * from './ops.js';
export type { WasmMemory } from './gemm/wasm/api.js';
