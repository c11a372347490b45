/**
 * Neuron ablation done right (dissertation Sec. 6.3; PROTOCOL §5). The original notebooks tried to remove
 * hidden units and measure the accuracy drop, but their removal was a no-op. Here a unit is removed at test
 * time by zeroing its activation: a forward hook on the hidden activation layer sets the unit's column of the
 * layer's output to 0 before the next layer reads it, so the unit contributes w·0 = 0 to every later
 * pre-activation — exactly the net with that unit's outgoing weights deleted. (For a sigmoid unit, zero is
 * also the "silent" value; for the bias-free alternative of clamping to the unit's mean activation, see
 * Morcos et al. 2018 — not done here, since the dissertation proposes removal.)
 *
 * Which units: by the per-unit CCMAS selectivity of the final epoch over the test set — the k most selective,
 * the k least selective (ties broken by unit index, lowest first), or k drawn uniformly without replacement
 * with a seeded generator. The drop is `baseline accuracy − ablated accuracy` (positive = the units mattered).
 */
import type { Layer } from '../layers/index.js';
import { Rng } from '../tensor/index.js';
import type { Tensor } from '../tensor/index.js';

export const ABLATION_ORDERS = ['most-selective', 'least-selective', 'random'] as const;
export type AblationOrder = (typeof ABLATION_ORDERS)[number];

export interface AblationRecord {
  k: number;
  order: AblationOrder;
  /** The units removed (column indices of the layer's output). */
  units: number[];
  accuracy: number;
  /** Baseline accuracy minus ablated accuracy. */
  drop: number;
}

/**
 * The `k` units to remove from a layer of `selectivity.length` units. Units with an undefined (NaN)
 * selectivity sort last in both selective orders. `seed` drives the random order (a partial Fisher–Yates).
 */
export function unitsToRemove(selectivity: ArrayLike<number>, k: number, order: AblationOrder, seed: number): number[] {
  const n = selectivity.length;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`unitsToRemove: k must be an integer in [0, ${n}], got ${k}`);
  if (!(ABLATION_ORDERS as readonly string[]).includes(order)) {
    throw new RangeError(`unitsToRemove: order must be one of ${ABLATION_ORDERS.join(', ')}, got ${JSON.stringify(order)}`);
  }
  const units = Array.from({ length: n }, (_, i) => i);
  if (order === 'random') {
    const rng = new Rng(seed);
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(n - i);
      [units[i], units[j]] = [units[j], units[i]];
    }
    return units.slice(0, k).sort((a, b) => a - b);
  }
  const sign = order === 'most-selective' ? -1 : 1;
  const key = (u: number): number => (Number.isFinite(selectivity[u]) ? sign * selectivity[u] : Infinity);
  units.sort((a, b) => key(a) - key(b) || a - b);
  return units.slice(0, k).sort((a, b) => a - b);
}

/** Zero the given columns of every row of a [rows, cols] output (any strides). */
function zeroColumns(output: Tensor, units: ReadonlyArray<number>): void {
  const [rows] = output.shape;
  const [rs, cs] = output.strides;
  const d = output.data;
  for (let r = 0; r < rows; r++) {
    const base = output.offset + r * rs;
    for (let i = 0; i < units.length; i++) d[base + units[i] * cs] = 0;
  }
}

/**
 * Run `evaluate` (which returns a test accuracy) with `units` of `layer` removed; the hook is detached
 * afterwards whatever happens.
 */
export function accuracyWithout(layer: Layer, units: ReadonlyArray<number>, evaluate: () => number): number {
  const handle = layer.registerForwardHook((output) => zeroColumns(output, units));
  try {
    return evaluate();
  } finally {
    handle.remove();
  }
}

export interface AblationOptions {
  /** The hidden activation layer whose units are removed. */
  layer: Layer;
  /** Per-unit selectivity of that layer (final epoch, test set). */
  selectivity: ArrayLike<number>;
  /** Test accuracy of the intact net. */
  baselineAccuracy: number;
  /** Runs the test pass and returns its accuracy. */
  evaluate: () => number;
  ks?: ReadonlyArray<number>;
  orders?: ReadonlyArray<AblationOrder>;
  seed: number;
}

/** Every (k, order) ablation, k clipped to the layer's width (a k above it is skipped, not an error). */
export function neuronAblation(options: AblationOptions): AblationRecord[] {
  const ks = options.ks ?? [1, 5, 10, 100];
  const orders = options.orders ?? ABLATION_ORDERS;
  const out: AblationRecord[] = [];
  for (const k of ks) {
    if (k > options.selectivity.length) continue;
    for (const order of orders) {
      const units = unitsToRemove(options.selectivity, k, order, options.seed);
      const accuracy = accuracyWithout(options.layer, units, options.evaluate);
      out.push({ k, order, units, accuracy, drop: options.baselineAccuracy - accuracy });
    }
  }
  return out;
}
