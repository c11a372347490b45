import { afterAll, describe, expect, it } from 'vitest';
import { activeGemmKernel, gemmKernels, useGemmKernel } from '../../src/tensor/gemm/index.js';
import { FLOOR, RTOL, caseNames, deviation, loadCase, maxAbsOf, runCase } from './fixtures.js';

/**
 * Our layers against real PyTorch 1.13 (fixtures from tools/reference/foundation.py; the initial weights
 * are PyTorch's, loaded with Parameter.assign). For every case: every layer's output, the loss, every
 * parameter gradient and dL/dinput.
 *
 * Tolerance, per element: |ours − torch| ≤ 1e-5 · (|torch| + 0.1 · max|torch over the tensor|).
 * - 1e-5 relative is float32 rounding order: PyTorch sums K float32 terms (K up to 784 here) with an error
 *   of about √K·2⁻²⁴ ≈ 2e-6 of Σ|terms|, and its exp/sigmoid are within a few ulps; we evaluate each value
 *   in float64 and round once (or accumulate in float32 in a different order inside gemm).
 * - The absolute part, 1e-6 of the tensor's largest magnitude, covers elements that are small because
 *   their terms cancel: their rounding error is set by the size of the terms (comparable to the tensor's
 *   large elements), not by the result. E.g. linear0.weight.grad of the 784-256-10 case has elements of
 *   1e-8 whose PyTorch value is only good to ~1e-9 absolute.
 * The largest deviation measured is 0.34 of this bound over all gemm kernels (print all with `npx tsx test/layers/deviations.ts`).
 * Loss: relative 1e-6 (a float32 mean of ≤ 50 terms; measured ≤ 1.1e-7).
 * Every case runs with every registered gemm kernel (one spec for every implementation).
 */
const defaultKernel = activeGemmKernel();
afterAll(() => {
  useGemmKernel(defaultKernel);
});
describe.each(gemmKernels().map((k) => [k.name, k] as const))('layers against PyTorch fixtures (gemm kernel %s)', (_name, kernel) => {
  for (const name of caseNames) {
    it(name, () => {
      useGemmKernel(kernel);
      const c = loadCase(name);
      const run = runCase(c);
      if (run.loss) {
        expect(Math.abs(run.loss.ours - run.loss.ref), `loss ours ${run.loss.ours} torch ${run.loss.ref}`).toBeLessThanOrEqual(1e-6 * Math.abs(run.loss.ref));
      }
      for (const cmp of run.comparisons) {
        // A reference of all zeros would make the comparison vacuous.
        expect(maxAbsOf(cmp.ref), `${cmp.what} is all zeros`).toBeGreaterThan(0);
        const d = deviation(cmp.ours, cmp.ref);
        const i = d.at;
        const tol = RTOL * (Math.abs(cmp.ref[i]) + FLOOR * maxAbsOf(cmp.ref));
        expect(d.boundRatio, `${name}: ${cmp.what}[${i}] = ${cmp.ours[i]}, PyTorch ${cmp.ref[i]} (tolerance ${tol.toExponential(2)})`).toBeLessThanOrEqual(1);
      }
    });
  }
});

describe('the PyTorch fixtures', () => {
  it('the fixtures exercise the regimes they are named for', () => {
    const maxAbs = (a: number[]) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const logits = (n: string) => loadCase(n).outputs.at(-1)!;
    expect(maxAbs(logits('logits_100'))).toBeGreaterThan(100);
    expect(maxAbs(logits('logits_1000_sum'))).toBeGreaterThan(1000);
    expect(maxAbs(loadCase('softmax_1e4').input)).toBe(1e4);
    const pre = loadCase('preact_800').outputs[0];
    expect(pre.filter((v) => Math.abs(v) > 800).length).toBeGreaterThan(10);
    // Saturated units have σ exactly 0 or 1 in float32 and a zero local gradient; unsaturated ones remain.
    const sig = loadCase('preact_800').outputs[1];
    expect(sig.filter((v) => v === 0 || v === 1).length).toBeGreaterThan(10);
    expect(sig.filter((v) => v > 0.01 && v < 0.99).length).toBeGreaterThan(10);
    expect(loadCase('logits_1000_sum').reduction).toBe('sum');
    expect(loadCase('relu_tanh_sum').layers.map((l) => l.type)).toEqual(['linear', 'relu', 'linear', 'tanh', 'linear']);
  });
});
