/**
 * Feeding a first {@link Linear} layer its batches in block-compressed form (../tensor/gemm/sparse-rows.ts),
 * as the training loop gathers them.
 *
 * The block form of the whole training set is built once (one pass over the images, ~60 blocks per MNIST
 * image, cached per images array so the runs of a sweep share it) and each batch is gathered from it — a
 * copy of ~60 blocks per image instead of 784 floats — into a batch-sized form in the run's allocator
 * (the WebAssembly heap under `useWasmMemory`, where the SIMD kernel reads it in place; the gather is then one
 * WebAssembly call from a copy of the dataset's form in that heap). The training loop
 * gathers only that form (`gatherOnly`): the first layer densifies it itself if a batch takes the dense path.
 */
import type { Dataset } from '../data/dataset.js';
import { SPARSE_AUTO_MAX_DENSITY, gatherBlocks, sparseInputMode, sparseWasmExports } from '../tensor/gemm/sparse.js';
import { SPARSE_BLOCK, SparseRows } from '../tensor/gemm/sparse-rows.js';
import { setFloat32Allocator, wasmHeap } from '../tensor/memory.js';
import type { Tensor } from '../tensor/tensor.js';
import { Linear } from './linear.js';
import type { Sequential } from './sequential.js';

const forms = new WeakMap<Float32Array, { maxDensity: number; rows: SparseRows | null }>();

/**
 * The block form of all of `ds`'s images (on the JS heap), or null when their block density exceeds
 * `maxDensity` or the feature count is not a multiple of 4. Cached per `ds.images` array.
 */
export function datasetBlockForm(ds: Dataset, maxDensity = SPARSE_AUTO_MAX_DENSITY): SparseRows | null {
  const hit = forms.get(ds.images);
  if (hit && hit.maxDensity === maxDensity) return hit.rows;
  let rows: SparseRows | null = null;
  if (ds.features % SPARSE_BLOCK === 0 && ds.count > 0) {
    const blocks = SparseRows.countBlocks(ds.images, ds.count, ds.features);
    if (blocks <= maxDensity * ds.count * (ds.features / SPARSE_BLOCK)) {
      const previous = setFloat32Allocator(null); // a dataset-sized form belongs on the JS heap
      try {
        rows = SparseRows.fromDense(ds.images, ds.count, ds.features);
      } finally {
        setFloat32Allocator(previous);
      }
    }
  }
  forms.set(ds.images, { maxDensity, rows });
  return rows;
}

export class SparseInputFeed {
  private readonly batch: SparseRows;
  /** The dataset's form the batches are gathered from: a copy in the WebAssembly heap when the batch lives there. */
  private readonly all: SparseRows;
  private readonly ownsAll: boolean;

  private constructor(private readonly layer: Linear, all: SparseRows, batchSize: number) {
    this.batch = new SparseRows(all.features, batchSize);
    // A batch in the WebAssembly heap is gathered by one WebAssembly call (gatherBlocks) from a copy of the
    // dataset's form there (~64 MB for MNIST's training set; ~20 ms to copy, freed with the feed) — only
    // in a growable (shared) heap: the fixed 128 MiB one of a page that is not cross-origin isolated keeps
    // its room, and the JS loop gathers there.
    this.ownsAll = sparseWasmExports() !== null && wasmHeap().shared && wasmHeap().addressOf(this.batch.values) >= 0;
    this.all = this.ownsAll ? SparseRows.copyOf(all) : all;
  }

  /**
   * A feed for `model`'s first layer when it is a {@link Linear} and the sparse-input mode and the data
   * allow it ('dense': never; 'auto': when the training images' block density is at most
   * SPARSE_AUTO_MAX_DENSITY; 'sparse': always); otherwise null (train densely).
   */
  static forModel(model: Sequential, train: Dataset, batchSize: number): SparseInputFeed | null {
    const mode = sparseInputMode();
    const first = model.layers[0];
    if (mode === 'dense' || !(first instanceof Linear) || first.inFeatures !== train.features) return null;
    const all = datasetBlockForm(train, mode === 'sparse' ? 1 : SPARSE_AUTO_MAX_DENSITY);
    return all === null ? null : new SparseInputFeed(first, all, batchSize);
  }

  /**
   * Gather the block form of images `order[start]` … `order[start + rows − 1]` — the rows just copied
   * densely into `x` — and offer it to the first layer for the forward on `x`. Allocates nothing.
   */
  gather(order: ArrayLike<number>, start: number, rows: number, x: Tensor): void {
    gatherBlocks(this.batch, this.all, order, start, rows);
    this.layer.setSparseInput(x, this.batch);
  }

  /**
   * As {@link gather}, for a loop that has *not* copied the rows into `x`: the first layer's sparse
   * forward never reads `x`, and a dense one (a batch too dense for the sparse path) first writes the rows
   * into it from the block form. Saves the dense copy (784 floats per MNIST image) on every sparse step.
   * Only the first layer may read `x` then (the runner's case: nothing else sees the input).
   */
  gatherOnly(order: ArrayLike<number>, start: number, rows: number, x: Tensor): void {
    gatherBlocks(this.batch, this.all, order, start, rows);
    this.layer.setSparseInput(x, this.batch, false);
  }

  /** Withdraw the form from the layer and free the batch buffers (idempotent). */
  dispose(): void {
    if (this.batch.disposed) return;
    if (!this.layer.disposed) this.layer.setSparseInput(null, null);
    this.batch.dispose();
    if (this.ownsAll) this.all.dispose();
  }
}
