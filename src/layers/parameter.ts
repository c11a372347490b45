import { describeShape, describeValue } from '../tensor/describe.js';
import { allocFloat32, freeFloat32 } from '../tensor/memory.js';
import type { GradColumns } from '../tensor/gemm/grad-columns.js';
import { shapeString, sizeOf } from '../tensor/tensor.js';

/**
 * A trainable tensor: values in `data`, the accumulated gradient in `grad` (same length), both float32.
 * This is the whole contract the optimizers need; any `{ data, grad }` pair of Float32Arrays works.
 */
export class Parameter {
  readonly data: Float32Array;
  readonly grad: Float32Array;
  readonly shape: readonly number[];
  private paramName: string;
  private released = false;
  /**
   * The gradient's possibly non-zero columns, when a layer tracks them (a first Linear on the sparse-input
   * path); null otherwise. `zeroGrad` then clears only those, and SGD / Adagrad step only those where that
   * is exact. Code writing into `grad` by hand while it is set must set its `all` to true.
   */
  gradColumns: GradColumns | null = null;

  constructor(name: string, shape: readonly number[]) {
    if (typeof name !== 'string') throw new TypeError(`Parameter: name must be a string, got ${describeValue(name)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new RangeError(`Parameter ${name}: shape must be an array of non-negative integers, got ${describeShape(shape)}`);
    }
    this.paramName = name;
    this.shape = shape.slice();
    this.data = allocFloat32(sizeOf(shape));
    this.grad = allocFloat32(sizeOf(shape));
  }

  /** e.g. 'linear0.weight' (the layer's name, a dot, the role). */
  get name(): string {
    return this.paramName;
  }

  /** Used by a layer when a container (Sequential) renames it. */
  rename(name: string): void {
    this.paramName = name;
  }

  get size(): number {
    return this.data.length;
  }

  /** True once {@link dispose} has run. */
  get disposed(): boolean {
    return this.released;
  }

  /**
   * Return `data` and `grad` to their allocator (`freeFloat32`: reusable WebAssembly heap blocks, nothing
   * on the JS heap). Idempotent — a second call does not free blocks someone else may hold by then. The
   * arrays must not be used afterwards.
   */
  dispose(): void {
    if (this.released) return;
    this.released = true;
    this.gradColumns?.dispose();
    this.gradColumns = null;
    freeFloat32(this.data);
    freeFloat32(this.grad);
  }

  zeroGrad(): void {
    const gc = this.gradColumns;
    if (gc !== null) gc.zero(this.grad);
    else this.grad.fill(0);
  }

  /**
   * Copy values in (e.g. weights exported from PyTorch, in PyTorch's row-major layout); the length must match
   * and every value must be finite. Nothing is written unless all values pass.
   */
  assign(values: ArrayLike<number>): this {
    if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
      throw new TypeError(`Parameter ${this.name}: values must be an array or typed array of ${this.data.length} numbers, got ${describeValue(values)}`);
    }
    if (values.length !== this.data.length) {
      throw new RangeError(`Parameter ${this.name}: expected ${this.data.length} values for shape ${shapeString(this.shape)}, got ${values.length}`);
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new RangeError(`Parameter ${this.name}: value ${i} must be a finite number, got ${describeValue(v)}`);
      }
    }
    for (let i = 0; i < values.length; i++) this.data[i] = values[i];
    return this;
  }
}
