/**
 * EXPERIMENTAL optimizers: the two the dissertation proposes as further work (Sec. 6.3.1, eq. 6.1 and 6.2)
 * and never ran. No reference implementation exists to check them against; they are tested against
 * float64 re-implementations of the formulas and their relations to Adagrad and Adadelta. Their option
 * defaults are ours. Not covered by the "equals PyTorch" promise of the rest of src/optim.
 */
export * from './adagrad-k.js';
export * from './adadelta-k.js';
