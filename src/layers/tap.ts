import { describeValue } from '../tensor/describe.js';
import { allocFloat32, freeFloat32 } from '../tensor/memory.js';
import { Tensor, shapeString } from '../tensor/tensor.js';
import type { HookHandle, Layer } from './layer.js';

/**
 * An activation tap that keeps what it sees: every forward output of `layer` is copied into the next rows
 * of a [rows, features] matrix (allocated at the first forward, once). Evaluating a 10,000-image test set in
 * batches of 50 with `new ActivationRecorder(net.layers[1], 10000)` leaves all hidden activations in
 * `matrix`, ready for the sparsity/selectivity metrics. This copy is the only one: a bare forward hook
 * sees the layer's buffer itself, and a layer with no hooks does no extra work at all.
 *
 * Outputs of any rank are recorded as [samples, units] with one row per example and its values in
 * row-major order as units — for a convolution's [N, C, H, W] output, unit c·H·W + h·W + w is channel c at
 * position (h, w), i.e. `output.flatten(1)` in PyTorch. Why channels × positions rather than channel means:
 * it is what Flatten hands to the next Linear (so the measured units are the values the next layer
 * actually weighs), the per-unit sparsity/selectivity metrics keep their meaning (one value per unit per
 * example, ≥ 0 after ReLU), and averaging over positions would mix a feature map's active and silent
 * positions into one dense mean, hiding exactly the sparsity being measured.
 */
export class ActivationRecorder {
  private buffer: Float32Array | null = null;
  private features = 0;
  private filled = 0;
  private readonly handle: HookHandle;

  constructor(readonly layer: Layer, readonly rows: number) {
    if (!Number.isSafeInteger(rows) || rows < 1) throw new RangeError(`ActivationRecorder(${layer?.name}): rows must be a positive integer, got ${describeValue(rows)}`);
    this.handle = layer.registerForwardHook((output) => this.record(output));
  }

  private record(output: Tensor): void {
    // A 4-D output [N, C, H, W] is recorded as N rows of C·H·W units (see the class comment).
    const batch = output.shape[0];
    const features = batch > 0 ? output.size / batch : 0;
    if (this.buffer === null) {
      this.buffer = allocFloat32(this.rows * features);
      this.features = features;
    }
    if (features !== this.features) {
      throw new RangeError(`ActivationRecorder(${this.layer.name}): output ${shapeString(output.shape)} has ${features} features, earlier outputs had ${this.features}`);
    }
    if (this.filled + batch > this.rows) {
      throw new RangeError(
        `ActivationRecorder(${this.layer.name}): ${this.filled} of ${this.rows} rows are filled, a batch of ${batch} does not fit; call reset() to start over`,
      );
    }
    const n = batch * features, src = output.data, from = output.offset, dst = this.buffer, to = this.filled * features;
    for (let i = 0; i < n; i++) dst[to + i] = src[from + i];
    this.filled += batch;
  }

  /** Rows recorded so far. */
  get rowsFilled(): number {
    return this.filled;
  }

  /** The recorded rows as a [rowsFilled, features] view of the recorder's storage (no copy). */
  get matrix(): Tensor {
    if (this.buffer === null) throw new Error(`ActivationRecorder(${this.layer.name}): nothing recorded yet`);
    return new Tensor(this.buffer, [this.filled, this.features]);
  }

  /** Start again from row 0 (the storage is kept). */
  reset(): void {
    this.filled = 0;
  }

  /** Detach from the layer. */
  remove(): void {
    this.handle.remove();
  }

  /** Detach and free the storage (`freeFloat32`); `matrix` must not be used afterwards. */
  dispose(): void {
    this.handle.remove();
    if (this.buffer !== null) freeFloat32(this.buffer);
    this.buffer = null;
    this.filled = 0;
  }
}
