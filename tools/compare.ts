/**
 * Side-by-side agreement check: our results against the PyTorch reference (tools/pytorch/baseline.py),
 * per condition and epoch.
 *
 *   npx tsx tools/compare.ts --ours <file|dir>... --torch <file|dir>... [--metrics a,b,c] [--markdown]
 *
 * Each side is read with the project's results reader (a JSONL file or a directory of them; several paths
 * are merged) and summarised per condition and epoch with src/experiments/summary.ts. Conditions are
 * matched by label (e.g. "adam"); configuration fields that differ between the two sides, other than
 * `epochs` and `seed`, are printed as a warning, since they would make the comparison meaningless.
 *
 * The two implementations draw different random streams (weights, shuffles), so they cannot agree run by
 * run; they should agree as distributions over seeds. The criterion, for each condition, epoch and metric:
 *
 *   D   = mean_ours − mean_torch                      (means over each side's seeds)
 *   tol = max( 2·√(SEM_ours² + SEM_torch²),  range_torch,  range_ours )
 *         with SEM = sample std / √n and range = max − min over that side's seeds
 *   agree  ⇔  |D| ≤ tol
 *
 * 2·√(SEM² + SEM²) is two standard errors of a difference of means; the ranges keep the tolerance from
 * collapsing when a side's few seeds happen to land close together (with n = 2, SEM = range/2 and the SEM term
 * dominates; with n ≥ 3 the range is the larger). How often this flags a true agreement depends on n: with
 * n = 2 seeds on each side about 18 % of checks flag by chance (|D| ~ N(0, σ²) against a tolerance built from
 * two single-degree-of-freedom spreads: P(|t₂| > 2)); with 10 torch seeds the torch range alone is about 3σ
 * (σ = the seed-to-seed std) and chance flags become rare. The price of that is leniency: a true shift smaller
 * than the torch range passes. Two sharper columns are printed next to it: z = D / √(SEM_ours² + SEM_torch²)
 * (|z| > 2 in about 5 % of checks by chance, more with few seeds), and whether our mean lies inside the torch
 * seeds' [min, max]. Flags at one epoch tend to repeat at the next (the same runs continue), and in the torch
 * script the four optimizers of one seed start from the same weights (torch.manual_seed(seed) before each
 * model; ours derive each run's streams from seed and configuration), so one unusual torch seed shifts all
 * four optimizers alike: read the pattern, not the count.
 */
import { existsSync, statSync } from 'node:fs';
import { readResultsDir, readResultsFile, type RunResult } from '../src/experiments/results.js';
import { CORE_METRICS, TRAIN_METRICS, WEIGHTED_METRICS, epochMetricValues, summarize, type MetricName, type MetricStat, type Summary, type SummaryRow } from '../src/experiments/summary.js';
import type { EpochRecord } from '../src/experiments/records.js';

const DEFAULT_METRICS: MetricName[] = ['test_acc', 'sparsity_mean', 'selectivity_mean'];
const KNOWN_METRICS: readonly string[] = [...CORE_METRICS, ...TRAIN_METRICS, ...WEIGHTED_METRICS];

export interface SideStat extends MetricStat {
  min: number;
  max: number;
  values: number[];
}

export interface Check {
  label: string;
  epoch: number;
  metric: MetricName;
  ours: SideStat;
  torch: SideStat;
  diff: number;
  tol: number;
  agree: boolean;
  /** D / √(SEM_ours² + SEM_torch²): the difference in standard errors (NaN when a SEM is undefined). */
  z: number;
  /** Our mean lies within [min, max] of torch's seeds — the issue's literal "within the spread the seeds give". */
  inTorchRange: boolean;
}

function readSide(paths: readonly string[], side: string): RunResult[] {
  if (paths.length === 0) throw new Error(`--${side}: expected at least one results file or directory`);
  const runs: RunResult[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new Error(`--${side}: no such file or directory: ${p}`);
    const parsed = statSync(p).isDirectory() ? readResultsDir(p) : readResultsFile(p);
    for (const w of parsed.warnings) console.error(`warning (${side}): ${w}`);
    runs.push(...parsed.runs);
  }
  if (runs.length === 0) throw new Error(`--${side}: no runs found in ${paths.join(', ')}`);
  return runs;
}

