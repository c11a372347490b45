import type { Tensor } from '../tensor/tensor.js';
import type { ForwardHook, HookHandle, Layer } from './layer.js';
import type { Parameter } from './parameter.js';
import { checkFinite } from './validate.js';

/**
 * What every built-in layer shares: its name, its forward hooks, and the split of forward into
 * `checkInput` (shapes, O(1)) → the NaN/∞ scan of the input → `compute` → hooks.
 *
 * The scan runs once per forward on the network input: `forward` scans, `forwardTrusted` (what
 * {@link Sequential} calls on its layers after scanning the net input itself) does not, so internal
 * activations are never scanned — a net whose weights diverge yields a NaN loss, as in PyTorch, rather
 * than an error.
 */
const NO_PARAMETERS: readonly Parameter[] = Object.freeze([]);

export abstract class BaseLayer implements Layer {
  /** The default name stem: 'linear', 'sigmoid', … (Sequential numbers them: 'linear0', 'linear1'). */
  readonly kind: string;
  private layerName: string;
  private readonly explicitName: boolean;
  private hooks: ForwardHook[] = [];
  private released = false;
  private trainingMode = true;

  protected constructor(kind: string, name?: string) {
    if (name !== undefined && (typeof name !== 'string' || name.length === 0)) {
      throw new TypeError(`${kind}: name must be a non-empty string, got ${JSON.stringify(name)}`);
    }
    this.kind = kind;
    this.layerName = name ?? kind;
    this.explicitName = name !== undefined;
  }

  get name(): string {
    return this.layerName;
  }

  /** True when the name was given to the constructor (Sequential then keeps it). */
  get hasExplicitName(): boolean {
    return this.explicitName;
  }

  /** Rename (Sequential numbers unnamed layers); parameter names follow. */
  setName(name: string): void {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError(`${this.layerName}: name must be a non-empty string`);
    this.layerName = name;
    this.renamed(name);
  }

  /** Called after a rename, for layers whose parameter names embed the layer name. */
  protected renamed(_name: string): void {}

  /** True in training mode (the default), false after `eval()`; only Dropout behaves differently. */
  get training(): boolean {
    return this.trainingMode;
  }

  /** Training mode on (default) or off, as `torch.nn.Module.train(mode)`; returns the layer. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new TypeError(`${this.layerName}: train(mode) expects a boolean, got ${typeof mode}`);
    this.trainingMode = mode;
    this.modeChanged(mode);
    return this;
  }

  /** Evaluation mode, as `torch.nn.Module.eval()`: `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** Called by {@link train} (containers pass the mode on to their layers). */
  protected modeChanged(_training: boolean): void {}

  /**
   * The shape of the output for an input of shape `inputShape` (batch first), without running anything;
   * throws, naming the layer and the expected and actual shape, when the layer cannot take that input.
   * The default is the shape-preserving case (activations, dropout); layers that change the shape override it.
   */
  outputShape(inputShape: readonly number[]): number[] {
    return inputShape.slice();
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    checkFinite(this.name, input);
    return this.run(input);
  }

  /** The shape checks of `forward` alone (O(1)); throws naming the layer, expected and actual shape. */
  validateInput(input: Tensor): void {
    this.checkInput(input);
  }

  /** Forward without the NaN/∞ scan of the input (shapes are still checked); the caller vouches for it. */
  forwardTrusted(input: Tensor): Tensor {
    this.checkInput(input);
    return this.run(input);
  }

  private run(input: Tensor): Tensor {
    if (this.released) this.throwDisposed('forward');
    const output = this.compute(input);
    const hooks = this.hooks;
    for (let i = 0; i < hooks.length; i++) hooks[i](output, this);
    return output;
  }

  /** Throw (naming the layer, expected and actual shape) unless `input` is an acceptable view (e.g. [batch, features] or [N, C, H, W]). */
  protected abstract checkInput(input: Tensor): void;
  /** The forward maths on a checked input; returns the layer's reused output buffer. */
  protected abstract compute(input: Tensor): Tensor;
  abstract backward(gradOutput: Tensor): Tensor;

  /** A copy of {@link ownParameters} (callers may keep or change the list). */
  parameters(): Parameter[] {
    return this.ownParameters().slice();
  }

  /** Zero every parameter's gradient. Per-step code: an index loop over the stored list, nothing allocated. */
  zeroGrad(): void {
    const ps = this.ownParameters();
    for (let i = 0; i < ps.length; i++) ps[i].zeroGrad();
  }

  /** The layer's parameters as stored (not copied); none by default. */
  protected ownParameters(): readonly Parameter[] {
    return NO_PARAMETERS;
  }

  /** True once {@link dispose} has run. */
  get disposed(): boolean {
    return this.released;
  }

  /**
   * Give the layer's float32 storage back to its allocator (`freeFloat32`): its parameters' values and
   * gradients and its reused output / input-gradient buffers. On the JS heap that only drops references;
   * in the WebAssembly heap (`useWasmMemory()`) the blocks become reusable, so a program that builds nets
   * one after another stays at constant memory. Idempotent. Afterwards forward and backward throw, and
   * the arrays the layer handed out (its parameters' `data` and `grad`, earlier outputs) must not be used.
   * PyTorch has no counterpart: its tensors are reference-counted and freed when the last one goes.
   */
  dispose(): void {
    if (this.released) return;
    this.released = true;
    this.release();
  }

  /** What {@link dispose} frees; by default the layer's parameters. Layers with buffers add them. */
  protected release(): void {
    for (const p of this.parameters()) p.dispose();
  }

  /** Throw unless the layer is usable (for backward passes; forward checks by itself). */
  protected checkNotDisposed(what: string): void {
    if (this.released) this.throwDisposed(what);
  }

  private throwDisposed(what: string): never {
    throw new Error(`${this.name}: ${what} called after dispose()`);
  }

  registerForwardHook(hook: ForwardHook): HookHandle {
    if (typeof hook !== 'function') throw new TypeError(`${this.name}: registerForwardHook expects a function, got ${typeof hook}`);
    // A fresh wrapper per registration, so registering one function twice gives two independent handles.
    const entry: ForwardHook = (output, layer) => hook(output, layer);
    // Copy-on-write: a hook removed while hooks run does not disturb the loop in progress.
    this.hooks = [...this.hooks, entry];
    return {
      remove: () => {
        this.hooks = this.hooks.filter((h) => h !== entry);
      },
    };
  }
}
