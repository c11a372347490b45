/**
 * sparsity-lab — a pure-TypeScript numerical library and the research system built on it.
 *
 * Import the piece you need from its subpath (`sparsity-lab/tensor`, `/layers`, `/optim`, `/metrics`,
 * `/data`); this root entry re-exports them all, flat, plus the experiment runner as the `experiments`
 * namespace (it pulls in node:fs and the results/figures machinery, which library users rarely want flat).
 */
export * from './tensor/index.js';
export * from './layers/index.js';
export * from './optim/index.js';
export * from './metrics/index.js';
export * from './data/index.js';
export * as experiments from './experiments/index.js';
