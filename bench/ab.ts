/**
 * `npm run bench -- ab --base <rev> [--head <rev>] [--rounds 5] [--metric cpu_step_ms] [--key f1,f2] -- <bench> [bench flags]`:
 * a paired A/B comparison of two commits' code on one of these benchmarks, e.g.
 *
 *   npm run bench -- ab --base main --rounds 5 -- epoch --batch-size 1 --optimizers sgd --inputs mnist --paths sparse --no-test
 *
 * Each revision is exported once (`git archive`, into /tmp/sparsity-lab-ab/<sha>; the repository and its
 * worktrees are not touched) with this checkout's node_modules linked in; `--head` defaults to the working
 * tree as it is. Then, round by round, the bench runs with `--json --rounds 1` in each — alternating which
 * goes first (ABBA), so a drift in the machine's load hits both alike — and the rows are matched by their
 * string fields. The table gives each side's median of `--metric` and the median over rounds of the paired
 * ratio base ÷ head (> 1: head is faster when the metric is a time). On a shared machine prefer CPU-time
 * metrics (`cpu_step_ms`, or the `*_us` of `bench sparse`, which are CPU time too).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { median, printTable } from './harness.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const ROOT = resolve(import.meta.dirname ?? '.', '..');

/** A directory holding `rev`'s tree (exported once), or this checkout for 'WORKTREE'. */
function checkout(rev: string): { dir: string; label: string } {
  if (rev === 'WORKTREE') return { dir: ROOT, label: 'worktree' };
  const sha = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = join('/tmp/sparsity-lab-ab', sha);
  if (!existsSync(join(dir, 'package.json'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync('bash', ['-c', `git archive ${sha} | tar -x -C ${JSON.stringify(dir)}`], { cwd: ROOT });
  }
  if (!existsSync(join(dir, 'node_modules'))) symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dir, 'node_modules'));
  return { dir, label: `${rev} (${sha.slice(0, 8)})` };
}

type Row = Record<string, unknown>;

function runBench(dir: string, bench: string[]): Row[] {
  const r = spawnSync('node', ['--experimental-wasm-relaxed-simd', '--import', 'tsx', 'bench/run.ts', ...bench, '--json', '--rounds', '1'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`bench ab: '${bench.join(' ')}' failed in ${dir}:\n${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Row);
}

/** Rows match on `fields` when given (e.g. `--key optimizer` against a revision whose bench names fewer fields), else on every string field. */
const keyOf = (row: Row, fields: string[] | null): string =>
  fields
    ? fields.map((k) => `${k}=${String(row[k])}`).join(' ')
    : Object.entries(row).filter(([k, v]) => typeof v === 'string' || k === 'batch_size' || k === 'batch').map(([k, v]) => `${k}=${String(v)}`).join(' ');

export async function main(args: string[]): Promise<void> {
  const sep = args.indexOf('--');
  if (sep < 0 || sep === args.length - 1) throw new Error('usage: npm run bench -- ab --base <rev> [--head <rev>] [--rounds N] [--metric M] -- <bench> [flags]');
  const own = args.slice(0, sep), bench = args.slice(sep + 1);
  const baseRev = option(own, 'base');
  if (!baseRev) throw new Error('bench ab: --base <rev> is required');
  const rounds = Number(option(own, 'rounds') ?? 5);
  const metric = option(own, 'metric') ?? 'cpu_step_ms';
  const keyFields = option(own, 'key')?.split(',') ?? null;
  const sides = [checkout(baseRev), checkout(option(own, 'head') ?? 'WORKTREE')];
  const values = new Map<string, [number[], number[]]>();
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    const got: Row[][] = [[], []];
    for (const s of order) got[s] = runBench(sides[s].dir, bench);
    for (const s of [0, 1]) {
      for (const row of got[s]) {
        const v = row[metric];
        if (typeof v !== 'number' || !Number.isFinite(v)) continue;
        const k = keyOf(row, keyFields);
        if (!values.has(k)) values.set(k, [[], []]);
        values.get(k)![s][r] = v;
      }
    }
    process.stderr.write(`round ${r + 1}/${rounds} done\n`);
  }
  const rows = [...values.entries()].map(([k, [a, b]]) => {
    const paired = a.map((v, i) => (b[i] !== undefined && v !== undefined ? v / b[i] : NaN)).filter(Number.isFinite);
    return { case: k, [`base ${metric}`]: median(a.filter((v) => v !== undefined)), [`head ${metric}`]: median(b.filter((v) => v !== undefined)), 'base÷head': paired.length ? median(paired) : NaN, pairs: paired.length };
  });
  console.log(`A/B: base ${sides[0].label} vs head ${sides[1].label}; ${rounds} interleaved rounds of: ${bench.join(' ')}`);
  printTable(rows);
}
