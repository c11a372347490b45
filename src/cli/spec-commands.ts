/**
 * `sparsity-lab list`, `show` and `run --dry-run`: the presets and kinds, a spec as JSON, and a plan's runs
 * with their estimated CPU time. Output goes to the `out` callback (stdout in the CLI), so tests read it.
 */
import { distinctRuns, expandSpec, type PlannedRun } from '../experiments/spec.js';
import { loadSpec, presetNames } from '../experiments/presets.js';
import { describeCostModel, formatDuration, runSeconds } from '../experiments/cost-model.js';
import { optimizers } from '../experiments/kinds/optimizers.js';
import { samplers } from '../experiments/kinds/samplers.js';
import { models, PENDING_MODEL_KINDS } from '../experiments/kinds/models.js';
import type { ResolvedPlan } from './plan.js';

type Out = (line: string) => void;

function table(header: string[], rows: string[][], out: Out): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  out(line(header));
  out(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) out(line(r));
}

/** The plan's total estimated CPU seconds over its distinct runs (NaN if any is unknown). */
export function planSeconds(planned: readonly PlannedRun[]): number {
  return distinctRuns(planned).reduce((s, p) => s + runSeconds(p.config), 0);
}

/** `list`: every preset with its run count, estimated CPU hours and description; with `kinds`, the registries. */
export function listCommand(out: Out, { kinds = false } = {}): void {
  const rows = presetNames().map((name) => {
    const spec = loadSpec(name);
    const planned = expandSpec(spec, { planPending: true });
    const distinct = distinctRuns(planned).length;
    return [
      name,
      spec.group ?? '',
      `${planned.length}${distinct !== planned.length ? ` (${distinct})` : ''}`,
      String(spec.epochs),
      formatDuration(planSeconds(planned)),
      spec.description,
    ];
  });
  table(['preset', 'group', 'runs', 'epochs', 'est. CPU', 'description'], rows, out);
  out('');
  out('runs in parentheses: distinct runs (planned runs with equal configurations are trained once).');
  out(`est. CPU: ${describeCostModel()}.`);
  if (!kinds) return;
  out('');
  out('optimizers:');
  for (const k of optimizers.all()) out(`  ${k.name.padEnd(10)} ${k.doc}; options: ${Object.entries(k.options).map(([o, s]) => `${o}=${JSON.stringify(s.default)}`).join(', ')}`);
  out('sampler kinds:');
  for (const k of samplers.all()) out(`  ${k.cliForm.padEnd(34)} ${k.doc}`);
  out('model kinds:');
  for (const k of models.all()) out(`  ${k.name.padEnd(10)} ${k.doc}`);
  for (const [k, why] of Object.entries(PENDING_MODEL_KINDS)) if (!models.has(k)) out(`  ${k.padEnd(10)} (not available yet: ${why})`);
}

/** `show`: the spec file as JSON. */
export function showCommand(name: string, out: Out): void {
  out(JSON.stringify(loadSpec(name), null, 2));
}

/** One JSON object per planned run: what `--dry-run --json` prints. */
export function plannedRunJson(p: PlannedRun): Record<string, unknown> {
  const c = p.config;
  return {
    index: p.index,
    id: p.id,
    experiment: p.experiment,
    condition: p.condition,
    optimizer: c.optimizer.name,
    seed: c.seed,
    epochs: c.epochs,
    batch_size: c.batchSize,
    hidden: c.hidden,
    sampler: c.sampler,
    ...(c.model && { model: c.model }),
    est_cpu_seconds: Number.isFinite(runSeconds(c)) ? Math.round(runSeconds(c)) : null,
    ...(p.pending && { pending: p.pending }),
    config: c,
  };
}

/** `run … --dry-run`: the resolved plan. */
export function dryRunCommand(plan: ResolvedPlan, out: Out, { json = false } = {}): void {
  if (json) {
    for (const p of plan.planned) out(JSON.stringify(plannedRunJson(p)));
    return;
  }
  const distinct = distinctRuns(plan.planned);
  const seeds = [...new Set(plan.planned.map((p) => p.config.seed))];
  const epochs = [...new Set(plan.planned.map((p) => p.config.epochs))];
  out(`${plan.experiment}${plan.title ? ` — ${plan.title}` : ''}`);
  out(
    `${plan.planned.length} run${plan.planned.length === 1 ? '' : 's'}${distinct.length !== plan.planned.length ? ` (${distinct.length} distinct: equal configurations are trained once)` : ''}, ` +
      `seeds ${seeds.join(', ')}, ${epochs.join('/')} epochs, into ${plan.outDir}/`,
  );
  const total = planSeconds(plan.planned);
  out(`estimated CPU time: ${formatDuration(total)}${Number.isFinite(total) ? ` (${(total / 3600).toFixed(2)} CPU-hours)` : ''} — ${describeCostModel()}`);
  const byCondition = new Map<string, PlannedRun[]>();
  for (const p of plan.planned) {
    const key = `${p.condition}\u0000${p.config.optimizer.name}`;
    byCondition.set(key, [...(byCondition.get(key) ?? []), p]);
  }
  out('');
  table(
    ['condition', 'optimizer', 'runs', 'epochs', 'batch', 'hidden', 'est. CPU'],
    [...byCondition.values()].map((runs) => {
      const c = runs[0].config;
      return [runs[0].condition, c.optimizer.name, String(runs.length), String(c.epochs), String(c.batchSize), c.hidden.join('x'), formatDuration(runs.reduce((s, r) => s + runSeconds(r.config), 0))];
    }),
    out,
  );
  for (const why of plan.pending) out(`\nnot runnable yet: ${why}`);
}
