/**
 * A batch of input rows in block-compressed form: each row keeps only its non-zero blocks of
 * {@link SPARSE_BLOCK} consecutive features (a "BSR 1×4" matrix). MNIST's pixels are 81 % exact zeros
 * and the non-zero ones come in strokes, so an image keeps ~60 of its 196 blocks.
 *
 *   row r holds blocks rowStart[r] … rowStart[r+1]−1; block b covers features blockFeature[b] … +3
 *   (a multiple of 4) with the values values[4b … 4b+3] (zeros inside a kept block are stored as zeros).
 *
 * Why blocks of 4 features and not single non-zeros (CSR): the layers keep PyTorch's weight layout
 * [out, in], so the four weights W[j, k … k+3] of a block are one contiguous 16-byte SIMD load; a CSR
 * entry would need a strided gather per output. The padding zeros cost ~1.6× the multiply-adds of CSR,
 * far less than transposing the weights after every optimizer step would.
 *
 * Storage: the three arrays come from `allocFloat32` (the WebAssembly heap after `useWasmMemory()`, so the
 * SIMD kernel reads them in place); the two index arrays are Int32Array views of float32 blocks.
 * `features` must be a multiple of 4 (a row's last block never reaches past the row).
 */
import { allocFloat32, freeFloat32, getFloat32Allocator, setFloat32Allocator, type Float32Allocator } from '../memory.js';

/** Features per stored block. */
export const SPARSE_BLOCK = 4;

function allocInt32(length: number): { f32: Float32Array; i32: Int32Array } {
  const f32 = allocFloat32(Math.max(length, 1));
  return { f32, i32: new Int32Array(f32.buffer, f32.byteOffset, Math.max(length, 1)) };
}

export class SparseRows {
  /** Rows currently held (≤ capacityRows). */
  rows = 0;
  readonly features: number;
  readonly capacityRows: number;
  readonly capacityBlocks: number;
  /** rows + 1 block indices (in use: rowStart[0 … rows]). */
  readonly rowStart: Int32Array;
  /** The first feature of each block (a multiple of 4). */
  readonly blockFeature: Int32Array;
  /** 4 values per block. */
  readonly values: Float32Array;
  /** The float32 blocks behind the two Int32Array views (what {@link dispose} frees). */
  private readonly storage: Float32Array[];
  /** The allocator the arrays came from (the column index is allocated from it later). */
  private readonly allocator: Float32Allocator;
  private columnIndex: { start: Int32Array; entries: Int32Array } | null = null;
  private released = false;

  constructor(features: number, capacityRows: number, capacityBlocks = capacityRows * (features / SPARSE_BLOCK)) {
    if (!Number.isInteger(features) || features < SPARSE_BLOCK || features % SPARSE_BLOCK !== 0) {
      throw new RangeError(`SparseRows: features must be a positive multiple of ${SPARSE_BLOCK}, got ${features}`);
    }
    if (!Number.isInteger(capacityRows) || capacityRows < 1) throw new RangeError(`SparseRows: capacityRows must be a positive integer, got ${capacityRows}`);
    if (!Number.isInteger(capacityBlocks) || capacityBlocks < 0) throw new RangeError(`SparseRows: capacityBlocks must be a non-negative integer, got ${capacityBlocks}`);
    this.features = features;
    this.capacityRows = capacityRows;
    this.capacityBlocks = capacityBlocks;
    const starts = allocInt32(capacityRows + 1);
    const feats = allocInt32(capacityBlocks);
    this.rowStart = starts.i32;
    this.blockFeature = feats.i32;
    this.values = allocFloat32(Math.max(capacityBlocks * SPARSE_BLOCK, 1));
    this.storage = [starts.f32, feats.f32, this.values];
    this.allocator = getFloat32Allocator();
  }

  /** Blocks in use. */
  get blocks(): number {
    return this.rowStart[this.rows];
  }

  /** Stored blocks ÷ all blocks of the rows held (1 = dense, 0 = all zero). */
  get density(): number {
    return this.rows === 0 ? 0 : this.blocks / (this.rows * (this.features / SPARSE_BLOCK));
  }

