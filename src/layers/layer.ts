import type { Tensor } from '../tensor/tensor.js';
import type { Parameter } from './parameter.js';

/** Called after every forward of the layer it is registered on, with the layer's output buffer. */
export type ForwardHook = (output: Tensor, layer: Layer) => void;

/** Returned by {@link Layer.registerForwardHook}; `remove()` detaches the hook (idempotent). */
export interface HookHandle {
  remove(): void;
}

/**
 * A layer of a feed-forward net with a hand-written backward pass (no autograd tape).
 *
 * - `forward(x)` takes a contiguous view with the batch on axis 0 — [batch, features] for Linear, [N, C, H, W]
 *   for Conv2d / MaxPool2d, any shape for the element-wise layers — and returns the layer's own output
 *   buffer, which the next forward with the same input shape overwrites (copy it to keep it). Flatten
 *   returns a view of its input's storage, and Dropout in eval mode the input itself.
 * - `backward(dy)` takes dL/d(output) for the most recent forward and returns dL/d(input) (again a reused
 *   buffer). It ADDS the parameter gradients into `Parameter.grad`, so gradients accumulate across backward
 *   calls until `zeroGrad()`, as in PyTorch.
 * - `registerForwardHook(hook)` plays the role of PyTorch's `register_forward_hook`: the hook sees the
 *   output buffer itself (nothing is copied, with or without hooks).
 */
export interface Layer {
  /** Unique within a net, e.g. 'linear0', 'sigmoid0' (Sequential assigns one when none was given). */
  readonly name: string;
  forward(input: Tensor): Tensor;
  backward(gradOutput: Tensor): Tensor;
  parameters(): Parameter[];
  zeroGrad(): void;
  registerForwardHook(hook: ForwardHook): HookHandle;
  /**
   * Free the layer's float32 storage (parameters, reused buffers) for reuse; the layer is unusable
   * afterwards. Optional for custom layers; every built-in layer has it (see BaseLayer.dispose).
   */
  dispose?(): void;
  /** Training (default) or evaluation mode, as `torch.nn.Module.train(mode)`; every built-in layer has it. */
  train?(mode?: boolean): unknown;
  /** The output shape for an input shape (batch first); throws on an input the layer cannot take. */
  outputShape?(inputShape: readonly number[]): number[];
}
