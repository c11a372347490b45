/**
 * A small typed WebAssembly assembler: a module with one imported (optionally shared) memory, functions,
 * and exports. Each instruction is a method that appends its encoding; locals are declared by name so the
 * generators read like the loops they emit. No validation beyond what the engine does on compile — the
 * generators are tested by running what they emit against the reference gemm.
 */
import { f32Bytes, name, section, sleb, uleb, vector } from './encoding.js';
import { BLOCK_VOID, Op, SIMD_PREFIX, SimdOp, ValType } from './opcodes.js';

export type Local = { readonly index: number; readonly type: ValType };

/** Emits one function body. Parameters are locals 0…n-1, in declaration order. */
export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly localTypes: ValType[] = [];
  private readonly paramCount: number;
  private readonly named = new Map<string, Local>();

  constructor(readonly params: ReadonlyArray<readonly [string, ValType]>, readonly results: readonly ValType[]) {
    this.paramCount = params.length;
    params.forEach(([n, t], index) => this.named.set(n, { index, type: t }));
  }

  /** The parameter or local called `n`. */
  get(n: string): Local {
    const l = this.named.get(n);
    if (!l) throw new Error(`FunctionBuilder: no local '${n}'`);
    return l;
  }

  /** Declare a new local. */
  local(type: ValType, n?: string): Local {
    const l = { index: this.paramCount + this.localTypes.length, type };
    this.localTypes.push(type);
    if (n !== undefined) {
      if (this.named.has(n)) throw new Error(`FunctionBuilder: local '${n}' declared twice`);
      this.named.set(n, l);
    }
    return l;
  }

  private op(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }
  private simd(sub: number, ...imm: number[]): this {
    return this.op(SIMD_PREFIX, ...uleb(sub), ...imm);
  }
  private memarg(alignLog2: number, offset: number): number[] {
    return [...uleb(alignLog2), ...uleb(offset)];
  }

  // Locals
  lget(l: Local): this { return this.op(Op.localGet, ...uleb(l.index)); }
  lset(l: Local): this { return this.op(Op.localSet, ...uleb(l.index)); }
  ltee(l: Local): this { return this.op(Op.localTee, ...uleb(l.index)); }

  // Control
  block(): this { return this.op(Op.block, BLOCK_VOID); }
  loop(): this { return this.op(Op.loop, BLOCK_VOID); }
  if(): this { return this.op(Op.if, BLOCK_VOID); }
  else(): this { return this.op(Op.else); }
  end(): this { return this.op(Op.end); }
  br(depth: number): this { return this.op(Op.br, ...uleb(depth)); }
  brIf(depth: number): this { return this.op(Op.brIf, ...uleb(depth)); }
  call(fn: number): this { return this.op(Op.call, ...uleb(fn)); }
  return(): this { return this.op(Op.return); }

  // i32 / i64 / f32 scalars
  i32(value: number): this { return this.op(Op.i32Const, ...sleb(value)); }
  i32Add(): this { return this.op(Op.i32Add); }
  i32Sub(): this { return this.op(Op.i32Sub); }
  i32Mul(): this { return this.op(Op.i32Mul); }
  i32Shl(): this { return this.op(Op.i32Shl); }
  i32ShrU(): this { return this.op(Op.i32ShrU); }
  i32And(): this { return this.op(Op.i32And); }
  i32Eqz(): this { return this.op(Op.i32Eqz); }
  i32Eq(): this { return this.op(Op.i32Eq); }
  i32Ne(): this { return this.op(Op.i32Ne); }
  i32LtS(): this { return this.op(Op.i32LtS); }
  i32GtS(): this { return this.op(Op.i32GtS); }
  i32LeS(): this { return this.op(Op.i32LeS); }
  i32GeS(): this { return this.op(Op.i32GeS); }
  // Added for the im2col kernels (./im2col.ts).
  i32DivS(): this { return this.op(Op.i32DivS); }
  i32LtU(): this { return this.op(Op.i32LtU); }
  i32GeU(): this { return this.op(Op.i32GeU); }
  select(): this { return this.op(Op.select); }
  f32(value: number): this { return this.op(Op.f32Const, ...f32Bytes(value)); }
  f32Add(): this { return this.op(Op.f32Add); }
  f32Sub(): this { return this.op(Op.f32Sub); }
  f32Mul(): this { return this.op(Op.f32Mul); }
  f32Div(): this { return this.op(Op.f32Div); }
  f32Neg(): this { return this.op(Op.f32Neg); }
  f32Eq(): this { return this.op(Op.f32Eq); }
  i32Load(offset = 0): this { return this.op(Op.i32Load, ...this.memarg(2, offset)); }
  i32Store(offset = 0): this { return this.op(Op.i32Store, ...this.memarg(2, offset)); }
  f32Load(offset = 0): this { return this.op(Op.f32Load, ...this.memarg(2, offset)); }
  f32Store(offset = 0): this { return this.op(Op.f32Store, ...this.memarg(2, offset)); }
  i64Load(offset = 0): this { return this.op(Op.i64Load, ...this.memarg(2, offset)); }
  i64Store(offset = 0): this { return this.op(Op.i64Store, ...this.memarg(2, offset)); }

  // SIMD
  v128Load(offset = 0): this { return this.simd(SimdOp.v128Load, ...this.memarg(2, offset)); }
  v128Store(offset = 0): this { return this.simd(SimdOp.v128Store, ...this.memarg(2, offset)); }
  v128Load32Splat(offset = 0): this { return this.simd(SimdOp.v128Load32Splat, ...this.memarg(2, offset)); }
  v128Zero(): this { return this.simd(SimdOp.v128Const, ...new Array<number>(16).fill(0)); }
  /** i8x16.shuffle with 32-bit lanes given as lane indices 0…7 (0–3 first operand, 4–7 second). */
  shuffle32(lanes: readonly [number, number, number, number]): this {
    const bytes: number[] = [];
    for (const l of lanes) for (let b = 0; b < 4; b++) bytes.push(l * 4 + b);
    return this.simd(SimdOp.i8x16Shuffle, ...bytes);
  }
  f32x4Splat(): this { return this.simd(SimdOp.f32x4Splat); }
  f32x4ExtractLane(lane: number): this { return this.simd(SimdOp.f32x4ExtractLane, lane); }
  f32x4Add(): this { return this.simd(SimdOp.f32x4Add); }
  f32x4Sub(): this { return this.simd(SimdOp.f32x4Sub); }
  f32x4Mul(): this { return this.simd(SimdOp.f32x4Mul); }
  f32x4Div(): this { return this.simd(SimdOp.f32x4Div); }
  f32x4Neg(): this { return this.simd(SimdOp.f32x4Neg); }
  f32x4Max(): this { return this.simd(SimdOp.f32x4Max); }
  f32x4Ne(): this { return this.simd(SimdOp.f32x4Ne); }
  f32x4Gt(): this { return this.simd(SimdOp.f32x4Gt); }
  f32x4Ge(): this { return this.simd(SimdOp.f32x4Ge); }
  v128Bitselect(): this { return this.simd(SimdOp.v128Bitselect); }
  f32x4Nearest(): this { return this.simd(SimdOp.f32x4Nearest); }
  i32x4Shl(): this { return this.simd(SimdOp.i32x4Shl); }
  i32x4Add(): this { return this.simd(SimdOp.i32x4Add); }
  f32x4Abs(): this { return this.simd(SimdOp.f32x4Abs); }
  i32x4TruncSatF32x4S(): this { return this.simd(SimdOp.i32x4TruncSatF32x4S); }
  i32x4Splat(): this { return this.simd(SimdOp.i32x4Splat); }
  f32x4RelaxedMadd(): this { return this.simd(SimdOp.f32x4RelaxedMadd); }
  // Added for the optimizer kernels (src/optim/wasm).
  /** v128.const with 16 explicit bytes (little-endian lanes). */
  v128Const(bytes: readonly number[]): this {
    if (bytes.length !== 16) throw new RangeError(`v128Const: need 16 bytes, got ${bytes.length}`);
    return this.simd(SimdOp.v128Const, ...bytes);
  }
  i64x2Splat(): this { return this.simd(SimdOp.i64x2Splat); }
  f64x2Splat(): this { return this.simd(SimdOp.f64x2Splat); }
  f32x4Sqrt(): this { return this.simd(SimdOp.f32x4Sqrt); }
  f32x4DemoteF64x2Zero(): this { return this.simd(SimdOp.f32x4DemoteF64x2Zero); }
  f64x2PromoteLowF32x4(): this { return this.simd(SimdOp.f64x2PromoteLowF32x4); }
  f64x2Add(): this { return this.simd(SimdOp.f64x2Add); }
  f64x2Sub(): this { return this.simd(SimdOp.f64x2Sub); }
  f64x2Mul(): this { return this.simd(SimdOp.f64x2Mul); }
  f64x2Abs(): this { return this.simd(SimdOp.f64x2Abs); }
  f64x2Ne(): this { return this.simd(SimdOp.f64x2Ne); }
  f64x2Lt(): this { return this.simd(SimdOp.f64x2Lt); }
  v128And(): this { return this.simd(SimdOp.v128And); }
  v128Or(): this { return this.simd(SimdOp.v128Or); }
  v128Xor(): this { return this.simd(SimdOp.v128Xor); }
  v128AnyTrue(): this { return this.simd(SimdOp.v128AnyTrue); }
  i64x2Add(): this { return this.simd(SimdOp.i64x2Add); }
  i64x2Eq(): this { return this.simd(SimdOp.i64x2Eq); }
  // Added for the ReLU / max-pool kernels (./relu-pool.ts).
  f32x4Eq(): this { return this.simd(SimdOp.f32x4Eq); }
  f32x4Le(): this { return this.simd(SimdOp.f32x4Le); }
  i32x4Eq(): this { return this.simd(SimdOp.i32x4Eq); }
  /** a & ~b (operands pushed a, then b). */
  v128Andnot(): this { return this.simd(SimdOp.v128Andnot); }
  /** Lane-wise signed a < b (all ones where true). */
  i32x4LtS(): this { return this.simd(SimdOp.i32x4LtS); }
  /** Two floats (8 bytes) into lanes 0–1, lanes 2–3 zero. */
  v128Load64Zero(offset = 0): this { return this.simd(SimdOp.v128Load64Zero, ...this.memarg(2, offset)); }

  /** Local declarations + body, as the code section wants it. */
  encode(): number[] {
    const groups: number[][] = [];
    let i = 0;
    while (i < this.localTypes.length) {
      let j = i;
      while (j < this.localTypes.length && this.localTypes[j] === this.localTypes[i]) j++;
      groups.push([...uleb(j - i), this.localTypes[i]]);
      i = j;
    }
    const body = [...vector(groups), ...this.code, Op.end];
    return [...uleb(body.length), ...body];
  }
}