  /** A copy of `source` (rows, blocks and values) in the active allocator's storage. */
  static copyOf(source: SparseRows): SparseRows {
    const s = new SparseRows(source.features, Math.max(source.rows, 1), source.blocks);
    s.rowStart.set(source.rowStart.subarray(0, source.rows + 1));
    s.blockFeature.set(source.blockFeature.subarray(0, source.blocks));
    s.values.set(source.values.subarray(0, SPARSE_BLOCK * source.blocks));
    s.rows = source.rows;
    return s;
  }

  /** Non-zero blocks of `count` rows of a row-major [count, features] matrix, without storing them. */
  static countBlocks(dense: Float32Array, count: number, features: number, offset = 0): number {
    let n = 0;
    const end = offset + count * features;
    for (let p = offset; p < end; p += SPARSE_BLOCK) {
      if (dense[p] !== 0 || dense[p + 1] !== 0 || dense[p + 2] !== 0 || dense[p + 3] !== 0) n++;
    }
    return n;
  }

  /** The block form of `count` rows of a row-major [count, features] matrix (blocks that are all ±0 dropped). */
  static fromDense(dense: Float32Array, count: number, features: number, offset = 0): SparseRows {
    if (offset + count * features > dense.length) {
      throw new RangeError(`SparseRows.fromDense: ${count} rows of ${features} from offset ${offset} need ${offset + count * features} values, got ${dense.length}`);
    }
    const s = new SparseRows(features, Math.max(count, 1), SparseRows.countBlocks(dense, count, features, offset));
    s.setDense(dense, count, offset);
    return s;
  }

  /** Replace the contents with `count` dense rows (throws if they need more blocks than the capacity). */
  setDense(dense: Float32Array, count: number, offset = 0): this {
    const F = this.features;
    if (count > this.capacityRows) throw new RangeError(`SparseRows.setDense: ${count} rows exceed the capacity of ${this.capacityRows}`);
    const need = SparseRows.countBlocks(dense, count, F, offset);
    if (need > this.capacityBlocks) throw new RangeError(`SparseRows.setDense: ${need} non-zero blocks exceed the capacity of ${this.capacityBlocks}`);
    const { rowStart, blockFeature, values } = this;
    let b = 0;
    rowStart[0] = 0;
    for (let r = 0; r < count; r++) {
      const row = offset + r * F;
      for (let k = 0; k < F; k += SPARSE_BLOCK) {
        const p = row + k;
        const v0 = dense[p], v1 = dense[p + 1], v2 = dense[p + 2], v3 = dense[p + 3];
        if (v0 !== 0 || v1 !== 0 || v2 !== 0 || v3 !== 0) {
          blockFeature[b] = k;
          const q = b * SPARSE_BLOCK;
          values[q] = v0;
          values[q + 1] = v1;
          values[q + 2] = v2;
          values[q + 3] = v3;
          b++;
        }
      }
      rowStart[r + 1] = b;
    }
    this.rows = count;
    return this;
  }

  /**
   * Replace the contents with rows `order[start]`, …, `order[start + count − 1]` of `source` (the
   * dataset's block form, built once): a copy of ~60 blocks per MNIST image instead of 784 floats.
   * Allocates nothing.
   */
  gather(source: SparseRows, order: ArrayLike<number>, start: number, count: number): this {
    if (source.features !== this.features) throw new RangeError(`SparseRows.gather: source has ${source.features} features, this ${this.features}`);
    if (count > this.capacityRows) throw new RangeError(`SparseRows.gather: ${count} rows exceed the capacity of ${this.capacityRows}`);

    const { rowStart, blockFeature, values } = this;
    const sStart = source.rowStart, sFeat = source.blockFeature, sVal = source.values;
    let b = 0;
    rowStart[0] = 0;
    for (let r = 0; r < count; r++) {
      const i = order[start + r];
      if (!(i >= 0 && i < source.rows)) throw new RangeError(`SparseRows.gather: row ${i} is outside 0..${source.rows - 1}`);
      const from = sStart[i], to = sStart[i + 1];
      if (b + (to - from) > this.capacityBlocks) throw new RangeError(`SparseRows.gather: the rows need more than the capacity of ${this.capacityBlocks} blocks`);
      for (let s = from; s < to; s++, b++) {
        blockFeature[b] = sFeat[s];
        const q = b * SPARSE_BLOCK, p = s * SPARSE_BLOCK;
        values[q] = sVal[p];
        values[q + 1] = sVal[p + 1];
        values[q + 2] = sVal[p + 2];
        values[q + 3] = sVal[p + 3];
      }
      rowStart[r + 1] = b;
    }
    this.rows = count;
    return this;
  }

