import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

/**
 * Every ```ts block in README.md is a runnable example: each runs here as its own module (imports of
 * 'sparsity-lab/…' resolve to the sources, see vitest.config.ts), and what it logs is checked where the
 * README states the value in a comment.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
const workDir = join(root, 'test', '.readme-examples');

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

async function run(code: string, index: number): Promise<unknown[][]> {
  mkdirSync(workDir, { recursive: true });
  const file = join(workDir, `example-${index}.ts`);
  writeFileSync(file, code);
  const logged: unknown[][] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logged.push(args));
  try {
    await import(pathToFileURL(file).href);
  } finally {
    spy.mockRestore();
  }
  return logged;
}

describe('README examples', () => {
  it('has examples', () => expect(blocks.length).toBeGreaterThanOrEqual(5));

  it('input policy: each bad call logs the error the README shows', async () => {
    const index = blocks.findIndex((b) => b.includes('Input policy example'));
    expect(index).toBeGreaterThanOrEqual(0);
    const logs = (await run(blocks[index], index)).map(([line]) => String(line));
    const shown = [...blocks[index].matchAll(/^\/\/ ((?:Type|Range)Error: .*)$/gm)].map((m) => m[1]);
    expect(shown).toHaveLength(3);
    expect(logs).toEqual(shown);
  });

  it('one training step', async () => {
    const [[line]] = await run(blocks[0], 0);
    const loss = Number(String(line).replace('loss ', ''));
    expect(loss).toBeGreaterThan(2.0);
    expect(loss).toBeLessThan(2.6);
  });

  it('optimizers', async () => {
    const logs = await run(blocks[1], 1);
    // First Adam step: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps) ≈ ±0.1. Values printed by
    // torch 1.13 for the same step (Adam(lr=0.1, foreach=False)): the eps makes the first one round up.
    expect(logs[0][0]).toEqual([0.9000000357627869, -2.0999999046325684, 3.0999999046325684]);
    // SGD with momentum, first step: buffer = g, w − 0.1·1 (torch 1.13: [0.8999999761581421, 1.899999976158142]).
    expect(logs[1]).toEqual([[0.9, 1.9].map(Math.fround), true]);
  });

  it('metrics', async () => {
    const logs = await run(blocks[2], 2);
    expect(Array.from(logs[0][0] as Float64Array)).toEqual([1, 0]);
    expect(logs[0][1]).toBe(0.5);
    expect(logs[0][2]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(logs[0][3]).toBe(0.5);
    expect(logs[1][0]).toBeCloseTo(0.5 / (1.5 + 1e-7), 12);
    expect(logs[2][0]).toBe(true);
  });

  it('matrix multiply', async () => {
    const logs = await run(blocks[3], 3);
    expect(logs[0][0]).toEqual([17, 22, 27]);
    expect(logs[1][0]).toEqual([14, 32, 32, 77]);
  });

  it('speed and memory', async () => {
    const logs = await run(blocks[5], 5);
    expect(logs[0]).toEqual(['heap', 4]);
  });

  it('sparse inputs', async () => {
    const i = blocks.findIndex((b) => b.includes('SparseRows.fromDense'));
    const logs = await run(blocks[i], i);
    expect(logs.at(-1)).toEqual([true, 2]);
  });

  it('MNIST and samplers', async () => {
    const logs = await run(blocks[4], 4);
    expect(logs[0]).toEqual([60000, 10000, 784, true]);
    expect(logs[1][0]).toBe(60000);
  });

  it('convolutional nets and dropout', async () => {
    const i = blocks.findIndex((b) => b.includes('cnn({ rng })'));
    const logs = await run(blocks[i], i);
    expect(logs[0][0]).toEqual([2, 10]);
    expect(logs[1]).toEqual([[4, 8, 5, 10], [4, 8, 2, 5]]);
  });
});
