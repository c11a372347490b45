import { expect } from 'vitest';

/**
 * Results text with what legitimately differs between two equal runs taken out: the wall-clock fields of
 * every epoch (`seconds`, `train_seconds`, `eval_seconds` → 0) and the header's provenance of the process that
 * wrote it (`started_utc`, `command_line` → removed). Everything else — every number the run computed —
 * is kept byte for byte. Lines that are not JSON (a torn last line) are kept as they are.
 */
export function withoutTiming(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (line === '') return line;
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return line;
      }
      for (const k of ['seconds', 'train_seconds', 'eval_seconds']) if (k in r) r[k] = 0;
      const p = r.provenance as Record<string, unknown> | undefined;
      if (p && typeof p === 'object') {
        delete p.started_utc;
        delete p.command_line;
      }
      return JSON.stringify(r);
    })
    .join('\n');
}

/**
 * The same records up to float32 rounding order: a run in WebAssembly memory takes the SIMD sigmoid and the
 * sparse-input first layer (src/tensor/gemm/sparse.ts), which round differently from the JS-heap path
 * (observed: ~1e-9 relative); a wrong formula or a lost step is orders of magnitude above 1e-6.
 */
export function expectSameUpToRounding(a: unknown, b: unknown, path = 'record'): void {
  if (typeof a === 'number' && typeof b === 'number') {
    expect(Math.abs(a - b), `${path}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b)));
  } else if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    expect(Object.keys(a), path).toEqual(Object.keys(b));
    for (const k of Object.keys(a)) expectSameUpToRounding((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
  } else expect(a, path).toEqual(b);
}
