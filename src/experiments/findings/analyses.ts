/**
 * The analyses that judge a finding, one registry entry per kind. Each takes the runs of one preset (raw run
 * records, so it depends on no labelling) and a JSON description, and returns tests with a verdict:
 *
 * - `epoch-trend`: does a metric rise (or fall) over epochs? A paired t-test over runs (seeds) of each run's
 *   change from epoch 1 to its last epoch; the runs' Spearman ρ over epochs is printed beside it.
 * - `axis-trend`: does the final-epoch metric rise (or fall) along a swept configuration value (batch size,
 *   width, lr, depth …)? Spearman's ρ over all (value, seed) points.
 * - `difference`: is condition A's final-epoch metric above (or below) condition B's? Welch's t (two-sided) on
 *   the per-seed values, with the exact permutation p beside it.
 * - `gap-shrinks`: does |train − test| of a metric shrink from the first to the last epoch? A paired t-test
 *   over runs of the change of the gap.
 * - `argmax-above`: along a swept axis, is the value that maximises metric Y above the one that maximises
 *   metric X (e.g. the lr of the highest sparsity above the lr of the best accuracy)? Counted per seed, judged
 *   by a one-sided sign test.
 * - `co-movement`: do two metrics move together over epochs? Spearman's ρ per run, and a one-sample t-test
 *   over runs of their Fisher z.
 * - `layer-trend`: does a final-epoch metric rise (or fall) from the first to the last hidden layer? A paired
 *   t-test over runs of the change (last − first hidden layer); the runs' ρ over layers printed beside it.
 *
 * Every test treats runs (seeds) as the replicates: epochs of one run are never counted as independent
 * observations.
 *
 * Verdict per test, at α = 0.05: *confirmed* when the effect has the claimed direction and p < α; *refuted*
 * when it has the opposite direction and p < α, or (for a claimed absence, `expect: "none"`) when p < α;
 * *inconclusive* otherwise — at n = 3 seeds that is common and is said, not hidden.
 *
 * A claim's verdict (`claimVerdict`) weighs its several tests as a family: *confirmed* when every test is
 * (all must hold, so each at α keeps the chance of confirming a false claim below α: an intersection-union
 * test, no adjustment needed); otherwise *refuted* when any test is refuted at its Holm-adjusted p < α, *partly
 * confirmed* when any is confirmed at its Holm-adjusted p < α ("some test holds" is a union over the tests,
 * which Holm's step-down keeps at family-wise α), else *inconclusive*. The Holm p is printed beside each p.
 */
import type { EpochRecord } from '../records.js';
import type { RunResult } from '../results.js';
import { epochMetricValues, type MetricName } from '../summary.js';
import { mean, oneSampleT, permutationTest, sem, spearman, welchT } from '../stats.js';

export const ALPHA = 0.05;

export type Direction = 'increasing' | 'decreasing' | 'greater' | 'less' | 'none';
export type Verdict = 'confirmed' | 'refuted' | 'inconclusive' | 'not run';

/**
 * `{ "optimizer.name": "sgd", "batchSize": [1, 5] }`: every path must equal the value, or one of a list's values
 * (`undefined` in a list matches a missing field).
 */
export type Filter = Record<string, unknown>;

export interface TestOutcome {
  /** What was compared, e.g. "sgd: sparsity_mean vs epoch". */
  subject: string;
  /** The numbers a reader checks: means ± SEM, ρ, t. */
  numbers: string;
  test: string;
  p: number | null;
  n: number;
  verdict: Verdict;
  /** p adjusted by Holm's step-down within the claim's tests (set by `holmAdjusted`; null without a p). */
  pHolm?: number | null;
}

export interface AnalysisContext {
  /** Runs of the preset (complete or not); diverged runs are left out of the values and counted. */
  runs: readonly RunResult[];
}

