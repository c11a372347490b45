import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * vitest's workers lack `--experimental-wasm-relaxed-simd`, so the 'fma'-mode column-run SGD kernel (what
 * the CLI and benches run) is checked bit-identical to the full step in a child process with the flag.
 */
describe('column-run optimizer steps under relaxed SIMD (child process)', () => {
  it('the SGD, Adagrad and Adadelta block-run kernels equal the full step bit for bit', () => {
    const script = fileURLToPath(new URL('./sparse-input-relaxed-run.ts', import.meta.url));
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', script], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).toContain('optimizer kernel mode: fma; block-run kernels: present');
    expect(out).toMatch(/\n0 failures/);
    expect(r.status, out).toBe(0);
  });
});
