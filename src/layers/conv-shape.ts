import { shapeString } from '../tensor/tensor.js';

/** A size given as one number (square) or [height, width], as PyTorch's `_pair`. */
export type Pair = number | readonly [number, number];

/**
 * `[h, w]` from a Pair, checking that both are integers ≥ `min`; the error names the layer and argument.
 * (PyTorch accepts an int or a 2-tuple; so does this — anything else is an error, not a silent truncation.)
 */
export function pair(where: string, what: string, v: Pair | undefined, fallback: readonly [number, number], min: number): [number, number] {
  if (v === undefined) return [fallback[0], fallback[1]];
  const hw: unknown[] = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? v : [];
  if (hw.length !== 2 || !hw.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= min)) {
    throw new RangeError(`${where}: ${what} must be an integer ≥ ${min} or a pair [h, w] of them, got ${JSON.stringify(v)}`);
  }
  return [hw[0] as number, hw[1] as number];
}

/** Geometry of a 2-D sliding window (convolution or pooling) over an NCHW input. */
export interface Window2d {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  padding: readonly [number, number];
}

/**
 * The output shape [N, outChannels, OH, OW] of a sliding window over an input shape [N, C, H, W], with
 * OH = ⌊(H + 2·padH − kh)/strideH⌋ + 1 (PyTorch's floor mode), checking the rank, the channel count
 * (when `inChannels` is given), a non-empty batch and that the kernel fits the padded input. Errors name
 * the layer and the expected and actual shape.
 */
export function windowOutputShape(where: string, input: readonly number[], w: Window2d, inChannels: number | null, outChannels: number | null): number[] {
  const expected = `[batch, ${inChannels ?? 'channels'}, height, width]`;
  if (input.length !== 4) {
    throw new RangeError(`${where}: expected input of shape ${expected} (rank 4, NCHW), got ${shapeString(input)} (rank ${input.length})`);
  }
  const [n, c, h, wd] = input;
  if (inChannels !== null && c !== inChannels) {
    throw new RangeError(`${where}: expected input of shape ${expected} (${inChannels} channels), got ${shapeString(input)} (${c} channels)`);
  }
  if (n < 1) throw new RangeError(`${where}: input has an empty batch (shape ${shapeString(input)})`);
  const ph = h + 2 * w.padding[0], pw = wd + 2 * w.padding[1];
  if (ph < w.kernel[0] || pw < w.kernel[1]) {
    throw new RangeError(
      `${where}: kernel ${w.kernel[0]}×${w.kernel[1]} is larger than the padded input ${ph}×${pw} ` +
        `(input ${shapeString(input)}, padding ${w.padding[0]}×${w.padding[1]})`,
    );
  }
  const oh = Math.floor((ph - w.kernel[0]) / w.stride[0]) + 1;
  const ow = Math.floor((pw - w.kernel[1]) / w.stride[1]) + 1;
  return [n, outChannels ?? c, oh, ow];
}
