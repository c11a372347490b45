import { allocFloat32 } from '../tensor/memory.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * Reusable [rows, cols] float32 buffers, one per batch size.
 *
 * A layer's output and input-gradient buffers live here: the first call with a batch size allocates (through
 * `allocFloat32`), every later call with that size returns the same Tensor object. Each buffer is exactly
 * rows × cols long with offset 0, so `t.data` holds nothing but the batch. At most `maxSizes` batch sizes
 * are kept (a training batch, an evaluation batch and a smaller last batch fit the default of 4); a new
 * size beyond that drops the oldest.
 */
export class RowBuffers {
  private readonly cache = new Map<number, Tensor>();

  constructor(readonly cols: number, readonly maxSizes = 4) {}

  get(rows: number): Tensor {
    const hit = this.cache.get(rows);
    if (hit !== undefined) return hit;
    if (this.cache.size >= this.maxSizes) this.cache.delete(this.cache.keys().next().value as number);
    const t = new Tensor(allocFloat32(rows * this.cols), [rows, this.cols]);
    this.cache.set(rows, t);
    return t;
  }
}
