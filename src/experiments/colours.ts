/**
 * One colour per optimizer, the same in every figure (Adam is red wherever it appears): Tableau's ten
 * colours in optimizer-registry order — sgd blue, adagrad orange, adadelta green, adam red, adamw purple,
 * rmsprop brown, adagradk pink, adadeltak teal.
 */
import type { VegaLiteSpec } from './figures-specs.js';
import { optimizers } from './kinds/optimizers.js';

const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#b279a2', '#9d755d', '#ff9da6', '#72b7b2', '#eeca3b', '#bab0ac'];

/** The fixed colour of an optimizer (by its registry position; unknown names hash onto the palette). */
export function optimizerColour(name: string): string {
  const i = optimizers.names().indexOf(name);
  if (i >= 0) return PALETTE[i % PALETTE.length];
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/** A colour scale with each optimizer's fixed colour, for a domain of optimizer names. */
export function optimizerColourScale(names: readonly string[]): VegaLiteSpec {
  return { domain: [...names], range: names.map(optimizerColour) };
}

/** Whether every label is a registered optimizer's name (then figures colour by optimizer). */
export function allOptimizerNames(labels: readonly string[]): boolean {
  return labels.length > 0 && labels.every((l) => optimizers.has(l));
}