/** A config value by dotted path ("optimizer.lr", "hidden.length", "sampler.kind"). */
export function configValue(run: RunResult, path: string): unknown {
  let v: unknown = run.header.config;
  for (const part of path.split('.')) {
    if (v === null || v === undefined) return undefined;
    v = part === 'length' && Array.isArray(v) ? v.length : (v as Record<string, unknown>)[part];
  }
  return v;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function matches(run: RunResult, filter: Filter | undefined): boolean {
  if (!filter) return true;
  for (const [path, want] of Object.entries(filter)) {
    // A list is a choice of values, unless the value itself equals the list (e.g. Adam's betas pair).
    const got = configValue(run, path);
    if (sameValue(got, want)) continue;
    if (!Array.isArray(want) || !want.some((w) => sameValue(got, w))) return false;
  }
  return true;
}

/** A metric of one epoch record: the summary's names, or `layer<i>.<metric>` for one hidden layer. */
export function metricOf(e: EpochRecord, metric: string): number | null {
  const layer = /^layer(\d+)\.(\w+)$/.exec(metric);
  if (layer) {
    const rec = e.layers[Number(layer[1])] as unknown as Record<string, number | null> | undefined;
    const v = rec?.[layer[2]];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  const v = epochMetricValues(e)[metric as MetricName];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Complete, non-diverged runs matching the filter. */
function completeRuns(ctx: AnalysisContext, filter: Filter | undefined): RunResult[] {
  return ctx.runs.filter((r) => matches(r, filter) && r.diverged === null && r.epochs.length >= r.header.config.epochs);
}

function finalValues(runs: readonly RunResult[], metric: string): number[] {
  const out: number[] = [];
  for (const r of runs) {
    const v = metricOf(r.epochs[r.epochs.length - 1], metric);
    if (v !== null) out.push(v);
  }
  return out;
}

const fmt = (v: number, digits = 4): string => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const fmtP = (p: number | null): string => (p === null || !Number.isFinite(p) ? 'n/a' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));
export const formatP = fmtP;

function meanSemText(values: number[]): string {
  if (values.length === 0) return 'no runs';
  return values.length > 1 ? `${fmt(mean(values))} ± ${fmt(sem(values))} (n=${values.length})` : `${fmt(values[0])} (n=1)`;
}

/** Verdict of a signed effect with a two-sided p against the claimed direction. */
export function judge(effect: number, p: number | null, expect: Direction): Verdict {
  if (p === null || !Number.isFinite(p) || !Number.isFinite(effect)) return 'inconclusive';
  if (expect === 'none') return p < ALPHA ? 'refuted' : 'inconclusive';
  const wanted = expect === 'increasing' || expect === 'greater' ? 1 : -1;
  if (p >= ALPHA) return 'inconclusive';
  return Math.sign(effect) === wanted ? 'confirmed' : 'refuted';
}

const notRun = (subject: string, why: string): TestOutcome => ({ subject, numbers: why, test: '—', p: null, n: 0, verdict: 'not run' });

interface TrendSpec {
  filter?: Filter;
  label: string;
  metric: string;
  expect: Direction;
}

/**
 * A trend over epochs, tested at the level of runs (the independent replicates): per run the change from
 * epoch 1 to its last epoch, and a paired t-test over runs of that change against 0 (df = runs − 1). The
 * per-run Spearman ρ over epochs (its mean is printed) says how monotone the path is; pooling the epochs of
 * all runs into one ρ would treat 30 epochs of one run as 30 independent points and make p far too small.
 */
function epochTrend(ctx: AnalysisContext, spec: TrendSpec): TestOutcome {
  const subject = `${spec.label}: ${spec.metric} over epochs`;
  const runs = completeRuns(ctx, spec.filter);
  if (runs.length === 0) return notRun(subject, 'no complete runs');
  const changes: number[] = [];
  const rhos: number[] = [];
  const first: number[] = [];
  const last: number[] = [];
  for (const r of runs) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const e of r.epochs) {
      const v = metricOf(e, spec.metric);
      if (v !== null) {
        xs.push(e.epoch);
        ys.push(v);
      }
    }
    if (xs.length < 3 || xs[0] !== 1) continue;
    first.push(ys[0]);
    last.push(ys[ys.length - 1]);
    changes.push(ys[ys.length - 1] - ys[0]);
    rhos.push(spearman(xs, ys).rho);
  }
  if (changes.length < 2) return notRun(subject, `${changes.length} run(s) with the metric from epoch 1 (2 needed)`);
  const t = oneSampleT(changes);
  const meanRho = mean(rhos);
  return {
    subject,
    numbers: `epoch 1: ${meanSemText(first)} → epoch ${runs[0].header.config.epochs}: ${meanSemText(last)}; per-run Spearman ρ over epochs, mean ${fmt(meanRho, 3)}`,
    test: `paired t over ${changes.length} runs (last epoch − epoch 1), t = ${fmt(t.statistic, 2)}, df = ${t.df}`,
    p: Number.isNaN(t.p) ? null : t.p,
    n: changes.length,
    verdict: Number.isNaN(t.p) ? 'inconclusive' : judge(t.mean, t.p, spec.expect),
  };
}