  /**
   * The column (block-major) index of the rows held, rebuilt on every call and owned by this object:
   * for each block column u = k/4 (0 ≤ u < features/4), its entries are `entries[2e], entries[2e + 1]`
   * for start[u] ≤ e < start[u+1] — the byte offset of the block's values (16·b) and its row — in
   * increasing row order (a stable counting sort of the blocks by column). The weight gradient of large batches walks
   * it column by column, keeping dW's blocks in registers while every row that has the block passes
   * (spmm_dw_cols in ./wasm/sparse.ts, which builds the same index with `sparse_columns`). Allocates its
   * arrays on the first call only.
   */
  columns(): { start: Int32Array; entries: Int32Array } {
    const columns = this.features / SPARSE_BLOCK;
    const { start, entries } = this.columnStorage();
    const { rowStart, blockFeature } = this;
    // Count per column into start[u + 1], prefix-sum to each column's first entry, place the entries while
    // advancing start[u] (it ends at column u's end = column u+1's start), then shift back by one.
    start.fill(0, 0, columns + 1);
    const blocks = rowStart[this.rows];
    for (let b = 0; b < blocks; b++) start[(blockFeature[b] >> 2) + 1]++;
    for (let u = 0; u < columns; u++) start[u + 1] += start[u];
    for (let r = 0; r < this.rows; r++) {
      for (let b = rowStart[r], to = rowStart[r + 1]; b < to; b++) {
        const at = 2 * start[blockFeature[b] >> 2]++;
        entries[at] = 16 * b;
        entries[at + 1] = r;
      }
    }
    for (let u = columns; u > 0; u--) start[u] = start[u - 1];
    start[0] = 0;
    return this.columnIndex!;
  }

  /**
   * The arrays of the column index (see {@link columns}) without filling them — for a kernel that builds
   * the index itself. Allocated on the first call, beside the values (same allocator).
   */
  columnStorage(): { start: Int32Array; entries: Int32Array } {
    if (this.columnIndex === null) {
      const previous = setFloat32Allocator(this.allocator);
      let start, entries;
      try {
        start = allocInt32(this.features / SPARSE_BLOCK + 1);
        entries = allocInt32(2 * Math.max(this.capacityBlocks, 1));
      } finally {
        setFloat32Allocator(previous);
      }
      this.storage.push(start.f32, entries.f32);
      this.columnIndex = { start: start.i32, entries: entries.i32 };
    }
    return this.columnIndex;
  }

  /**
   * The rows as a dense row-major [rows, features] array (zeros elsewhere), written at `offset` of `out`
   * (only that range is touched). For tests, checks, and a dense fallback of a batch gathered in block form.
   */
  toDense(out: Float32Array = new Float32Array(this.rows * this.features), offset = 0): Float32Array {
    const F = this.features;
    if (offset + this.rows * F > out.length) throw new RangeError(`SparseRows.toDense: ${this.rows} rows of ${F} from offset ${offset} need ${offset + this.rows * F} elements, got ${out.length}`);
    out.fill(0, offset, offset + this.rows * F);
    const { rowStart, blockFeature, values } = this;
    for (let r = 0; r < this.rows; r++) {
      const row = offset + r * F;
      for (let b = rowStart[r]; b < rowStart[r + 1]; b++) {
        const p = row + blockFeature[b], q = b * SPARSE_BLOCK;
        out[p] = values[q];
        out[p + 1] = values[q + 1];
        out[p + 2] = values[q + 2];
        out[p + 3] = values[q + 3];
      }
    }
    return out;
  }

  get disposed(): boolean {
    return this.released;
  }

  /** Give the three arrays back to their allocator (idempotent). */
  dispose(): void {
    if (this.released) return;
    this.released = true;
    for (const a of this.storage) freeFloat32(a);
  }
}
