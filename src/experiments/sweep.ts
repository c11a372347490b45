/**
 * A list of runs into a results directory, one file per run (results.ts), resumable:
 *
 * - every configuration is validated before the first run starts (fields, then the optimizer class's own
 *   checks of its option values), and two configurations with the same run id are an error (they would
 *   write the same file);
 * - a run whose file already holds a complete result for the same configuration (same `config_hash`; every
 *   epoch, or a diverged line) is skipped — so re-running an interrupted sweep picks up where it stopped;
 * - any other run (missing, incomplete, or an unreadable file) is run from its first epoch, rewriting its file;
 * - a run that diverges is recorded as diverged and the sweep goes on; a run that throws is reported as
 *   failed (its file stays incomplete, so the next sweep retries it) and the sweep goes on;
 * - an aborted signal stops the sweep between steps, leaving the current run incomplete.
 *
 * With `wasmMemory` every run allocates in the WebAssembly heap (runner.ts) and frees it all when it ends,
 * however it ends, so the heap stays at the size of one run however long the sweep.
 */
import { configHash, normalizeConfig, runId, type RunConfig, type RunConfigInput } from './config.js';
import { checkOptimizerConfig } from './optimizers.js';
import { isComplete, readRun, RunWriter } from './results.js';
import { runExperiment, type RunData, type RunLabels, type RunOutcome, type RunProgress } from './runner.js';

export type RunState = 'skipped' | 'done' | 'diverged' | 'aborted' | 'failed';

export interface SweepRunStatus {
  id: string;
  config: RunConfig;
  state: RunState;
  /** Epochs recorded (for skipped runs: as found on disk). */
  epochs: number;
  /** Why it failed, diverged, or was re-run (e.g. an unreadable earlier file). */
  message?: string;
}

export interface SweepOptions {
  outDir: string;
  data: RunData;
  /** Re-run complete runs too (default false). */
  force?: boolean;
  signal?: AbortSignal;
  onRunStart?: (info: { index: number; total: number; id: string; config: RunConfig; note?: string }) => void;
  onRunEnd?: (status: SweepRunStatus, outcome: RunOutcome | null) => void;
  onProgress?: (progress: RunProgress) => void;
  /** Each run's float32 storage in the WebAssembly heap (RunOptions.wasmMemory). Default false. */
  wasmMemory?: boolean;
  /** Experiment/condition labels by run id, recorded in each run's header (a spec's plan, src/experiments/spec.ts). */
  labels?: ReadonlyMap<string, RunLabels>;
}

export function planSweep(inputs: ReadonlyArray<RunConfigInput | RunConfig>): Array<{ id: string; config: RunConfig }> {
  const plan = inputs.map((c) => {
    const config = normalizeConfig(c);
    checkOptimizerConfig(config.optimizer);
    return { id: runId(config), config };
  });
  const seen = new Map<string, number>();
  plan.forEach((p, i) => {
    if (seen.has(p.id)) throw new Error(`runSweep: configurations ${seen.get(p.id)} and ${i} are the same run (${p.id})`);
    seen.set(p.id, i);
  });
  return plan;
}

export async function runSweep(inputs: ReadonlyArray<RunConfigInput | RunConfig>, options: SweepOptions): Promise<SweepRunStatus[]> {
  const plan = planSweep(inputs);
  const statuses: SweepRunStatus[] = [];
  for (let index = 0; index < plan.length; index++) {
    const { id, config } = plan[index];
    if (options.signal?.aborted) break;
    let note: string | undefined;
    if (!options.force) {
      try {
        const existing = readRun(options.outDir, id);
        if (existing && existing.header.config_hash === configHash(config) && isComplete(existing)) {
          const status: SweepRunStatus = { id, config, state: 'skipped', epochs: existing.epochs.length, message: 'already complete' };
          statuses.push(status);
          options.onRunEnd?.(status, null);
          continue;
        }
        if (existing) note = `re-running: ${existing.epochs.length} of ${config.epochs} epochs were recorded`;
      } catch (e) {
        note = `re-running: the earlier file was unreadable (${(e as Error).message})`;
      }
    }
    options.onRunStart?.({ index, total: plan.length, id, config, ...(note && { note }) });
    let writer: RunWriter | null = null;
    let outcome: RunOutcome | null = null;
    let status: SweepRunStatus;
    try {
      outcome = await runExperiment(config, {
        data: options.data,
        signal: options.signal,
        onProgress: options.onProgress,
        wasmMemory: options.wasmMemory === true,
        ...(options.labels?.has(id) && { labels: options.labels.get(id) }),
        onRecord: (r) => {
          if (r.type === 'header') writer = new RunWriter(options.outDir, r);
          else if (r.type === 'epoch') writer!.epoch(r);
          else writer!.diverged(r);
        },
      });
      const state: RunState = outcome.diverged ? 'diverged' : outcome.aborted ? 'aborted' : 'done';
      status = { id, config, state, epochs: outcome.epochs.length, ...(outcome.diverged && { message: outcome.diverged.reason }) };
    } catch (e) {
      status = { id, config, state: 'failed', epochs: 0, message: e instanceof Error ? e.message : String(e) };
    } finally {
      (writer as RunWriter | null)?.close();
    }
    statuses.push(status);
    options.onRunEnd?.(status, outcome);
    if (status.state === 'aborted') break;
  }
  return statuses;
}
