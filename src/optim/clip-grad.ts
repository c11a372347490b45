/**
 * Gradient-norm clipping as PyTorch 1.13's `torch.nn.utils.clip_grad_norm_`: the norm of all gradients
 * taken together (as if concatenated), and every gradient scaled in place by min(1, maxNorm/(norm + 1e-6)).
 *
 *     n_i   = ‖g_i‖_p  for each gradient (float32)          ‖·‖_∞ = max |·|
 *     total = ‖(n_1, …, n_k)‖_p  (float32)
 *     c     = min(1, maxNorm · 1/(total + 1e-6))             (float32: PyTorch computes max_norm / t as
 *                                                           t.reciprocal() * max_norm)
 *     g_i   ← c·g_i
 *
 * Parameters whose grad is null are ignored; with no gradients the norm is 0. Sums are accumulated in
 * double and rounded to float32 per tensor and for the total, so the returned norm can differ from
 * PyTorch's (which accumulates in float32 in its own order) by an ulp or two. For p ∉ {1, 2, ∞} the root
 * uses 1/p rounded to float32, as PyTorch's float32 kernel does (for p = 3 and sums near 1e-23 the
 * difference from the exact 1/3 is 1e-6 relative).
 *
 * How others differ: Keras's `clipnorm` clips each variable by its own norm and `global_clipnorm` uses the
 * 2-norm without the 1e-6; TensorFlow's `tf.clip_by_global_norm` scales by maxNorm/max(total, maxNorm).
 */
import type { ParameterLike } from './optimizer.js';
import { describe } from './checks.js';

const fround = Math.fround;

/**
 * Clip the gradients of `parameters` in place so that their joint `normType`-norm is at most `maxNorm`;
 * returns the norm before clipping. `normType` is a number (2 by default; `Infinity` or `'inf'` for the
 * max-norm). With `errorIfNonfinite`, a NaN or infinite norm throws instead of scaling (PyTorch's option).
 * All gradients are checked before any is changed.
 */
export function clipGradNorm(parameters: Iterable<ParameterLike> | ParameterLike, maxNorm: number, normType: number | 'inf' = 2, errorIfNonfinite = false): number {
  const p = normType === 'inf' ? Infinity : normType;
  if (typeof p !== 'number' || Number.isNaN(p)) throw new TypeError(`clipGradNorm: normType must be a number or 'inf', got ${describe(normType)}`);
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm)) throw new TypeError(`clipGradNorm: maxNorm must be a number, got ${describe(maxNorm)}`);
  // Not checked by PyTorch: a negative max_norm makes the clip coefficient negative, turning every
  // gradient around (an uphill step).
  if (maxNorm < 0) throw new RangeError(`clipGradNorm: maxNorm must be ≥ 0 (a negative one reverses the gradients), got ${maxNorm}`);
  if (typeof errorIfNonfinite !== 'boolean') throw new TypeError(`clipGradNorm: errorIfNonfinite must be a boolean, got ${describe(errorIfNonfinite)}`);
  if (!isParam(parameters) && (parameters === null || typeof parameters !== 'object' || typeof (parameters as Iterable<unknown>)[Symbol.iterator] !== 'function')) {
    throw new TypeError(`clipGradNorm: parameters must be a parameter or an iterable of parameters, got ${describe(parameters)}`);
  }
  const list: ParameterLike[] = isParam(parameters) ? [parameters] : Array.from(parameters as Iterable<ParameterLike>);
  const grads: Float32Array[] = [];
  list.forEach((param, i) => {
    if (!isParam(param)) throw new TypeError(`clipGradNorm: parameters[${i}] must be an object with a Float32Array 'data', got ${describe(param)}`);
    const g = param.grad;
    if (g == null) return;
    if (!(g instanceof Float32Array)) throw new TypeError(`clipGradNorm: parameters[${i}].grad must be a Float32Array, got ${describe(g)}`);
    if (g.length !== param.data.length) throw new RangeError(`clipGradNorm: parameters[${i}] has ${param.data.length} values but its grad has ${g.length}`);
    grads.push(g);
  });
  if (grads.length === 0) return 0;
  const norms = grads.map((g) => fround(pNorm(g, p)));
  const total = norms.length === 1 ? norms[0] : fround(pNorm(norms, p));
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new RangeError(`The total norm of order ${p} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set \`errorIfNonfinite=false\``);
  }
  let coef = fround(fround(1 / fround(total + fround(1e-6))) * fround(maxNorm));
  if (coef > 1) coef = 1; // torch.clamp(max=1.0); NaN stays NaN
  if (coef !== 1) for (const g of grads) for (let i = 0; i < g.length; i++) g[i] = fround(g[i] * coef);
  return total;
}

/** ‖x‖_p accumulated in double: p = ∞ → max |x|, −∞ → min |x|, 0 → count of non-zeros, else (Σ|x|^p)^(1/p). */
function pNorm(x: ArrayLike<number>, p: number): number {
  const n = x.length;
  if (p === Infinity || p === -Infinity) {
    if (n === 0) return p === Infinity ? 0 : Infinity;
    let m = Math.abs(x[0]);
    for (let i = 1; i < n; i++) {
      const a = Math.abs(x[i]);
      if (Number.isNaN(a)) return NaN;
      if (p === Infinity ? a > m : a < m) m = a;
    }
    return m;
  }
  let s = 0;
  if (p === 0) {
    for (let i = 0; i < n; i++) if (x[i] !== 0) s++;
    return s;
  }
  if (p === 1) {
    for (let i = 0; i < n; i++) s += Math.abs(x[i]);
    return s;
  }
  if (p === 2) {
    for (let i = 0; i < n; i++) s += x[i] * x[i];
    return Math.sqrt(s);
  }
  for (let i = 0; i < n; i++) s += Math.abs(x[i]) ** p;
  return s ** fround(1 / p); // PyTorch's float32 kernel raises to 1/p rounded to float32
}

function isParam(x: unknown): x is ParameterLike {
  return x !== null && typeof x === 'object' && (x as { data?: unknown }).data instanceof Float32Array;
}
