/**
 * What `sparsity-lab run` will train, resolved from its arguments — pure, so it is tested without a process:
 *
 *   run [flags]                           the baseline from flags (the pre-spec behaviour; `npm start`)
 *   run <preset | spec.json> [path=v …]   a spec, with Hydra-style overrides; the run flags become
 *                                         overrides too (--epochs 5 ≡ epochs=5, --lr 0.1 ≡ optimizer.lr=0.1)
 *
 * Either way the result is a list of planned runs with their experiment/condition labels, the results
 * directory and the report title.
 */
import { baselineConfigs, configHash, runId, type RunConfig } from '../experiments/config.js';
import { groupLabels } from '../experiments/labels.js';
import { loadSpec } from '../experiments/presets.js';
import { expandSpec, parseOverride, pendingMeasures, SpecError, type ExperimentSpec, type Override, type PlannedRun } from '../experiments/spec.js';
import {
  OPTIMIZER_FLAGS,
  parseIntList,
  parseNonNegativeNumber,
  parseOptimizers,
  parsePositiveInt,
  parseSampler,
  planFromFlags,
  QUICK,
  UsageError,
  type RunFlags,
} from './args.js';

export interface ResolvedPlan {
  /** The spec, or null for the flags-only baseline. */
  spec: ExperimentSpec | null;
  experiment: string;
  planned: PlannedRun[];
  outDir: string;
  title: string;
  /** Why the plan cannot be trained yet (pending kinds/options/measures); empty when it can. */
  pending: string[];
}

/** The run flags as overrides of a spec (each value read and checked by its flag's parser first). */
export function flagOverrides(flags: RunFlags): Override[] {
  const out: Override[] = [];
  const quick = flags.quick === true;
  if (flags.optimizers !== undefined) out.push({ path: 'optimizer.name', values: parseOptimizers('--optimizers', flags.optimizers) });
  if (flags.seeds !== undefined) out.push({ path: 'seeds', values: parseIntList('--seeds', flags.seeds) });
  else if (quick) out.push({ path: 'seeds', values: [...QUICK.seeds] });
  if (flags.epochs !== undefined) out.push({ path: 'epochs', values: [parsePositiveInt('--epochs', flags.epochs)] });
  else if (quick) out.push({ path: 'epochs', values: [QUICK.epochs] });
  if (flags.batchSize !== undefined) out.push({ path: 'batchSize', values: [parsePositiveInt('--batch-size', flags.batchSize)] });
  if (flags.hidden !== undefined) out.push({ path: 'hidden', values: [parseIntList('--hidden', flags.hidden, { positive: true })] });
  if (flags.activation !== undefined) out.push({ path: 'activation', values: [flags.activation] });
  if (flags.sampler !== undefined) out.push({ path: 'sampler', values: [parseSampler('--sampler', flags.sampler)] });
  const train = flags.trainImages !== undefined ? parsePositiveInt('--train-images', flags.trainImages) : quick ? QUICK.trainImages : undefined;
  const test = flags.testImages !== undefined ? parsePositiveInt('--test-images', flags.testImages) : quick ? QUICK.testImages : undefined;
  if (train !== undefined) out.push({ path: 'data.train', values: [{ start: 0, end: train }] });
  if (test !== undefined) out.push({ path: 'data.test', values: [{ start: 0, end: test }] });
  if (flags.eps !== undefined) out.push({ path: 'metrics.eps', values: [parseNonNegativeNumber('--eps', flags.eps)] });
  if (flags.trainMetrics) out.push({ path: 'metrics.train', values: [true] });
  for (const f of OPTIMIZER_FLAGS) {
    const raw = (flags as Record<string, unknown>)[f.prop as string];
    if (raw === undefined || raw === false) continue;
    out.push({ path: `optimizer.${f.key}`, values: [f.parse(f.flag, String(raw))] });
  }
  return out;
}

/** Labels for the flags-only plan: experiment "baseline" when every run is one of the baseline's, else "custom". */
function flagsPlan(flags: RunFlags): ResolvedPlan {
  const plan = planFromFlags(flags);
  // one label per condition (configuration without its seed), as the summary names them
  const byHash = new Map<string, RunConfig>();
  for (const c of plan.configs) if (!byHash.has(configHash(c))) byHash.set(configHash(c), c);
  const hashLabels = new Map([...byHash.keys()].map((h, i) => [h, groupLabels([...byHash.values()])[i].label]));
  const labels = plan.configs.map((c) => ({ label: hashLabels.get(configHash(c))! }));
  const baselineIds = new Set(baselineConfigs().map(runId));
  const experiment = plan.configs.every((c) => baselineIds.has(runId(c))) ? 'baseline' : 'custom';
  const planned: PlannedRun[] = plan.configs.map((config, index) => ({
    index,
    id: '',
    config,
    experiment,
    condition: labels[index].label,
    block: '',
    point: {},
  }));
  for (const p of planned) p.id = runId(p.config); // as the sweep computes them
  return { spec: null, experiment, planned, outDir: plan.outDir, title: '', pending: [] };
}


/**
 * The plan of `run [target] [overrides…] [flags]`. `target` that contains '=' is an override (the spec is
 * then the baseline preset). Spec and override problems are UsageErrors (exit 2) naming what was wrong.
 */
export function resolvePlan(target: string | undefined, overrides: readonly string[], flags: RunFlags & { out?: string }): ResolvedPlan {
  let args = [...overrides];
  if (target !== undefined && target.includes('=')) {
    args = [target, ...args];
    target = undefined;
  }
  if (target === undefined && args.length === 0) return flagsPlan(flags);
  try {
    const spec = loadSpec(target ?? 'baseline');
    const parsed = [...flagOverrides(flags), ...args.map(parseOverride)];
    const planned = expandSpec(spec, { overrides: parsed, planPending: true }); // run refuses pending plans, naming why
    const pending = [...new Set(planned.flatMap((p) => (p.pending ? [p.pending] : [])))];
    pending.push(...pendingMeasures(spec));
    const outDir = flags.out ?? (flags.quick ? `${QUICK.out}/${spec.name}` : `results/${spec.name}`);
    return { spec, experiment: spec.name, planned, outDir, title: spec.title, pending };
  } catch (e) {
    if (e instanceof SpecError) throw new UsageError(e.message);
    throw e;
  }
}