interface AxisTrendSpec extends TrendSpec {
  axis: string;
  /** Use log10 of the axis value (only changes the printed range; ρ is rank-based). */
  log?: boolean;
}

function axisTrend(ctx: AnalysisContext, spec: AxisTrendSpec): TestOutcome {
  const subject = `${spec.label}: final ${spec.metric} along ${spec.axis}`;
  const runs = completeRuns(ctx, spec.filter);
  const xs: number[] = [];
  const ys: number[] = [];
  const byValue = new Map<number, number[]>();
  for (const r of runs) {
    const x = Number(configValue(r, spec.axis));
    const y = metricOf(r.epochs[r.epochs.length - 1], spec.metric);
    if (!Number.isFinite(x) || y === null) continue;
    xs.push(x);
    ys.push(y);
    byValue.set(x, [...(byValue.get(x) ?? []), y]);
  }
  if (byValue.size < 3) return notRun(subject, `${byValue.size} of the axis values have complete runs (3 needed)`);
  const s = spearman(xs, ys);
  const values = [...byValue.keys()].sort((a, b) => a - b);
  const ends = [values[0], values[values.length - 1]].map((v) => `${spec.axis} ${v}: ${meanSemText(byValue.get(v)!)}`).join(' … ');
  return {
    subject,
    numbers: `${ends}; ρ = ${fmt(s.rho, 3)}`,
    test: `Spearman ρ, ${xs.length} (value, seed) points over ${values.length} values`,
    p: s.p,
    n: xs.length,
    verdict: judge(s.rho, s.p, spec.expect),
  };
}

interface DifferenceSpec {
  label: string;
  metric: string;
  a: Filter;
  b: Filter;
  aName: string;
  bName: string;
  expect: Direction;
}

function difference(ctx: AnalysisContext, spec: DifferenceSpec): TestOutcome {
  const subject = `${spec.label}: final ${spec.metric}, ${spec.aName} vs ${spec.bName}`;
  const a = finalValues(completeRuns(ctx, spec.a), spec.metric);
  const b = finalValues(completeRuns(ctx, spec.b), spec.metric);
  if (a.length < 2 || b.length < 2) return notRun(subject, `complete runs: ${a.length} and ${b.length} (2 each needed)`);
  const w = welchT(a, b);
  const perm = permutationTest(a, b);
  return {
    subject,
    numbers: `${spec.aName} ${meanSemText(a)}, ${spec.bName} ${meanSemText(b)} (Δ = ${fmt(w.difference)})`,
    test: `Welch t = ${fmt(w.statistic, 2)}, ν = ${fmt(w.df, 1)}; exact permutation p = ${fmtP(perm.p)}`,
    p: w.p,
    n: a.length + b.length,
    verdict: judge(w.difference, w.p, spec.expect),
  };
}

interface GapSpec {
  label: string;
  filter?: Filter;
  /** The test-set metric; its training-stream twin is `train_<metric>`. */
  metric: string;
}