interface FunctionEntry {
  builder: FunctionBuilder;
  exportName?: string;
}

export interface MemoryImport {
  module: string;
  field: string;
  initialPages: number;
  maximumPages: number;
  shared: boolean;
}

/** A module: one imported memory, then defined functions (indices from 0 in declaration order). */
export class ModuleBuilder {
  private readonly functions: FunctionEntry[] = [];
  private readonly names = new Map<string, number>();

  constructor(readonly memory: MemoryImport) {}

  /** Declare a function (its body may be emitted later); returns its index. */
  declare(fnName: string, params: ReadonlyArray<readonly [string, ValType]>, results: readonly ValType[] = [], exported = true): FunctionBuilder {
    if (this.names.has(fnName)) throw new Error(`ModuleBuilder: function '${fnName}' declared twice`);
    const builder = new FunctionBuilder(params, results);
    this.names.set(fnName, this.functions.length);
    this.functions.push({ builder, exportName: exported ? fnName : undefined });
    return builder;
  }

  /** Index of the declared function `fnName` (for `call`). */
  indexOf(fnName: string): number {
    const i = this.names.get(fnName);
    if (i === undefined) throw new Error(`ModuleBuilder: no function '${fnName}'`);
    return i;
  }

  has(fnName: string): boolean {
    return this.names.has(fnName);
  }

