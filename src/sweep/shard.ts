/**
 * Sharding a sweep's plan: shard i of n takes the runs whose index in the deterministic plan order is
 * ≡ i (mod n). The shard comes from `--shard i/n`, else from the environment of the engine running us:
 * Slurm job arrays (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_COUNT`; the array must be 0..n-1), then
 * Kubernetes indexed Jobs (`JOB_COMPLETION_INDEX` with `JOB_COMPLETIONS`, or `SPARSITY_LAB_SHARDS`).
 */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string, what = '--shard'): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new Error(`${what}: expected i/n with integers 0 ≤ i < n (e.g. 0/4), got ${JSON.stringify(text)}`);
  return checkShard({ index: Number(m[1]), count: Number(m[2]) }, what);
}

export function checkShard(shard: Shard, what = 'shard'): Shard {
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new Error(`${what}: expected 0 ≤ index < count with count ≥ 1, got ${shard.index}/${shard.count}`);
  }
  return shard;
}

/** The shard the environment asks for, or null; `source` names the variables it came from. */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env): (Shard & { source: string }) | null {
  const int = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    if (!/^\d+$/.test(v)) throw new Error(`${name}: expected a non-negative integer, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  const slurmId = int('SLURM_ARRAY_TASK_ID');
  if (slurmId !== undefined) {
    const count = int('SLURM_ARRAY_TASK_COUNT');
    const min = int('SLURM_ARRAY_TASK_MIN') ?? 0;
    if (count === undefined) throw new Error('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: pass --shard i/n');
    return { ...checkShard({ index: slurmId - min, count }, 'SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT'), source: 'SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT' };
  }
  const k8s = int('JOB_COMPLETION_INDEX');
  if (k8s !== undefined) {
    const count = int('SPARSITY_LAB_SHARDS') ?? int('JOB_COMPLETIONS');
    if (count === undefined) throw new Error('JOB_COMPLETION_INDEX is set but neither SPARSITY_LAB_SHARDS nor JOB_COMPLETIONS is: pass --shard i/n');
    return { ...checkShard({ index: k8s, count }, 'JOB_COMPLETION_INDEX'), source: 'JOB_COMPLETION_INDEX' };
  }
  return null;
}

/** The items of shard `shard` (all of them without one), keeping their plan index. */
export function shardPlan<T>(plan: readonly T[], shard: Shard | null | undefined): Array<{ index: number; item: T }> {
  const all = plan.map((item, index) => ({ index, item }));
  return shard ? all.filter((p) => p.index % shard.count === shard.index) : all;
}
