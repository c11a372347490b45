import { describeValue } from '../tensor/describe.js';
import { sgemm } from '../tensor/gemm/index.js';
import { chooseSparseKernel, type SparseInputKernel } from '../tensor/gemm/sparse.js';
import type { SparseRows } from '../tensor/gemm/sparse-rows.js';
import { GradColumns } from '../tensor/gemm/grad-columns.js';
import { addColumnSums, fillRows } from '../tensor/ops.js';
import type { Rng } from '../tensor/random.js';
import { Tensor, shapeString } from '../tensor/tensor.js';
import { BaseLayer } from './base.js';
import { RowBuffers } from './buffers.js';
import { Parameter } from './parameter.js';
import { checkBatchInput, checkGradShape } from './validate.js';

export interface LinearOptions {
  /** Draws the initial weights and bias. Required: nothing in the library is random without a seed. */
  rng: Rng;
  /** Default true. */
  bias?: boolean;
  name?: string;
}

function checkFeatures(what: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`Linear: ${what} must be a positive integer, got ${describeValue(n)}`);
}

/**
 * A fully connected layer in PyTorch's layout: weight W is [out, in], bias b is [out].
 *
 *   forward:  Y = X·Wᵀ + 1·bᵀ          X [batch, in] → Y [batch, out]     (sgemm NT, C pre-filled with b, beta 1)
 *   backward: dX = dY·W                                                   (sgemm NN)
 *             dW += dYᵀ·X                                                  (sgemm TN, beta 1: accumulates)
 *             db += dYᵀ·1  (column sums of dY)
 *
 * No product transposes anything explicitly; the transposes are sgemm layout flags. Filling Y with b and
 * letting gemm add X·Wᵀ onto it (beta = 1) is also how PyTorch's `addmm` evaluates `F.linear`.
 *
 * The input of the last forward is kept by reference (not copied) for dW: do not overwrite it between
 * forward and backward.
 *
 * Sparse input (a first layer fed raw pixels): {@link setSparseInput} offers the block form of an input
 * tensor (../tensor/gemm/sparse-rows.ts); a forward on that very tensor then computes Y = X·Wᵀ + b and
 * the backward dW += dYᵀ·X over X's non-zero blocks only, when `chooseSparseKernel` takes the sparse path
 * (mode 'auto': the operands are in the WebAssembly heap and the batch is sparse enough). W stays in
 * PyTorch's [out, in] layout either way; results differ from the dense path in float32 summation order.
 *
 * Initialisation as `torch.nn.Linear.reset_parameters`: W and b uniform on (−1/√in, 1/√in) — PyTorch
 * reaches that bound through kaiming_uniform_(a = √5): gain √(2/(1+5)) · √(3/in) = 1/√in. Weights are drawn
 * first (row-major), then the bias, from the given Rng. (Keras' Dense instead defaults to Glorot-uniform
 * weights and zero bias; TF.js follows Keras.)
 */
