import { matrixView, type MatrixInput, type MatrixView } from './matrix.js';
import { SampleMoments, requireSamples } from './summary.js';

/** How a one-shot function reuses an accumulator: its own name in errors, and the exact per-sample capacity. */
export interface AccumulatorInternals {
  fn: string;
  capacity: number;
}

/**
 * What the per-sample accumulators (Hoyer, Gini, fraction-below) share: the running moments over samples, the
 * name `add` reports in errors, and `add` itself. Each subclass validates its own arguments (before `super`)
 * and keeps its own one-pass kernel in `addView`.
 */
export abstract class PerSampleAccumulator {
  readonly units: number;
  protected readonly state: SampleMoments;
  /** 'HoyerAccumulator.add', or the one-shot function's name when it drives the accumulator. */
  protected readonly fn: string;

  protected constructor(className: string, units: number, keepPerSample: boolean, internal?: AccumulatorInternals) {
    this.fn = internal?.fn ?? `${className}.add`;
    this.units = units;
    this.state = new SampleMoments(keepPerSample, internal?.capacity ?? 0);
  }

  /** Rows added so far. */
  get samples(): number {
    return this.state.samples;
  }

  /** Add a batch of rows ([batch, units]). On error the state is unchanged. */
  add(batch: MatrixInput): void {
    this.addView(matrixView(batch, this.fn, 'batch'));
  }

  /** Throw (the empty-input policy, see summary.ts) unless at least one sample was added. */
  protected requireSamples(): void {
    requireSamples(this.fn, this.state.samples);
  }

  /** @internal The kernel, on a validated view. */
  abstract addView(m: MatrixView): void;
}
