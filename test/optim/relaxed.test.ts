import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * vitest's workers start Node without `--experimental-wasm-relaxed-simd`, so the optimizer kernels'
 * relaxed-SIMD lowering — a hardware FMA, the default wherever the flag is given and the engine's relaxed
 * madd is verified fused, as under `npm run bench` and the CLI — is checked in a child process that runs
 * the same specs (./kernel-spec.ts, ./spec.ts: every kernel variant against the JavaScript step
 * functions, and the PyTorch fixtures including the double-rounding cases) with the flag.
 */
describe('optimizer kernels with relaxed SIMD (child process with --experimental-wasm-relaxed-simd)', () => {
  it('pass the kernel spec and the PyTorch fixtures bit for bit', () => {
    const script = fileURLToPath(new URL('./relaxed-run.ts', import.meta.url));
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', script], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    console.log(out.trim());
    expect(r.status, out).toBe(0);
    if (out.includes('default mode: fma')) expect(out).toMatch(/mode fma: \d+ checks, \d+ fixture values \(0 not bit-identical\), (\d+)\/\1 updates in wasm, 0 failures/);
    else expect(out).toContain('relaxed madd is not a fused multiply-add here');
  });
});
