/**
 * sparsity-lab/metrics — sparsity and selectivity of a layer's activations, as pure functions and as
 * streaming accumulators.
 *
 * What it is for: measuring a hidden layer's activations, rows = samples × columns = units (a `Tensor`, an
 * `ndarray` or `{ data, shape }`), exactly as defined in the dissertation (Sec. 4.1) and documented per
 * function: Hoyer sparsity per sample (`hoyerSparsity`, `HoyerAccumulator`), CCMAS class selectivity per unit
 * (`ccmasSelectivity`, `CcmasAccumulator`), the comparison measures of Hurley & Rickard 2009 a researcher
 * expects beside Hoyer (`giniIndex`, `fractionBelow`) and lifetime Treves–Rolls sparseness
 * (`trevesRollsSparseness`), and the two ways to combine layers (`aggregateLayers` eq. 5.1,
 * `activationWeighted` eq. 5.2).
 *
 * Every function makes one pass over the matrix with float64 accumulators and no per-sample allocation, and
 * every accumulator gives a result bit-identical to its function on the concatenated batches while holding
 * O(units · classes) memory, never the matrix. Every edge case has a documented policy: an undefined value
 * (0/0) is reported as NaN and counted (`undefinedCount`), never silently averaged in; NaN/Inf input is an
 * error naming its row and column; an empty matrix (no samples) is an error in every function and every
 * accumulator's `result()` (README "Input policy"); both std conventions are returned under explicit names.
 *
 * What it deliberately does not do: capture activations (layers and the experiment runner do that), run on
 * a GPU, or smooth over undefined values with hidden epsilons (CCMAS's ε is explicit, default 1e-7).
 */
export type { MatrixInput } from './matrix.js';
export type { Summary, UndefinedPolicy, SampleMoments } from './summary.js';
export {
  hoyerSparsity,
  HoyerAccumulator,
  type HoyerOptions,
  type HoyerAccumulatorOptions,
  type HoyerResult,
  type HoyerStreamResult,
} from './hoyer.js';
export { ccmasSelectivity, CcmasAccumulator, type CcmasOptions, type CcmasResult } from './ccmas.js';
export {
  giniIndex,
  GiniAccumulator,
  type GiniOptions,
  type GiniAccumulatorOptions,
  type GiniResult,
  type GiniStreamResult,
} from './gini.js';
export {
  trevesRollsSparseness,
  TrevesRollsAccumulator,
  type TrevesRollsOptions,
  type TrevesRollsResult,
} from './treves-rolls.js';
export {
  fractionBelow,
  FractionBelowAccumulator,
  type FractionBelowOptions,
  type FractionBelowAccumulatorOptions,
  type FractionBelowResult,
  type FractionBelowStreamResult,
} from './fraction-below.js';
export { aggregateLayers, activationWeighted, activationRatios, activationTotal } from './layers.js';