function gapShrinks(ctx: AnalysisContext, spec: GapSpec): TestOutcome {
  const subject = `${spec.label}: |train − test| ${spec.metric}, epoch 1 vs last`;
  const runs = completeRuns(ctx, spec.filter).filter((r) => r.epochs[0]?.train_layers);
  if (runs.length < 2) return notRun(subject, `${runs.length} complete runs with training-stream metrics (2 needed)`);
  const gap = (e: EpochRecord): number | null => {
    const test = metricOf(e, spec.metric);
    const train = metricOf(e, `train_${spec.metric}`);
    return test === null || train === null ? null : Math.abs(train - test);
  };
  // Paired per run: the change of its gap from epoch 1 to the last epoch.
  const first: number[] = [];
  const last: number[] = [];
  for (const r of runs) {
    const a = gap(r.epochs[0]);
    const b = gap(r.epochs[r.epochs.length - 1]);
    if (a !== null && b !== null) {
      first.push(a);
      last.push(b);
    }
  }
  if (first.length < 2) return notRun(subject, `${first.length} run(s) with both gaps (2 needed)`);
  const t = oneSampleT(last.map((v, i) => v - first[i]));
  return {
    subject,
    numbers: `gap at epoch 1 ${meanSemText(first)}, at the last epoch ${meanSemText(last)}`,
    test: `paired t over ${first.length} runs (last − first gap), t = ${fmt(t.statistic, 2)}, df = ${t.df}`,
    p: Number.isNaN(t.p) ? null : t.p,
    n: first.length,
    verdict: Number.isNaN(t.p) ? 'inconclusive' : judge(t.mean, t.p, 'less'),
  };
}

interface ArgmaxSpec {
  label: string;
  filter?: Filter;
  axis: string;
  /** The reference metric (e.g. test_acc). */
  x: string;
  /** The metric whose maximiser should lie above x's (e.g. sparsity_mean). */
  y: string;
}

/** P(X ≥ k) for X ~ Binomial(n, 1/2). */
function signTestUpper(k: number, n: number): number {
  let c = 1;
  let total = 0;
  for (let i = 0; i <= n; i++) {
    if (i >= k) total += c;
    c = (c * (n - i)) / (i + 1);
  }
  return total / 2 ** n;
}

