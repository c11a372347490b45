import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Dropout } from '../../src/layers/index.js';
import { Rng } from '../../src/tensor/random.js';
import { fromArray } from '../../src/tensor/tensor.js';

/**
 * Dropout against PyTorch 1.13 (test/fixtures/conv/dropout.json from tools/reference/conv.py:
 * F.dropout(x, p, training=True) on 2000 values and the gradient of Σ w·y). PyTorch's masks come from its
 * own generator, so masks differ; what must agree exactly (bit for bit, tolerance 0) is the scaling: every
 * element PyTorch kept is fround(x · s) with our s = fround(1/fround(1 − p)), and its gradient w · s; every
 * element we keep and PyTorch kept has PyTorch's value. The kept fraction is within 4.5 standard deviations
 * of 1 − p on both sides (a deterministic seed, so this is not flaky: it either always passes or never).
 */
interface DropoutCase {
  p: number;
  output: number[];
  inputGrad: number[];
}
const fixture = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/conv/dropout.json', import.meta.url)), 'utf8')) as {
  input: number[];
  weights: number[];
  cases: DropoutCase[];
};

describe('Dropout against PyTorch', () => {
  const x = fromArray(fixture.input, [fixture.input.length]);
  const w = fromArray(fixture.weights, [fixture.weights.length]);
  for (const c of fixture.cases) {
    it(`p = ${c.p}`, () => {
      const d = new Dropout(c.p, { rng: new Rng(`dropout-${c.p}`) });
      const y = d.forward(x).toFloat32Array();
      const dx = d.backward(w).toFloat32Array();
      const ref = Float32Array.from(c.output), refGrad = Float32Array.from(c.inputGrad);
      const s = c.p < 1 ? Math.fround(1 / Math.fround(1 - c.p)) : 0;
      let torchKept = 0, oursKept = 0, both = 0;
      for (let i = 0; i < x.size; i++) {
        const xi = x.data[i];
        const tk = ref[i] !== 0, ok = y[i] !== 0;
        torchKept += +tk;
        oursKept += +ok;
        if (tk) {
          expect(ref[i], `PyTorch's kept value ${i}`).toBe(Math.fround(xi * s));
          expect(refGrad[i], `PyTorch's gradient ${i}`).toBe(Math.fround(w.data[i] * s));
        } else {
          // Dropped: x · 0 (so −0 for negative x, as PyTorch's input * mask).
          expect(ref[i]).toBe(xi * 0);
          expect(refGrad[i]).toBe(w.data[i] * 0);
        }
        if (ok) {
          expect(y[i]).toBe(Math.fround(xi * s));
          expect(dx[i]).toBe(Math.fround(w.data[i] * s));
          if (tk) both++;
        } else {
          expect(y[i]).toBe(xi * 0);
          expect(dx[i]).toBe(w.data[i] * 0);
        }
      }
      const n = x.size, keep = 1 - c.p, sd = Math.sqrt(n * keep * (1 - keep));
      for (const kept of [torchKept, oursKept]) expect(Math.abs(kept - n * keep)).toBeLessThanOrEqual(4.5 * sd + 1e-9);
      if (c.p > 0 && c.p < 1) expect(both).toBeGreaterThan(0);
      if (c.p === 0) expect(Array.from(y)).toEqual(Array.from(x.data));
    });
  }
});
