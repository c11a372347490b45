/**
 * The opcodes the gemm code generator emits (WebAssembly Core Specification §5.4, the fixed-width SIMD
 * proposal and the relaxed-SIMD proposal). SIMD instructions are the prefix 0xfd followed by a LEB128
 * sub-opcode.
 */
export const ValType = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  f32Load: 0x2a,
  i32Store: 0x36,
  i64Store: 0x37,
  f32Store: 0x38,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32LeS: 0x4c,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  f32Eq: 0x5b,
  f32Ne: 0x5c,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32DivS: 0x6d,
  i32And: 0x71,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  i32ShrS: 0x75,
  f32Neg: 0x8c,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32Div: 0x95,
} as const;

/** Sub-opcodes after the 0xfd SIMD prefix. */
export const SimdOp = {
  v128Load: 0x00,
  v128Load32Splat: 0x09,
  v128Store: 0x0b,
  v128Const: 0x0c,
  i8x16Shuffle: 0x0d,
  f32x4Splat: 0x13,
  f32x4ExtractLane: 0x1f,
  v128Load32Zero: 0x5c,
  v128Load64Zero: 0x5d,
  v128Store32Lane: 0x5a,
  v128Store64Lane: 0x5b,
  f32x4Neg: 0xe1,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Max: 0xe9,
  /** Relaxed SIMD: a·b + c, fused or not at the engine's choice (fused on x64 with FMA3). */
  f32x4RelaxedMadd: 0x105,
  // Added for the optimizer kernels (src/optim/wasm): f64x2 arithmetic, conversions, comparisons, bitwise.
  i64x2Splat: 0x12,
  f64x2Splat: 0x14,
  f64x2Ne: 0x48,
  f64x2Lt: 0x49,
  v128And: 0x4e,
  v128Or: 0x50,
  v128Xor: 0x51,
  v128AnyTrue: 0x53,
  f32x4DemoteF64x2Zero: 0x5e,
  f64x2PromoteLowF32x4: 0x5f,
  i64x2Add: 0xce,
  i64x2Eq: 0xd6,
  f32x4Sqrt: 0xe3,
  f64x2Abs: 0xec,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  // Added for the sigmoid kernel (./sigmoid.ts): exp's range reduction and 2^n by exponent bits.
  f32x4Ne: 0x42,
  f32x4Gt: 0x44,
  f32x4Ge: 0x46,
  v128Bitselect: 0x52,
  f32x4Nearest: 0x6a,
  i32x4Shl: 0xab,
  i32x4Add: 0xae,
  f32x4Abs: 0xe0,
  i32x4Splat: 0x11,
  i32x4TruncSatF32x4S: 0xf8,
  // Added for the ReLU / max-pool kernels (./relu-pool.ts): masks by comparison, bitwise clear.
  f32x4Eq: 0x41,
  f32x4Le: 0x45,
  i32x4Eq: 0x37,
  v128Andnot: 0x4f,
  // Added for the lazy decay kernel (src/optim/wasm/lazy-decay.ts): per-lane pending counts.
  i32x4LtS: 0x39,
} as const;

export const SIMD_PREFIX = 0xfd;

/** Block type "no result". */
export const BLOCK_VOID = 0x40;
