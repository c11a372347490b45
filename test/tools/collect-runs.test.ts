/**
 * tools/collect-runs.ts: complete runs only are brought into the results tree, and a run one preset trained
 * is shared with every other preset that plans the same run id (in the tree and in the grid's folders).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectRuns } from '../../tools/collect-runs.js';

const baselineDir = new URL('../../results/dissertation/baseline/', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('collect-runs', () => {
  it('copies complete runs, never partial ones, and shares a run with the presets that plan it', () => {
    const root = mkdtempSync(join(tmpdir(), 'collect-'));
    dirs.push(root);
    const grid = join(root, 'grid'), tree = join(root, 'tree');
    mkdirSync(join(grid, 'baseline'), { recursive: true });
    const [complete, partial] = readdirSync(baselineDir).filter((f) => f.endsWith('.jsonl')).sort();
    copyFileSync(join(baselineDir, complete), join(grid, 'baseline', complete));
    // A run cut after its header and two epochs: not complete, never copied.
    const lines = readFileSync(join(baselineDir, partial), 'utf8').split('\n');
    writeFileSync(join(grid, 'baseline', partial), lines.slice(0, 3).join('\n') + '\n');
    writeFileSync(join(grid, 'baseline', `${partial.replace('.jsonl', '')}.ckpt`), 'checkpoint');

    const copied = collectRuns({ from: grid, to: tree, presets: ['baseline', 'conv', 'sorted'] });
    expect(readdirSync(join(tree, 'baseline'))).toEqual([complete]);
    // conv plans the baseline's 30-epoch MLP runs (same ids): shared into the tree and into the grid's conv folder.
    expect(existsSync(join(tree, 'conv', complete))).toBe(true);
    expect(existsSync(join(grid, 'conv', complete))).toBe(true);
    expect(existsSync(join(tree, 'sorted'))).toBe(false); // 100-epoch runs: other ids
    expect(copied.get('baseline')).toEqual({ toTree: 1, toGrid: 0 });
    expect(copied.get('conv')).toEqual({ toTree: 1, toGrid: 1 });
    // Nothing is overwritten, and a second pass copies nothing.
    writeFileSync(join(tree, 'conv', complete), 'kept');
    expect(collectRuns({ from: grid, to: tree, presets: ['baseline', 'conv'] }).size).toBe(0);
    expect(readFileSync(join(tree, 'conv', complete), 'utf8')).toBe('kept');
  });
});
