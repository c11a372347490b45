/** The switch for stepping only a gradient's known non-zero columns (see `setSkipZeroGradients`). */
let skipZeroGradients = true;
/**
 * Whether SGD and Adagrad step only the columns of a gradient known to be non-zero (a first layer on the
 * sparse-input path, see src/tensor/gemm/grad-columns.ts) where that is exactly the full step. On by
 * default; off computes the full step everywhere (for the bit-identity tests). Returns the previous value.
 */
export function setSkipZeroGradients(on: boolean): boolean {
  const previous = skipZeroGradients;
  skipZeroGradients = on;
  return previous;
}

export function skippingZeroGradients(): boolean {
  return skipZeroGradients;
}
