/**
 * One run into a shared results directory, safely: take the run's lock or leave it to its owner; skip it
 * when complete; otherwise resume it from its checkpoint (or start it afresh), appending fsync'd epoch
 * lines and saving a checkpoint after each epoch; remove the checkpoint when the run completes.
 *
 * Resume rules. The records file and the checkpoint are written in this order each epoch: the epoch line
 * (appended, fsync'd), then the checkpoint (atomic rename). So after any kill the file holds at least the
 * checkpoint's epochs; a run resumes at the checkpoint's epoch k after the file is cut back to its first k
 * epochs (RunWriter.resume). A run with records but no usable checkpoint starts again from epoch 1.
 *
 * Kernel consistency: the gemm kernel of the partial records (header) and of the checkpoint must be the
 * kernel now active; otherwise the run fails with an error naming both, unless `forceKernel`.
 */
import { configHash, type RunConfig } from '../experiments/config.js';
import { isComplete, readRun, RunWriter, type RunResult } from '../experiments/results.js';
import { runExperiment, type RunData, type RunLabels, type RunOutcome, type RunProgress, type RunSnapshot } from '../experiments/runner.js';
import { activeGemmKernel, sparseInputMode } from '../tensor/index.js';
import { removeDeadTemps, makeDirs } from './atomic.js';
import { loadCheckpoint, removeCheckpoint, saveCheckpoint, type CheckpointState } from './checkpoint.js';
import { crashPoint } from './crash.js';
import { RunLock } from './lock.js';

export type RunState = 'skipped' | 'done' | 'diverged' | 'aborted' | 'failed' | 'busy';

export interface SweepRunStatus {
  id: string;
  config: RunConfig;
  state: RunState;
  /** Epochs recorded (for skipped runs: as found on disk). */
  epochs: number;
  /** Why it failed, diverged, was re-run or resumed, or who holds it (busy). */
  message?: string;
}

export interface RunOneOptions {
  outDir: string;
  data: RunData;
  /** Re-run complete runs too (default false). */
  force?: boolean;
  /** Resume even when the recorded gemm kernel differs from the active one (default false). */
  forceKernel?: boolean;
  /** Keep the final checkpoint of a completed run (default false: removed). */
  keepCheckpoint?: boolean;
  /** Save a checkpoint after every epoch (default true). */
  checkpoints?: boolean;
  wasmMemory?: boolean;
  /** The experiment and condition the run was planned under (its header records them). */
  labels?: RunLabels;
  signal?: AbortSignal;
  onStart?: (info: { id: string; config: RunConfig; note?: string }) => void;
  onProgress?: (progress: RunProgress) => void;
}

export class KernelMismatchError extends Error {}

export function kernelMismatch(id: string, recorded: string, active: string, where: string): KernelMismatchError {
  return new KernelMismatchError(
    `run ${id}: its ${where} was computed with gemm kernel ${recorded}, but the active kernel is ${active}; resuming would mix ` +
      `kernels (last-bit differences) in one run. Use --gemm ${recorded} (with node --experimental-wasm-relaxed-simd for a ` +
      `relaxed kernel), or force it (--force-kernel), or re-run it from scratch (--force)`,
  );
}

