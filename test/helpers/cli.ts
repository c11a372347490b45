/**
 * The harness of the in-process CLI tests: console output captured per test (`io.out`, `io.err`, emptied in
 * place before each test and by `clear`), `process.exitCode` reset, and temporary directories removed after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, vi } from 'vitest';

export const argv = (...args: string[]): string[] => ['node', 'sparsity-lab', ...args];

export function captureCli(prefix: string): { io: { out: string[]; err: string[] }; clear: (lines: string[]) => void; tempDir: () => string } {
  const io = { out: [] as string[], err: [] as string[] };
  const dirs: string[] = [];
  const clear = (lines: string[]): void => void lines.splice(0);
  beforeEach(() => {
    clear(io.out);
    clear(io.err);
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void io.out.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void io.err.push(a.join(' ')));
    process.exitCode = undefined;
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  return { io, clear, tempDir };
}