  encode(): Uint8Array {
    const types = this.functions.map(({ builder }) => [
      0x60,
      ...vector(builder.params.map(([, t]) => [t])),
      ...vector(builder.results.map((t) => [t])),
    ]);
    const m = this.memory;
    const limits = [m.shared ? 0x03 : 0x01, ...uleb(m.initialPages), ...uleb(m.maximumPages)];
    const imports = vector([[...name(m.module), ...name(m.field), 0x02, ...limits]]);
    const funcs = vector(this.functions.map((_, i) => uleb(i)));
    const exports = vector(
      this.functions.flatMap((f, i) => (f.exportName === undefined ? [] : [[...name(f.exportName), 0x00, ...uleb(i)]])),
    );
    const code = vector(this.functions.map((f) => f.builder.encode()));
    const bytes = [
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, vector(types)),
      ...section(2, imports),
      ...section(3, funcs),
      ...section(7, exports),
      ...section(10, code),
    ];
    return new Uint8Array(bytes);
  }
}

/** `while (cond) body` — `cond` leaves an i32 on the stack. `body` must not branch out of the loop. */
export function whileLoop(f: FunctionBuilder, cond: () => void, body: () => void): void {
  f.block().loop();
  cond();
  f.i32Eqz().brIf(1);
  body();
  f.br(0).end().end();
}

/** `local += delta` (i32), delta a constant or another local. */
export function addTo(f: FunctionBuilder, l: Local, delta: number | Local): void {
  f.lget(l);
  if (typeof delta === 'number') f.i32(delta);
  else f.lget(delta);
  f.i32Add().lset(l);
}