export class Linear extends BaseLayer {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Parameter;
  /** null when constructed with `bias: false`. */
  readonly bias: Parameter | null;
  private readonly params: Parameter[];
  private readonly biasVector: Tensor | null;
  private readonly biasGradVector: Tensor | null;
  private readonly outputs: RowBuffers;
  private readonly inputGrads: RowBuffers;
  /** The input of the last forward (kept by reference, not copied: dW needs it). */
  private lastInput: Tensor | null = null;
  private lastOutput: Tensor | null = null;
  /** The tensor whose block form is {@link sparseRows} (see {@link setSparseInput}). */
  private sparseSource: Tensor | null = null;
  private sparseRows: SparseRows | null = null;
  /** False while `sparseSource` does not hold the rows of `sparseRows` yet (see setSparseInput). */
  private sparseSourceFilled = true;
  /** The sparse kernel of the last forward (null: it was dense) and the block form it read. */
  private lastKernel: SparseInputKernel | null = null;
  private lastSparse: SparseRows | null = null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions) {
    super('linear', options?.name);
    checkFeatures('inFeatures', inFeatures);
    checkFeatures('outFeatures', outFeatures);
    if (!options || typeof options.rng?.uniform !== 'function') {
      throw new TypeError('Linear: options.rng (an Rng) is required to initialise the weights');
    }
    if (options.bias !== undefined && typeof options.bias !== 'boolean') throw new TypeError(`Linear: options.bias must be a boolean, got ${describeValue(options.bias)}`);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = new Parameter(`${this.name}.weight`, [outFeatures, inFeatures]);
    this.bias = options.bias === false ? null : new Parameter(`${this.name}.bias`, [outFeatures]);
    this.params = this.bias ? [this.weight, this.bias] : [this.weight];
    this.biasVector = this.bias ? new Tensor(this.bias.data, [outFeatures]) : null;
    this.biasGradVector = this.bias ? new Tensor(this.bias.grad, [outFeatures]) : null;
    this.outputs = new RowBuffers(outFeatures);
    this.inputGrads = new RowBuffers(inFeatures);
    this.resetParameters(options.rng);
  }

  /** Redraw W and b uniform on (−1/√in, 1/√in) from `rng` (weights first, then bias). */
  resetParameters(rng: Rng): void {
    const bound = 1 / Math.sqrt(this.inFeatures);
    rng.fillUniform(this.weight.data, -bound, bound);
    if (this.bias) rng.fillUniform(this.bias.data, -bound, bound);
  }

  protected override renamed(name: string): void {
    this.weight.rename(`${name}.weight`);
    this.bias?.rename(`${name}.bias`);
  }

  protected checkInput(input: Tensor): void {
    checkBatchInput(this.name, 'input', input, this.inFeatures);
  }

  /** [batch, in] → [batch, out]. */
  override outputShape(inputShape: readonly number[]): number[] {
    if (inputShape.length !== 2 || inputShape[1] !== this.inFeatures) {
      throw new RangeError(`${this.name}: expected input of shape [batch, ${this.inFeatures}], got ${shapeString(inputShape)}`);
    }
    return [inputShape[0], this.outFeatures];
  }

  /**
   * Offer `rows`, the block form of `source` (same values, same row order), to the forwards whose input
   * is `source` itself (the object); any other input takes the dense path. `null, null` withdraws it.
   * The caller refills `rows` together with `source` and, like the input itself, must not change either
   * between a forward and its backward.
   *
   * `sourceFilled: false` says `source` does not hold the rows yet (a training loop that gathers only
   * the block form): a forward that takes the dense path then writes them into `source` first
   * (`rows.toDense`), and one that takes the sparse path never reads it. Only the forward reads `source`
   * then — its NaN scan (`forward`, not `forwardTrusted`) would see stale values.
   */
  setSparseInput(source: Tensor | null, rows: SparseRows | null, sourceFilled = true): void {
    if ((source === null) !== (rows === null)) throw new TypeError(`${this.name}: setSparseInput takes a tensor and its block form, or null and null`);
    if (rows !== null && rows.features !== this.inFeatures) {
      throw new RangeError(`${this.name}: setSparseInput: the block form has ${rows.features} features, the layer takes ${this.inFeatures}`);
    }
    this.sparseSourceFilled = sourceFilled;
    this.sparseSource = source;
    this.sparseRows = rows;
    // Track dW's non-zero columns while a block form is offered (zeroGrad and SGD/Adagrad then skip the rest).
    const w = this.weight;
    if (rows !== null && w.gradColumns === null) w.gradColumns = new GradColumns(this.outFeatures, this.inFeatures);
    else if (rows === null && w.gradColumns !== null) {
      w.gradColumns.dispose();
      w.gradColumns = null;
    }
  }

  /** Whether the last forward took the sparse-input path (its backward will too). */
  get lastForwardSparse(): boolean {
    return this.lastKernel !== null;
  }

  protected compute(x: Tensor): Tensor {
    const batch = x.shape[0];
    const y = this.outputs.get(batch);
    const sp = this.sparseRows;
    const kernel = sp !== null && x === this.sparseSource && sp.rows === batch ? chooseSparseKernel(sp, this.weight.data, y.data) : null;
    this.lastKernel = kernel;
    this.lastSparse = kernel === null ? null : sp;
    if (kernel !== null) {
      if (this.biasVector) fillRows(y, this.biasVector);
      else y.data.fill(0);
      kernel.forward(sp!, this.outFeatures, this.weight.data, 0, this.inFeatures, y.data, 0, this.outFeatures);
      this.lastInput = x;
      this.lastOutput = y;
      return y;
    }
    if (x === this.sparseSource && !this.sparseSourceFilled && sp !== null && sp.rows === batch) {
      sp.toDense(x.data, x.offset);
      this.sparseSourceFilled = true;
    }
    if (this.biasVector) fillRows(y, this.biasVector);
    // Y[batch, out] = X[batch, in] · W[out, in]ᵀ (+ Y when it holds the bias).
    sgemm(false, true, batch, this.outFeatures, this.inFeatures, 1, x.data, x.offset, this.inFeatures,
      this.weight.data, 0, this.inFeatures, this.biasVector ? 1 : 0, y.data, 0, this.outFeatures);
    this.lastInput = x;
    this.lastOutput = y;
    return y;
  }

  backward(gradOutput: Tensor): Tensor {
    const dY = this.accumulate(gradOutput);
    const batch = dY.shape[0];
    const dX = this.inputGrads.get(batch);
    // dX[batch, in] = dY[batch, out] · W[out, in].
    sgemm(false, false, batch, this.inFeatures, this.outFeatures, 1, dY.data, dY.offset, this.outFeatures,
      this.weight.data, 0, this.inFeatures, 0, dX.data, 0, this.inFeatures);
    return dX;
  }

  /**
   * The parameter half of `backward`: adds dW and db, skips dX (one of the three batch×in×out products).
   * What PyTorch does for a first layer, whose input does not require grad.
   */
  backwardParams(gradOutput: Tensor): void {
    this.accumulate(gradOutput);
  }

  private accumulate(dY: Tensor): Tensor {
    this.checkNotDisposed('backward');
    const x = this.lastInput;
    if (x === null || this.lastOutput === null) throw new Error(`${this.name}: backward called before forward`);
    checkGradShape(this.name, dY, this.lastOutput);
    const batch = dY.shape[0];
    const kernel = this.lastKernel;
    // dW[out, in] += dY[batch, out]ᵀ · X[batch, in].
    const columns = this.weight.gradColumns;
    if (kernel !== null) {
      columns?.addBlocks(this.lastSparse!);
      kernel.gradWeight(this.lastSparse!, this.outFeatures, dY.data, dY.offset, this.outFeatures, this.weight.grad, 0, this.inFeatures);
    } else {
      if (columns !== null) columns.all = true;
      sgemm(true, false, this.outFeatures, this.inFeatures, batch, 1, dY.data, dY.offset, this.outFeatures,
      x.data, x.offset, this.inFeatures, 1, this.weight.grad, 0, this.inFeatures);
    }
    if (this.biasGradVector) addColumnSums(this.biasGradVector, dY);
    return dY;
  }

  protected override ownParameters(): readonly Parameter[] {
    return this.params;
  }

  protected override release(): void {
    for (const p of this.params) p.dispose();
    this.outputs.dispose();
    this.inputGrads.dispose();
    this.lastInput = null;
    this.lastOutput = null;
    this.sparseSource = null;
    this.sparseRows = null;
    this.lastSparse = null;
  }
}
