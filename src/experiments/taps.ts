/**
 * Activation taps: a forward hook on every hidden activation layer feeds that layer's output into
 * streaming Hoyer and CCMAS accumulators, so the metrics over 10,000 (or 60,000) images are computed
 * without ever holding the whole activation matrix — the original kept all of it in memory.
 *
 * The taps are registered once per run and stay in place; `target` says where outputs go: nowhere, the
 * test accumulators or the training-stream accumulators (Sec. 5.3: every training minibatch is measured
 * in its forward pass, i.e. before that batch's optimizer step). The labels of the batch being measured
 * are set with `setLabels` before each forward pass.
 */
import type { Layer } from '../layers/index.js';
import { CcmasAccumulator, HoyerAccumulator } from '../metrics/index.js';
import type { Tensor } from '../tensor/index.js';
import type { LayerRecord } from './records.js';

/** The accumulators of one hidden layer for one pass (test or training stream). */
export class LayerMeter {
  readonly hoyer: HoyerAccumulator;
  readonly ccmas: CcmasAccumulator;

  constructor(readonly units: number, numClasses: number, eps: number) {
    this.hoyer = new HoyerAccumulator(units);
    this.ccmas = new CcmasAccumulator(units, numClasses, { eps });
  }

  add(output: Tensor, labels: Uint8Array): void {
    this.hoyer.add(output);
    this.ccmas.add(output, labels);
  }

  reset(): void {
    this.hoyer.reset();
    this.ccmas.reset();
  }

  /** The layer's record; an undefined value (NaN) becomes `null`, never a number. */
  result(): LayerRecord {
    const h = this.hoyer.result();
    const c = this.ccmas.result();
    const def = (v: number): number | null => (Number.isFinite(v) ? v : null);
    return {
      sparsity_mean: def(h.mean),
      sparsity_std: def(h.stdSample),
      selectivity_mean: def(c.mean),
      selectivity_std: def(c.stdPopulation),
      activation_sum: h.samples > 0 ? def(h.activationSum) : null,
      ...(h.undefinedCount > 0 && { sparsity_undefined: h.undefinedCount }),
      ...(c.undefinedCount > 0 && { selectivity_undefined: c.undefinedCount }),
    };
  }
}

export type TapTarget = 'off' | 'test' | 'train';

/** True when every element of the [rows, cols] view is finite. */
function allFinite(t: Tensor): boolean {
  const [rows, cols] = t.shape;
  const [rs, cs] = t.strides;
  const d = t.data;
  for (let r = 0; r < rows; r++) {
    const base = t.offset + r * rs;
    let acc = 0;
    for (let c = 0; c < cols; c++) acc += d[base + c * cs] * 0; // NaN·0 and ±Inf·0 are NaN, finite·0 is 0
    if (acc !== 0) return false;
  }
  return true;
}

export class ActivationTaps {
  target: TapTarget = 'off';
  readonly test: LayerMeter[];
  readonly train: LayerMeter[];
  /**
   * Set when a measured output held NaN or ±Inf (the weights diverged): that batch is not added, and the
   * runner ends the run as diverged. Cleared by the runner.
   */
  nonFinite: string | null = null;
  private labels: Uint8Array = new Uint8Array(0);
  private readonly handles: Array<{ remove(): void }>;

  constructor(layers: readonly Layer[], widths: readonly number[], numClasses: number, eps: number) {
    if (layers.length !== widths.length) {
      throw new Error(`ActivationTaps: ${layers.length} activation layers but ${widths.length} hidden widths`);
    }
    this.test = widths.map((w) => new LayerMeter(w, numClasses, eps));
    this.train = widths.map((w) => new LayerMeter(w, numClasses, eps));
    this.handles = layers.map((layer, i) =>
      layer.registerForwardHook((output: Tensor) => {
        if (this.target === 'off') return;
        if (!allFinite(output)) {
          this.nonFinite ??= `non-finite activations in hidden layer ${i + 1} (${layer.name})`;
          return;
        }
        const meter = this.target === 'test' ? this.test[i] : this.train[i];
        meter.add(output, this.labels);
      }),
    );
  }

  /** The labels of the rows about to be forwarded (a view of the batch's label buffer). */
  setLabels(labels: Uint8Array): void {
    this.labels = labels;
  }

  remove(): void {
    for (const h of this.handles) h.remove();
  }
}