function argmaxAbove(ctx: AnalysisContext, spec: ArgmaxSpec): TestOutcome {
  const subject = `${spec.label}: ${spec.axis} maximising ${spec.y} vs maximising ${spec.x}`;
  const runs = completeRuns(ctx, spec.filter);
  // One sweep per (optimizer, seed): the maximisers are compared within it.
  const bySeed = new Map<string, RunResult[]>();
  for (const r of runs) {
    const key = `${String(configValue(r, 'optimizer.name'))} seed ${r.header.seed}`;
    bySeed.set(key, [...(bySeed.get(key) ?? []), r]);
  }
  let above = 0;
  let below = 0;
  let ties = 0;
  const pairs: string[] = [];
  for (const [seed, list] of [...bySeed.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (list.length < 3) continue;
    const best = (metric: string): number => {
      let arg = NaN;
      let top = -Infinity;
      for (const r of list) {
        const v = metricOf(r.epochs[r.epochs.length - 1], metric);
        if (v !== null && v > top) {
          top = v;
          arg = Number(configValue(r, spec.axis));
        }
      }
      return arg;
    };
    const ax = best(spec.x);
    const ay = best(spec.y);
    pairs.push(`${seed}: ${ax} vs ${ay}`);
    if (ay > ax) above++;
    else if (ay < ax) below++;
    else ties++;
  }
  const n = above + below;
  if (above + below + ties === 0) return notRun(subject, 'no seed with 3 or more complete axis values');
  const pAbove = n > 0 ? signTestUpper(above, n) : null;
  const pBelow = n > 0 ? signTestUpper(below, n) : null;
  const verdict: Verdict = pAbove !== null && pAbove < ALPHA ? 'confirmed' : below > above && pBelow !== null && pBelow < ALPHA ? 'refuted' : 'inconclusive';
  return {
    subject,
    numbers: `argmax ${spec.x} vs argmax ${spec.y} — ${pairs.join('; ')}; above ${above}, below ${below}, equal ${ties}`,
    test: `one-sided sign test over ${n} untied (optimizer, seed) sweeps${verdict === 'refuted' ? ' (p: of "below")' : ''}`,
    p: verdict === 'refuted' ? pBelow : pAbove, // the p that decided
    n: above + below + ties,
    verdict,
  };
}

/** A one-sample t over runs of Fisher z = atanh ρ (|ρ| capped at 1 − 1e-9): per-run correlations tested across runs. */
function fisherZTest(rhos: readonly number[]): { t: ReturnType<typeof oneSampleT>; meanRho: number } {
  const cap = 1 - 1e-9;
  return { t: oneSampleT(rhos.map((r) => Math.atanh(Math.max(-cap, Math.min(cap, r))))), meanRho: mean(rhos) };
}

interface CoMovementSpec {
  label: string;
  filter?: Filter;
  x: string;
  y: string;
  expect: Direction;
}

/**
 * Two metrics moving together over a run's epochs, tested at the level of runs: per run Spearman's ρ
 * between the two over its epochs, Fisher-transformed (z = atanh ρ, |ρ| capped at 1 − 1e-9), and a one-sample
 * t-test over runs of z against 0 (df = runs − 1). Pooling every (run, epoch) point into one ρ would count
 * each epoch as an independent observation.
 */
function coMovement(ctx: AnalysisContext, spec: CoMovementSpec): TestOutcome {
  const subject = `${spec.label}: ${spec.x} and ${spec.y} together`;
  const rhos: number[] = [];
  for (const r of completeRuns(ctx, spec.filter)) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const e of r.epochs) {
      const x = metricOf(e, spec.x);
      const y = metricOf(e, spec.y);
      if (x !== null && y !== null) {
        xs.push(x);
        ys.push(y);
      }
    }
    if (xs.length >= 3) {
      const rho = spearman(xs, ys).rho;
      if (Number.isFinite(rho)) rhos.push(rho);
    }
  }
  if (rhos.length < 2) return notRun(subject, `${rhos.length} run(s) with 3 or more epochs (2 needed)`);
  const { t, meanRho } = fisherZTest(rhos);
  return {
    subject,
    numbers: `per-run Spearman ρ over epochs: mean ${fmt(meanRho, 3)} (range ${fmt(Math.min(...rhos), 3)} … ${fmt(Math.max(...rhos), 3)}, ${rhos.length} runs)`,
    test: `one-sample t over runs of Fisher z = atanh ρ, t = ${fmt(t.statistic, 2)}, df = ${t.df}`,
    p: Number.isNaN(t.p) ? null : t.p,
    n: rhos.length,
    verdict: Number.isNaN(t.p) ? 'inconclusive' : judge(t.mean, t.p, spec.expect),
  };
}

interface LayerTrendSpec {
  label: string;
  filter?: Filter;
  /** A layer metric: sparsity_mean, selectivity_mean, … */
  metric: string;
  expect: Direction;
}

/** Final-epoch value per hidden layer against the layer's index (input side = 0), over every seed. */
/**
 * A trend across the hidden layers of one net, tested at the level of runs: per run the change of the
 * final-epoch metric from the first to the last hidden layer, and a paired t-test over runs of that change
 * against 0 (df = runs − 1); each run's Spearman ρ over its layers is printed beside it (with four layers ρ
 * takes few values, often the same in every run, so a test on ρ itself would have no variance to work with).
 */
