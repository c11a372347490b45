import { afterAll, describe, expect, it } from 'vitest';
import { optimKernelMode } from '../../src/optim/wasm/index.js';
import { OPTIMIZERS, RTOL, newDeviation, newKernelCount, onPath, optimizerFixture, runFromStart, runResumed, type Path } from './spec.js';

/**
 * Every optimizer against real PyTorch 1.13 (fixtures from tools/reference/optim.py, `foreach=False`): three
 * parameters of odd sizes (7×5, 13, 3 — whole SIMD vectors, remainders, and a parameter smaller than one
 * vector), ten steps whose gradients include an all-zero step, a step of magnitude 1e3 and one of 1e-8;
 * the 3-element parameter has no gradient on steps 1, 2 and 9 and must be skipped. Parameters are compared
 * after every step, and the final state dict entry by entry; then again after loading torch's state dict
 * saved at step 5 and continuing.
 *
 * One spec (./spec.ts), every implementation: the whole suite runs with the arrays on the JS heap (the
 * JavaScript step functions) and in WebAssembly memory (the SIMD kernels; vitest's Node has no relaxed
 * SIMD, so their exact-emulation lowering — the relaxed-SIMD FMA lowering runs the same spec in
 * relaxed.test.ts). The wasm run also checks that every update did run in WebAssembly.
 *
 * Tolerance: none — RTOL in ./spec.ts is 0, every value bit-identical to PyTorch's (0 ulp); the summary
 * printed at the end repeats the deviations seen. (With the former 1e-5 an operation-order change — two
 * roundings where PyTorch's fused kernel rounds once — passed; at 0 it fails 12 cases.)
 */
const PATHS: Path[] = ['js', 'wasm'];
const summary: Array<Record<string, string | number>> = [];

describe.each(PATHS)('on the %s path', (path) => {
  describe.each(OPTIMIZERS)('%s equals torch.optim 1.13', (name, Cls) => {
    const fx = optimizerFixture(name);
    const dev = newDeviation();
    const stateDev = newDeviation();
    const count = newKernelCount();

    it('has at least 10 configurations, 10 steps and PyTorch 1.13', () => {
      expect(fx.cases.length).toBeGreaterThanOrEqual(10);
      expect(fx.grads.length).toBe(10);
      expect(fx.torch.startsWith('1.13')).toBe(true);
    });

    it.each(fx.cases.map((c) => [c.name, c] as const))('%s: parameters after every step and the final state', (_n, c) => {
      expect(onPath(path, () => runFromStart(Cls, fx, c, dev, stateDev, count))).toBeNull();
    });

    it.each(fx.cases.map((c) => [c.name, c] as const))("%s: loading torch's state dict after step 5 and continuing", (_n, c) => {
      expect(onPath(path, () => runResumed(Cls, fx, c, dev, stateDev, count))).toBeNull();
    });

    it(`ran every update ${path === 'wasm' ? 'in WebAssembly' : 'in JavaScript'}`, () => {
      expect(count.updates).toBeGreaterThan(0);
      expect(count.wasm).toBe(path === 'wasm' ? count.updates : 0);
    });

    afterAll(() => {
      summary.push({
        path: path === 'wasm' ? `wasm (${optimKernelMode()})` : 'js',
        optimizer: fx.optimizer,
        configs: fx.cases.length,
        'values compared': dev.count + stateDev.count,
        'max rel dev (params)': dev.rel,
        'max ulps (params)': dev.ulps,
        'max rel dev (state)': stateDev.rel,
        'max ulps (state)': stateDev.ulps,
        'values not bit-identical': dev.differing + stateDev.differing,
        'updates in wasm': `${count.wasm}/${count.updates}`,
      });
    });
  });
});

describe('summary (asserted, not only printed)', () => {
  it('every optimizer on every path compared values and found every one bit-identical, with every update on the path it claims', () => {
    expect(summary).toHaveLength(PATHS.length * OPTIMIZERS.length);
    for (const row of summary) {
      const where = `${row.path} ${row.optimizer}`;
      expect(row['values compared'] as number, where).toBeGreaterThan(0);
      expect(row['values not bit-identical'], where).toBe(0);
      expect(row['max ulps (params)'], where).toBe(0);
      expect(row['max ulps (state)'], where).toBe(0);
      const [wasm, updates] = String(row['updates in wasm']).split('/').map(Number);
      expect(updates, where).toBeGreaterThan(0);
      expect(wasm, where).toBe(String(row.path).startsWith('wasm') ? updates : 0);
    }
  });
});

afterAll(() => {
  // The numbers the issue asks for: largest deviation from PyTorch per optimizer, per implementation.
  console.log(`Largest deviation from PyTorch 1.13 per optimizer and path (tolerance ${RTOL} relative):`);
  console.table(summary);
});