/** One run's value of a summary metric at an epoch, exactly as the summary computes it (layer metrics: eq. 5.1 / 5.2). */
function epochValue(e: EpochRecord, metric: MetricName): number | null {
  const v = epochMetricValues(e)[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function sideStat(row: SummaryRow, runs: readonly RunResult[], metric: MetricName): SideStat {
  const stat = (row.metrics as Partial<Record<MetricName, MetricStat>>)[metric] ?? { mean: NaN, sem: NaN, n: 0 };
  const values: number[] = [];
  for (const r of runs) {
    const e = r.epochs[row.epoch - 1];
    if (!e) continue;
    const v = epochValue(e, metric);
    if (v !== null) values.push(v);
  }
  return { ...stat, values, min: Math.min(...values), max: Math.max(...values) };
}

function runsOf(summary: Summary, runs: readonly RunResult[], label: string): RunResult[] {
  const group = summary.groups.find((g) => g.label === label);
  if (!group) return [];
  const ids = new Set(group.runs.map((r) => r.run));
  return runs.filter((r) => ids.has(r.header.run));
}

function flatten(value: unknown, prefix: string, out: Map<string, string>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(value));
}

/** Configuration fields (other than epochs and seed) on which the two sides' condition differs. */
export function configDifferences(ours: Summary, torch: Summary, label: string): string[] {
  const a = ours.groups.find((g) => g.label === label)?.config;
  const b = torch.groups.find((g) => g.label === label)?.config;
  if (!a || !b) return [];
  const ma = new Map<string, string>();
  const mb = new Map<string, string>();
  flatten({ ...a, epochs: undefined }, '', ma);
  flatten({ ...b, epochs: undefined }, '', mb);
  const keys = new Set([...ma.keys(), ...mb.keys()]);
  return [...keys].filter((k) => k !== 'epochs' && ma.get(k) !== mb.get(k)).map((k) => `${k}: ours ${ma.get(k) ?? '(absent)'}, torch ${mb.get(k) ?? '(absent)'}`);
}

export function compareRuns(oursRuns: readonly RunResult[], torchRuns: readonly RunResult[], metrics: readonly MetricName[]): { checks: Check[]; ours: Summary; torch: Summary } {
  const ours = summarize(oursRuns);
  const torch = summarize(torchRuns);
  const checks: Check[] = [];
  for (const orow of ours.rows) {
    const trow = torch.rows.find((r) => r.label === orow.label && r.epoch === orow.epoch);
    if (!trow) continue;
    for (const m of metrics) {
      const o = sideStat(orow, runsOf(ours, oursRuns, orow.label), m);
      const t = sideStat(trow, runsOf(torch, torchRuns, trow.label), m);
      const diff = o.mean - t.mean;
      const semTerm = Number.isFinite(o.sem) && Number.isFinite(t.sem) ? 2 * Math.hypot(o.sem, t.sem) : 0;
      const range = (s: SideStat) => (s.values.length > 1 ? s.max - s.min : 0);
      const tol = Math.max(semTerm, range(o), range(t));
      const z = diff / Math.hypot(o.sem, t.sem);
      const inTorchRange = o.mean >= t.min && o.mean <= t.max;
      checks.push({ label: orow.label, epoch: orow.epoch, metric: m, ours: o, torch: t, diff, tol, agree: Number.isFinite(diff) && Math.abs(diff) <= tol, z, inTorchRange });
    }
  }
  return { checks, ours, torch };
}

const f = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const side = (s: SideStat) => `${f(s.mean)} ± ${f(s.sem)} [${f(s.min)}, ${f(s.max)}] n=${s.n}`;

function table(header: string[], rows: string[][], markdown: boolean): string {
  if (markdown) {
    const line = (c: string[]) => `| ${c.join(' | ')} |`;
    return [line(header), `|${header.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
  }
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(w[i])).join('  ').trimEnd();
  return [line(header), line(w.map((n) => '-'.repeat(n))), ...rows.map(line)].join('\n');
}

/** Mean seconds per epoch per condition on each side (wall time; only comparable on a quiet machine). */
function timingRows(ours: Summary, torch: Summary): string[][] {
  const rows: string[][] = [];
  for (const g of ours.groups) {
    const o = ours.rows.filter((r) => r.label === g.label).map((r) => r.metrics.seconds.mean);
    const t = torch.rows.filter((r) => r.label === g.label).map((r) => r.metrics.seconds.mean);
    const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
    rows.push([g.label, f(mean(o), 2), f(mean(t), 2), f(mean(o) / mean(t), 2)]);
  }
  return rows;
}

function parseArgs(argv: string[]): { ours: string[]; torch: string[]; metrics: MetricName[]; markdown: boolean } {
  const out = { ours: [] as string[], torch: [] as string[], metrics: DEFAULT_METRICS, markdown: false };
  let target: string[] | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--ours') target = out.ours;
    else if (a === '--torch') target = out.torch;
    else if (a === '--markdown') out.markdown = true;
    else if (a === '--metrics') {
      const v = argv[++i];
      if (!v) throw new Error('--metrics: expected a comma-separated list, e.g. test_acc,sparsity_mean');
      out.metrics = v.split(',').map((s) => s.trim()) as MetricName[];
      const unknown = out.metrics.filter((m) => !KNOWN_METRICS.includes(m));
      if (unknown.length) throw new Error(`--metrics: unknown metric ${unknown.map((m) => `'${m}'`).join(', ')} (known: ${KNOWN_METRICS.join(', ')})`);
    } else if (a.startsWith('--')) throw new Error(`unknown flag ${a} (expected --ours, --torch, --metrics, --markdown)`);
    else if (target) target.push(a);
    else throw new Error(`${a}: give paths after --ours or --torch`);
  }
  return out;
}

export function main(argv: string[]): number {
  const args = parseArgs(argv);
  const oursRuns = readSide(args.ours, 'ours');
  const torchRuns = readSide(args.torch, 'torch');
  const { checks, ours, torch } = compareRuns(oursRuns, torchRuns, args.metrics);
  if (checks.length === 0) {
    const labels = (s: Summary) => s.groups.map((g) => g.label).join(', ');
    throw new Error(`nothing to compare: no condition and epoch on both sides (ours: ${labels(ours)}; torch: ${labels(torch)})`);
  }
  const md = args.markdown;
  console.log(
    'Criterion: agree ⇔ |mean_ours − mean_torch| ≤ tol, tol = max(2·√(SEM_ours² + SEM_torch²), range_torch, range_ours);\n' +
      'SEM = sample std/√n over seeds, range = max − min over seeds. Cells: mean ± SEM [min, max] n=seeds.\n' +
      'Also shown: z = diff / √(SEM_ours² + SEM_torch²), and whether our mean lies within [min, max] of the torch seeds.\n',
  );
  const labels = [...new Set(checks.map((c) => c.label))];
  const unmatched = ours.groups.filter((g) => !labels.includes(g.label)).map((g) => g.label);
  if (unmatched.length) console.log(`no torch counterpart for: ${unmatched.join(', ')}\n`);
  for (const label of labels) {
    const diffs = configDifferences(ours, torch, label);
    console.log(`${md ? '### ' : '== '}${label}${md ? '' : ' =='}`);
    if (diffs.length) console.log(`WARNING: configurations differ: ${diffs.join('; ')}`);
    const rows = checks
      .filter((c) => c.label === label)
      .map((c) => [String(c.epoch), c.metric, side(c.ours), side(c.torch), f(c.diff), f(c.tol), f(c.z, 2), c.inTorchRange ? 'yes' : 'no', c.agree ? 'ok' : 'FLAG']);
    console.log(table(['epoch', 'metric', 'ours', 'torch', 'diff', 'tol', 'z', 'in torch range', ''], rows, md));
    console.log('');
  }
  console.log(`${md ? '### ' : '== '}seconds per epoch (training + evaluation, mean over epochs and seeds)${md ? '' : ' =='}`);
  console.log(table(['condition', 'ours', 'torch', 'ours / torch'], timingRows(ours, torch), md));
  const flagged = checks.filter((c) => !c.agree);
  const name = (c: Check) => `${c.label}/e${c.epoch}/${c.metric}`;
  console.log(`\n${checks.length - flagged.length} of ${checks.length} checks agree; ${flagged.length} flagged${flagged.length ? `: ${flagged.map(name).join(', ')}` : ''}`);
  const outside = checks.filter((c) => !c.inTorchRange);
  console.log(`our mean within the torch seeds' [min, max]: ${checks.length - outside.length} of ${checks.length}${outside.length ? ` (not: ${outside.map(name).join(', ')})` : ''}`);
  const big = checks.filter((c) => Math.abs(c.z) > 2);
  console.log(`|z| > 2: ${big.length} of ${checks.length}${big.length ? ` (${big.map((c) => `${name(c)} z=${f(c.z, 2)}`).join(', ')})` : ''}`);
  return flagged.length > 0 ? 1 : 0;
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    process.exitCode = 2;
  }
}