function layerTrend(ctx: AnalysisContext, spec: LayerTrendSpec): TestOutcome {
  const subject = `${spec.label}: final ${spec.metric} from the first to the last hidden layer`;
  const perLayer = new Map<number, number[]>();
  const changes: number[] = [];
  const rhos: number[] = [];
  for (const r of completeRuns(ctx, spec.filter)) {
    const e = r.epochs[r.epochs.length - 1];
    const xs: number[] = [];
    const ys: number[] = [];
    e.layers.forEach((_l, i) => {
      const v = metricOf(e, `layer${i}.${spec.metric}`);
      if (v === null) return;
      xs.push(i);
      ys.push(v);
      perLayer.set(i, [...(perLayer.get(i) ?? []), v]);
    });
    if (xs.length >= 3) {
      changes.push(ys[ys.length - 1] - ys[0]);
      const rho = spearman(xs, ys).rho;
      if (Number.isFinite(rho)) rhos.push(rho);
    }
  }
  if (perLayer.size < 3) return notRun(subject, `${perLayer.size} layers with values (3 needed)`);
  if (changes.length < 2) return notRun(subject, `${changes.length} run(s) with 3 or more layers (2 needed)`);
  const t = oneSampleT(changes);
  const layers = [...perLayer.keys()].sort((a, b) => a - b).map((i) => `HL${i + 1} ${meanSemText(perLayer.get(i)!)}`);
  return {
    subject,
    numbers: `${layers.join(', ')}; per-run Spearman ρ over layers, mean ${rhos.length ? fmt(mean(rhos), 3) : 'n/a'}`,
    test: `paired t over ${changes.length} runs (last − first hidden layer), t = ${fmt(t.statistic, 2)}, df = ${t.df}`,
    p: Number.isNaN(t.p) ? null : t.p,
    n: changes.length,
    verdict: Number.isNaN(t.p) ? 'inconclusive' : judge(t.mean, t.p, spec.expect),
  };
}

/** The registry: a kind name → its analysis. */
export const ANALYSES = {
  'epoch-trend': epochTrend,
  'axis-trend': axisTrend,
  difference,
  'gap-shrinks': gapShrinks,
  'argmax-above': argmaxAbove,
  'co-movement': coMovement,
  'layer-trend': layerTrend,
} as const satisfies Record<string, (ctx: AnalysisContext, spec: never) => TestOutcome>;

export type AnalysisKind = keyof typeof ANALYSES;

export function runAnalysis(kind: string, ctx: AnalysisContext, spec: Record<string, unknown>): TestOutcome {
  const f = (ANALYSES as Record<string, (ctx: AnalysisContext, spec: unknown) => TestOutcome>)[kind];
  if (!f) throw new RangeError(`findings: unknown analysis kind ${JSON.stringify(kind)}; expected one of ${Object.keys(ANALYSES).join(', ')}`);
  return f(ctx, spec);
}

/**
 * Holm's step-down adjustment of m p-values (null entries are not tests and stay null): with the finite p
 * sorted ascending, p₍ᵢ₎ becomes max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎) — monotone, and rejecting where it
 * is below α keeps the family-wise error rate at α (Holm, Scand. J. Stat. 6, 1979).
 */
export function holm(ps: readonly (number | null)[]): (number | null)[] {
  const idx = ps.map((p, i) => [p, i] as const).filter((e): e is readonly [number, number] => e[0] !== null && Number.isFinite(e[0]));
  idx.sort((a, b) => a[0] - b[0]);
  const out: (number | null)[] = ps.map(() => null);
  let running = 0;
  idx.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (idx.length - rank) * p));
    out[i] = running;
  });
  return out;
}

/** The tests with their Holm-adjusted p within the family (see `holm`). */
export function holmAdjusted(tests: readonly TestOutcome[]): TestOutcome[] {
  const adjusted = holm(tests.map((t) => (t.verdict === 'not run' ? null : t.p)));
  return tests.map((t, i) => ({ ...t, pHolm: adjusted[i] }));
}

/** A claim's verdict from its tests' (see the module comment); the tests carry `pHolm` (`holmAdjusted`). */
export function claimVerdict(tests: readonly TestOutcome[]): Verdict | 'partly confirmed' {
  const ran = tests.filter((t) => t.verdict !== 'not run');
  if (ran.length === 0) return 'not run';
  if (ran.length === tests.length && ran.every((t) => t.verdict === 'confirmed')) return 'confirmed';
  const holds = (t: TestOutcome): boolean => t.pHolm !== undefined && t.pHolm !== null && t.pHolm < ALPHA;
  if (ran.some((t) => t.verdict === 'refuted' && holds(t))) return 'refuted';
  if (ran.some((t) => t.verdict === 'confirmed' && holds(t))) return 'partly confirmed';
  return 'inconclusive';
}
