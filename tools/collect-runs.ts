/**
 * Bring finished runs into the committed results tree, and nothing half-written:
 *
 *   npx tsx tools/collect-runs.ts [--from DIR] [--to results/dissertation] [--dry-run]
 *
 * A long grid is best run outside the repository (`npm start -- run <preset> --out DIR/<preset>` for each
 * preset: checkpoints, locks and partial runs stay there). This tool then
 *
 * 1. copies every *complete* run (a line for every configured epoch, or a diverged line;
 *    src/experiments/results.ts `isComplete`) from `DIR/<preset>/` into `<to>/<preset>/` — partial runs,
 *    checkpoints and locks are never copied;
 * 2. shares runs between presets: a run that preset A planned and trained and preset B plans too (the same
 *    run id, i.e. the same configuration) is copied into `<to>/B/` and, with --from, into `DIR/B/` — so B's
 *    report sees it and B's sweep skips it (a shared results directory trains such a run once; separate
 *    preset folders need the copy).
 *
 * Existing files are never overwritten (runs are deterministic; a file present is kept). The header of a
 * shared run keeps the experiment/condition labels of the preset that trained it; analyses select runs by
 * configuration, not by label. Prints per preset what it copied.
 */
import { copyFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeDirs } from '../src/sweep/atomic.js';
import { isComplete, readResultsFile } from '../src/experiments/results.js';
import { loadSpec, presetNames } from '../src/experiments/presets.js';
import { expandSpec } from '../src/experiments/spec.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** run id → path of a complete run file, for every preset folder under `root`. */
function completeRuns(root: string): Map<string, string> {
  const found = new Map<string, string>();
  if (!existsSync(root)) return found;
  for (const preset of readdirSync(root)) {
    const dir = join(root, preset);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.jsonl')) continue;
      const path = join(dir, f);
      const { runs } = readResultsFile(path);
      const run = runs[runs.length - 1];
      if (run && isComplete(run) && !found.has(run.header.run)) found.set(run.header.run, path);
    }
  }
  return found;
}

function copyOnce(src: string, dir: string, id: string, dryRun: boolean): boolean {
  const dest = join(dir, `${id}.jsonl`);
  if (existsSync(dest)) return false;
  if (!dryRun) {
    makeDirs(dir);
    copyFileSync(src, dest);
  }
  return true;
}

export interface CollectOptions {
  /** The grid's output tree (one folder per preset), or none: share within `to` only. */
  from?: string;
  to: string;
  dryRun?: boolean;
  /** The presets whose plans decide where runs go (default: every preset). */
  presets?: string[];
}

/** What went where: preset → runs copied into `to` and into `from`. */
export function collectRuns(options: CollectOptions): Map<string, { toTree: number; toGrid: number }> {
  const { from, to, dryRun = false } = options;
  // Complete runs anywhere: the committed tree first (what is committed wins), then the grid's output.
  const runs = completeRuns(to);
  if (from) for (const [id, path] of completeRuns(from)) if (!runs.has(id)) runs.set(id, path);
  const copied = new Map<string, { toTree: number; toGrid: number }>();
  for (const preset of options.presets ?? presetNames()) {
    const plan = expandSpec(loadSpec(preset), { planPending: true });
    let toTree = 0;
    let toGrid = 0;
    for (const run of plan) {
      const src = runs.get(run.id);
      if (src === undefined) continue;
      if (copyOnce(src, join(to, preset), run.id, dryRun)) toTree++;
      if (from && copyOnce(src, join(from, preset), run.id, dryRun)) toGrid++;
    }
    if (toTree + toGrid > 0) copied.set(preset, { toTree, toGrid });
  }
  return copied;
}

function main(args: string[]): void {
  const from = option(args, 'from');
  const to = option(args, 'to') ?? 'results/dissertation';
  const dryRun = args.includes('--dry-run');
  for (const [preset, n] of collectRuns({ from, to, dryRun })) {
    console.log(`${preset}: ${n.toTree} run(s) into ${join(to, preset)}${from ? `, ${n.toGrid} into ${join(from, preset)}` : ''}${dryRun ? ' (dry run)' : ''}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
