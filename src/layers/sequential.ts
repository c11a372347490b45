import { describeValue } from '../tensor/describe.js';
import { findNonFinite } from '../tensor/ops.js';
import type { Tensor } from '../tensor/tensor.js';
import { Activation } from './activations.js';
import { BaseLayer } from './base.js';
import { Linear } from './linear.js';
import type { Layer } from './layer.js';
import type { Parameter } from './parameter.js';
import { checkFinite, checkTensorInput } from './validate.js';

/** `options.name`, after checking that `options` is an object (a `null` is a mistake, not "no options"). */
function optionsName(kind: string, options: { name?: string }): string | undefined {
  if (options === null || typeof options !== 'object') throw new TypeError(`${kind}: options must be an object { name? }, got ${describeValue(options)}`);
  return options.name;
}

export interface SequentialOptions {
  name?: string;
}

/** A layer that can accumulate its parameter gradients without computing dL/d(input) (e.g. Linear). */
interface ParamsOnlyBackward {
  backwardParams(gradOutput: Tensor): void;
}

function hasBackwardParams(layer: Layer): layer is Layer & ParamsOnlyBackward {
  return typeof (layer as Partial<ParamsOnlyBackward>).backwardParams === 'function';
}

/**
 * Layers applied in order: forward runs layers[0] … layers[n−1]; backward runs the chain rule in reverse,
 * dL/dx_i = backward_i(dL/dx_{i+1}). As `torch.nn.Sequential`.
 *
 * Names: a built-in layer constructed without a name is numbered per kind in order — 'linear0',
 * 'sigmoid0', 'linear1', … — and its parameters follow ('linear0.weight'). Names given explicitly are kept;
 * duplicates are an error. (PyTorch names Sequential children by index: '0', '1', '2'.)
 *
 * Input checks: the network input's shape is checked by the first layer, and it is scanned for NaN/∞
 * here, once per forward; inner layers run without the scan.
 */
export class Sequential extends BaseLayer {
  readonly layers: readonly Layer[];
  private readonly params: Parameter[];
  /** Index of the first layer with parameters (layers.length when none has): where backwardParams stops. */
  private readonly firstWithParams: number;

