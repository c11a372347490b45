/**
 * An sbatch script that runs a sweep as a Slurm job array: task i of n runs shard i/n of the plan
 * (shard.ts), so the array covers every run once; the results store (locks, checkpoints, atomic writes)
 * makes a requeued or repeated task safe: it skips what is complete and resumes what is not.
 *
 * - `--array=0-(n-1)%throttle`: at most `throttle` tasks at once;
 * - `--requeue`: a preempted or failed node puts the task back in the queue; it resumes from its checkpoints;
 * - `--open-mode=append`: a requeued task appends to its log instead of truncating it;
 * - the summary/figures are a separate, idempotent step (`sparsity-lab figures DIR`), e.g. a job with
 *   `--dependency=afterany:<array job id>` — printed at the end of the script as a comment.
 */
export interface SlurmScriptOptions {
  /** Job name (letters, digits, - _ .). */
  name: string;
  /** Array tasks = shards. */
  shards: number;
  /** Tasks running at once (default: all). */
  throttle?: number;
  /** The command that runs one shard, without the shard flag: argv words, quoted for the shell here. */
  command: string[];
  /** Where the task logs go (a directory that must exist when the job is submitted). */
  logDir: string;
  /** CPUs per task (each task runs a pool of that many workers). Default 1. */
  cpusPerTask?: number;
  /** e.g. '02:00:00'. */
  time?: string;
  /** e.g. '4G'. */
  mem?: string;
  partition?: string;
  /** Working directory of the tasks. */
  workdir: string;
  /** Extra `#SBATCH` lines, e.g. ['--account=abc']. */
  extra?: string[];
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function slurmScript(o: SlurmScriptOptions): string {
  if (!Number.isInteger(o.shards) || o.shards < 1) throw new Error(`slurm: shards must be a positive integer, got ${o.shards}`);
  const throttle = o.throttle ?? o.shards;
  if (!Number.isInteger(throttle) || throttle < 1) throw new Error(`slurm: throttle must be a positive integer, got ${o.throttle}`);
  if (!/^[A-Za-z0-9_.-]+$/.test(o.name)) throw new Error(`slurm: job name must be letters, digits, - _ or ., got ${JSON.stringify(o.name)}`);
  const cpus = o.cpusPerTask ?? 1;
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${o.name}`,
    `#SBATCH --array=0-${o.shards - 1}%${throttle}`,
    '#SBATCH --requeue',
    '#SBATCH --open-mode=append',
    `#SBATCH --output=${o.logDir}/%x-%A_%a.out`,
    `#SBATCH --ntasks=1`,
    `#SBATCH --cpus-per-task=${cpus}`,
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.mem ? [`#SBATCH --mem=${o.mem}`] : []),
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.extra ?? []).map((e) => `#SBATCH ${e}`),
    '#',
    `# ${o.shards} shards: task i runs the planned runs whose index ≡ i (mod ${o.shards}). A requeued task`,
    '# skips complete runs and resumes the others from their last epoch checkpoint.',
    '# Afterwards (any machine, any time, idempotent):',
    `#   sbatch --dependency=afterany:<this job id> --wrap '<sparsity-lab> figures <results dir>'`,
    'set -euo pipefail',
    `cd ${shellQuote(o.workdir)}`,
    `echo "task \${SLURM_ARRAY_TASK_ID}/${o.shards} on $(hostname) (restart \${SLURM_RESTART_COUNT:-0})"`,
    `exec ${o.command.map(shellQuote).join(' ')} --shard "\${SLURM_ARRAY_TASK_ID}/${o.shards}" --workers "\${SLURM_CPUS_PER_TASK:-${cpus}}"`,
    '',
  ];
  return lines.join('\n');
}
