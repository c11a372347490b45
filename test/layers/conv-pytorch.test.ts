import { afterAll, describe, expect, it } from 'vitest';
import { activeGemmKernel, gemmKernels, useGemmKernel } from '../../src/tensor/gemm/index.js';
import { convCaseNames, loadConvCase, refElements, runConvCase } from './conv-fixtures.js';

/**
 * Conv2d, MaxPool2d, Flatten and the dissertation's CNN against real PyTorch 1.13 (fixtures from
 * tools/reference/conv.py; PyTorch's initial weights loaded with Parameter.assign, or for the CNN the
 * integer-hash weights both sides compute). Every layer's output, the loss, every parameter gradient and
 * dL/dinput, on every registered gemm kernel.
 *
 * Tolerance, per element, the same rule as the dense fixtures (pytorch.test.ts):
 *   |ours − torch| ≤ 1e-5 · (|torch| + 0.1 · max|torch over the tensor|).
 * The sums here are longer than the dense layers' (a conv weight gradient sums N·OH·OW = 1568 products in
 * the CNN case, the second convolution 288 per output), but float32 accumulation error grows as √terms:
 * √1568·2⁻²⁴ ≈ 2.4e-6 of the sum of |terms|, still inside 1e-5. PyTorch (oneDNN) and we sum in different
 * orders, hence no bit-exactness. MaxPool2d outputs and Flatten are exact copies (must be equal: any
 * wrong arg-max shows as a large error, and the tie case checks which tied element gets the gradient).
 * Sampled tensors (the CNN's large ones: every p-th element, p prime) are also checked on their sum over
 * all elements: |Σours − Σtorch| ≤ 1e-5 · Σ|torch|.
 * Loss: relative 1e-6.
 */
const RTOL = 1e-5;
const FLOOR = 0.1;
const defaultKernel = activeGemmKernel();
afterAll(() => {
  useGemmKernel(defaultKernel);
});

/** max over elements of |ours − ref| / bound (≤ 1 passes), with where it is reached. */
export function worst(ours: ArrayLike<number>, ref: ReturnType<typeof refElements>): { ratio: number; at: number } {
  let big = 0;
  for (const v of ref.values) big = Math.max(big, Math.abs(v));
  let ratio = 0, at = -1;
  ref.values.forEach((r, k) => {
    const i = ref.index[k];
    const d = Math.abs(ours[i] - r);
    const q = Number.isNaN(d) ? Infinity : d / (RTOL * (Math.abs(r) + FLOOR * big));
    if (q > ratio || at < 0) {
      ratio = Math.max(q, ratio);
      at = i;
    }
  });
  return { ratio, at };
}

const report: string[] = [];
afterAll(() => {
  if (process.env.CONV_REPORT) console.log(report.join('\n'));
});

describe.each(gemmKernels().map((k) => [k.name, k] as const))('conv layers against PyTorch fixtures (gemm kernel %s)', (kname, kernel) => {
  for (const name of convCaseNames) {
    it(name, () => {
      useGemmKernel(kernel);
      const c = loadConvCase(name);
      const run = runConvCase(c);
      if (run.loss) expect(Math.abs(run.loss.ours - run.loss.ref), `loss ours ${run.loss.ours} torch ${run.loss.ref}`).toBeLessThanOrEqual(1e-6 * Math.abs(run.loss.ref));
      let worstRatio = 0;
      for (const cmp of run.comparisons) {
        const ref = refElements(cmp.ref);
        expect(cmp.ours.length, `${cmp.what}: size`).toBe(ref.size);
        expect(Math.max(...ref.values.map(Math.abs)), `${cmp.what} is all zeros`).toBeGreaterThan(0);
        const w = worst(cmp.ours, ref);
        worstRatio = Math.max(worstRatio, w.ratio);
        expect(w.ratio, `${name}: ${cmp.what}[${w.at}] = ${cmp.ours[w.at]}, PyTorch ${ref.values[ref.index.indexOf(w.at)]}`).toBeLessThanOrEqual(1);
        if (!Array.isArray(cmp.ref)) {
          let s = 0;
          for (let i = 0; i < cmp.ours.length; i++) s += cmp.ours[i];
          expect(Math.abs(s - cmp.ref.sum), `${name}: sum of ${cmp.what}`).toBeLessThanOrEqual(RTOL * cmp.ref.absSum);
        }
        if (/maxpool\d output|flatten\d output/.test(cmp.what) && name.startsWith('pool')) expect(w.ratio, `${cmp.what} is a copy`).toBe(0);
      }
      report.push(`${kname} ${name}: worst ratio to the bound ${worstRatio.toFixed(3)}`);
    });
  }
});

describe('the conv fixtures', () => {
  it('exercise what they are named for', () => {
    const ties = loadConvCase('pool_ties');
    // The all-zero plane: every window ties, and PyTorch sends every gradient to the window's first (top-left) element.
    const g = ties.inputGrad as number[];
    const plane = g.slice(0, 36);
    const gout = ties.gradOutput!.slice(0, 16);
    for (let oh = 0; oh < 4; oh++) for (let ow = 0; ow < 4; ow++) expect(plane[oh * 6 + ow]).toBeCloseTo(gout[oh * 4 + ow], 6);
    expect(plane.filter((v, i) => v !== 0 && (i % 6 >= 4 || i >= 24)).length).toBe(0);
    const cnn = loadConvCase('dissertation_cnn_b2');
    expect(cnn.layers.map((l) => l.type).join(' ')).toBe('conv relu maxpool conv relu maxpool flatten linear sigmoid linear');
    expect(cnn.inputShape).toEqual([2, 1, 28, 28]);
  });
});