  constructor(layers: Layer[], options: SequentialOptions = {}) {
    super('sequential', optionsName('Sequential', options));
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new RangeError(`${this.name}: needs at least one layer, got ${Array.isArray(layers) ? 'an empty list' : typeof layers}`);
    }
    const seen = new Set<Layer>();
    layers.forEach((l, i) => {
      const o = l as unknown as Record<string, unknown>;
      if (o === null || typeof o !== 'object' || typeof o.forward !== 'function' || typeof o.backward !== 'function' || typeof o.parameters !== 'function' || typeof o.zeroGrad !== 'function' || typeof o.registerForwardHook !== 'function' || typeof o.name !== 'string') {
        throw new TypeError(`${this.name}: layers[${i}] must be a Layer (name, forward, backward, parameters, zeroGrad, registerForwardHook), got ${describeValue(l)}`);
      }
    });
    for (const l of layers) {
      // One instance twice would share its buffers between two positions and corrupt backward.
      if (seen.has(l)) throw new RangeError(`${this.name}: layer '${l.name}' appears twice; use a separate instance per position`);
      seen.add(l);
    }
    this.layers = layers.slice();
    this.assignNames();
    this.checkWiring();
    this.params = this.layers.flatMap((l) => l.parameters());
    const i = this.layers.findIndex((l) => l.parameters().length > 0);
    this.firstWithParams = i < 0 ? this.layers.length : i;
    const names = new Set<string>();
    for (const p of this.params) {
      // Optimizer state is kept per parameter name; nested nets need explicit layer names to keep them apart.
      if (names.has(p.name)) throw new RangeError(`${this.name}: two parameters are named '${p.name}'; give the layers of nested nets explicit names`);
      names.add(p.name);
    }
  }

  private assignNames(): void {
    const taken = new Set<string>();
    const explicit = (l: Layer) => !(l instanceof BaseLayer) || l.hasExplicitName;
    for (const l of this.layers) {
      if (!explicit(l)) continue;
      if (taken.has(l.name)) throw new RangeError(`${this.name}: two layers are named '${l.name}'; names must be unique within a net`);
      taken.add(l.name);
    }
    const counters = new Map<string, number>();
    for (const l of this.layers) {
      if (explicit(l)) continue;
      const base = l as BaseLayer;
      let k = counters.get(base.kind) ?? 0;
      while (taken.has(`${base.kind}${k}`)) k++;
      base.setName(`${base.kind}${k}`);
      taken.add(base.name);
      counters.set(base.kind, k + 1);
    }
  }

  /** Consecutive Linear layers must agree on widths (activations keep the width; other layers are not checked). */
  private checkWiring(): void {
    let width: number | null = null;
    let from = '';
    for (const l of this.layers) {
      if (l instanceof Linear) {
        if (width !== null && l.inFeatures !== width) {
          throw new RangeError(`${this.name}: ${l.name} expects ${l.inFeatures} input features but ${from} produces ${width}`);
        }
        width = l.outFeatures;
        from = l.name;
      } else if (!(l instanceof Activation)) {
        width = null;
      }
    }
  }

  protected checkInput(input: Tensor): void {
    checkTensorInput(this.name, 'input', input, '[batch, …] (what the first layer takes)');
  }

  /** Passes the mode on to every layer (Dropout is the one that cares), as `torch.nn.Module.train`. */
  protected override modeChanged(training: boolean): void {
    for (const l of this.layers) l.train?.(training);
  }

  /**
   * The output shape for an input shape, layer by layer; throws naming the first layer that cannot take
   * what the one before produces (e.g. `cnn()` checks that Flatten's width is Linear's in-features).
   */
  override outputShape(inputShape: readonly number[]): number[] {
    let shape = inputShape.slice();
    for (const l of this.layers) {
      if (!l.outputShape) throw new Error(`${this.name}: layer '${l.name}' does not declare its output shape`);
      shape = l.outputShape(shape);
    }
    return shape;
  }

  /** Scans the net input for NaN/∞ once, naming the first layer (which is where it would enter). */
  override forward(input: Tensor): Tensor {
    this.checkInput(input);
    const first = this.layers[0];
    // Shape errors (e.g. a wrong width, reported by the first layer) take precedence over the value scan.
    if (first instanceof BaseLayer) first.validateInput(input);
    // The message is only built when there is something to report (a string per step is an allocation).
    if (findNonFinite(input) >= 0) checkFinite(`${this.name} (input to ${first.name})`, input);
    return this.forwardTrusted(input);
  }

  protected compute(input: Tensor): Tensor {
    let x = input;
    const layers = this.layers;
    // Index loops in per-step code: an unoptimised for-of allocates an iterator per call.
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      x = layer instanceof BaseLayer ? layer.forwardTrusted(x) : layer.forward(x);
    }
    return x;
  }

  backward(gradOutput: Tensor): Tensor {
    this.checkNotDisposed('backward');
    let g = gradOutput;
    for (let i = this.layers.length - 1; i >= 0; i--) g = this.layers[i].backward(g);
    return g;
  }

  /**
   * Backward for the parameter gradients only: like `backward` but stops at the first layer with
   * parameters, which does not compute dL/d(its input) (what PyTorch skips when nothing before needs a
   * gradient). For a 784-256-10 net that saves one of the three 50×784×256 products of a training step,
   * for the CNN the first convolution's col2im pass. Returns nothing.
   */
  backwardParams(gradOutput: Tensor): void {
    this.checkNotDisposed('backwardParams');
    const layers = this.layers;
    const first = this.firstWithParams;
    if (first === layers.length) return;
    let g = gradOutput;
    for (let i = layers.length - 1; i > first; i--) g = layers[i].backward(g);
    const l = layers[first];
    if (hasBackwardParams(l)) l.backwardParams(g);
    else l.backward(g);
  }

  protected override ownParameters(): readonly Parameter[] {
    return this.params;
  }

  /** Dispose every layer (each frees its parameters and buffers; see BaseLayer.dispose). */
  protected override release(): void {
    for (const l of this.layers) l.dispose?.();
  }
}
