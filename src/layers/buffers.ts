import { describeValue } from '../tensor/describe.js';
import { allocFloat32, freeFloat32 } from '../tensor/memory.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * Reusable [rows, cols] float32 buffers, one per batch size.
 *
 * A layer's output and input-gradient buffers live here: the first call with a batch size allocates (through
 * `allocFloat32`), every later call with that size returns the same Tensor object. Each buffer is exactly
 * rows × cols long with offset 0, so `t.data` holds nothing but the batch. At most `maxSizes` batch sizes
 * are kept (a training batch, an evaluation batch and a smaller last batch fit the default of 4); a new
 * size beyond that frees the first one cached (`freeFloat32`), so a Tensor handed out for that size must
 * no longer be in use — layers only read the buffers of their latest forward, and a size is dropped only
 * when a forward with a new size starts.
 */
export class RowBuffers {
  private readonly cache = new Map<number, Tensor>();

  constructor(readonly cols: number, readonly maxSizes = 4) {}

  get(rows: number): Tensor {
    const hit = this.cache.get(rows);
    if (hit !== undefined) return hit;
    // Checked on a miss only: the hot path (a cached batch size) stays a Map lookup.
    if (!Number.isSafeInteger(rows) || rows < 0) throw new RangeError(`RowBuffers.get: rows must be a non-negative integer, got ${describeValue(rows)}`);
    if (this.cache.size >= this.maxSizes) {
      const oldest = this.cache.keys().next().value as number;
      freeFloat32(this.cache.get(oldest)!.data);
      this.cache.delete(oldest);
    }
    const t = new Tensor(allocFloat32(rows * this.cols), [rows, this.cols]);
    this.cache.set(rows, t);
    return t;
  }

  /** Free every buffer (`freeFloat32`) and forget them; a later `get` allocates afresh. */
  dispose(): void {
    for (const t of this.cache.values()) freeFloat32(t.data);
    this.cache.clear();
  }
}

/**
 * Reusable float32 buffers of any shape (the N-D counterpart of {@link RowBuffers}): `get(shape)` returns
 * the same contiguous Tensor for every call with an equal shape, allocating (`allocFloat32`) only for a
 * shape not seen before. The lookup compares dims in place, so a hit allocates nothing. At most `maxShapes`
 * shapes are kept (training batch, evaluation batch, a short last batch); a new one beyond that frees the
 * oldest (`freeFloat32`) — as for RowBuffers, a layer only reads the buffers of its latest forward.
 */
export class ShapeBuffers {
  private readonly cache: Tensor[] = [];

  constructor(readonly maxShapes = 4) {}

  get(shape: readonly number[]): Tensor {
    const cache = this.cache;
    for (let i = 0; i < cache.length; i++) {
      const s = cache[i].shape;
      if (s.length !== shape.length) continue;
      let d = 0;
      while (d < s.length && s[d] === shape[d]) d++;
      if (d === s.length) return cache[i];
    }
    if (cache.length >= this.maxShapes) freeFloat32(cache.shift()!.data);
    let n = 1;
    for (let d = 0; d < shape.length; d++) n *= shape[d];
    const t = new Tensor(allocFloat32(n), shape);
    cache.push(t);
    return t;
  }

  /** Free every buffer (`freeFloat32`) and forget them. */
  dispose(): void {
    for (const t of this.cache) freeFloat32(t.data);
    this.cache.length = 0;
  }
}
