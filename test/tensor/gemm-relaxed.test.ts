import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * vitest's workers start Node without `--experimental-wasm-relaxed-simd`, so the relaxed-SIMD (FMA)
 * kernel — the default wherever the flag is given, as `npm run bench` and the CLI do — is checked in a
 * child process that runs the same spec (./gemm-spec.ts) with the flag.
 */
describe('relaxed-SIMD gemm kernel (child process with --experimental-wasm-relaxed-simd)', () => {
  it('passes the gemm spec, plain and tiny-block variants, heap and wasm-memory operands, and is the default', () => {
    const script = fileURLToPath(new URL('./gemm-relaxed-run.ts', import.meta.url));
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', script], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).toContain('default kernel: wasm-relaxed');
    expect(out).toMatch(/4 kernels, 0 failures/);
    expect(r.status, out).toBe(0);
  });
});