export async function runOne(id: string, config: RunConfig, options: RunOneOptions): Promise<{ status: SweepRunStatus; outcome: RunOutcome | null }> {
  const dir = options.outDir;
  const hash = configHash(config);
  makeDirs(dir);
  const acquired = RunLock.tryAcquire(dir, id);
  if (!acquired) return { status: { id, config, state: 'busy', epochs: 0, message: 'another process holds its lock' }, outcome: null };
  const lock = acquired.lock;
  const guard = (): void => lock.assertHeld();
  let writer: RunWriter | null = null;
  try {
    removeDeadTemps(dir, id);
    let existing: RunResult | null = null;
    let note: string | undefined;
    try {
      existing = readRun(dir, id);
    } catch (e) {
      note = `re-running: the earlier file was unreadable (${(e as Error).message})`;
    }
    if (existing && existing.header.config_hash !== hash) {
      note = `re-running: the earlier file has another configuration (hash ${existing.header.config_hash})`;
      existing = null;
    }
    if (existing && isComplete(existing) && !options.force) {
      if (!options.keepCheckpoint) removeCheckpoint(dir, id); // left by a kill after the last line
      return { status: { id, config, state: 'skipped', epochs: existing.epochs.length, message: 'already complete' }, outcome: null };
    }
    const kernel = activeGemmKernel().name;
    let ckpt: CheckpointState | null = null;
    if (existing && !options.force && existing.epochs.length > 0 && !isComplete(existing)) {
      if (existing.header.gemm_kernel !== kernel && !options.forceKernel) throw kernelMismatch(id, existing.header.gemm_kernel, kernel, 'partial record');
      const recordedSparse = existing.header.sparse_input ?? 'dense';
      if (recordedSparse !== sparseInputMode() && !options.forceKernel) {
        throw new KernelMismatchError(
          `run ${id}: its partial record was computed with --sparse-input ${recordedSparse}, but the active mode is ${sparseInputMode()}; ` +
            `resuming would mix rounding orders in one run. Use --sparse-input ${recordedSparse}, or force it (--force-kernel), or re-run it (--force)`,
        );
      }
      try {
        ckpt = loadCheckpoint(dir, id);
      } catch (e) {
        note = `re-running from epoch 1: ${(e as Error).message}`;
      }
      if (ckpt && (ckpt.config_hash !== hash || ckpt.epoch > existing.epochs.length || ckpt.epoch >= config.epochs)) ckpt = null;
      if (ckpt && ckpt.gemm_kernel !== kernel && !options.forceKernel) throw kernelMismatch(id, ckpt.gemm_kernel, kernel, 'checkpoint');
      if (ckpt) note = `resuming after epoch ${ckpt.epoch} of ${config.epochs} (checkpoint)`;
      else note ??= `re-running: ${existing.epochs.length} of ${config.epochs} epochs were recorded, no checkpoint`;
    }
    if (!ckpt) removeCheckpoint(dir, id);
    options.onStart?.({ id, config, ...(note && { note }) });
    if (ckpt && existing) writer = RunWriter.resume(dir, existing, ckpt.epoch, guard);
    const resume: RunSnapshot | undefined = ckpt ? { epoch: ckpt.epoch, accuracy: ckpt.accuracy, params: ckpt.params, optimizer: ckpt.optimizer } : undefined;
    const checkpoints = options.checkpoints !== false;
    const outcome = await runExperiment(config, {
      data: options.data,
      signal: options.signal,
      onProgress: options.onProgress,
      wasmMemory: options.wasmMemory === true,
      ...(options.labels && { labels: options.labels }),
      ...(resume && { resume }),
      ...(checkpoints && {
        snapshotLast: options.keepCheckpoint === true,
        onSnapshot: (snap: RunSnapshot) => {
          guard();
          saveCheckpoint(dir, { run: id, config_hash: hash, gemm_kernel: kernel, ...snap });
        },
      }),
      onRecord: (r) => {
        if (r.type === 'header') writer = new RunWriter(dir, r, guard);
        else if (r.type === 'epoch') writer!.epoch(r);
        else writer!.diverged(r);
      },
    });
    const state: RunState = outcome.diverged ? 'diverged' : outcome.aborted ? 'aborted' : 'done';
    if (state !== 'aborted') {
      crashPoint('run-done');
      if (!options.keepCheckpoint || outcome.diverged) removeCheckpoint(dir, id);
    }
    const epochs = (resume?.epoch ?? 0) + outcome.epochs.length;
    const message = outcome.diverged ? outcome.diverged.reason : note;
    return { status: { id, config, state, epochs, ...(message && { message }) }, outcome };
  } catch (e) {
    return { status: { id, config, state: 'failed', epochs: 0, message: e instanceof Error ? e.message : String(e) }, outcome: null };
  } finally {
    (writer as RunWriter | null)?.close();
    lock.release();
  }
}
