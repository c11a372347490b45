/** Run locks (O_EXCL, stale takeover), atomic writes, shards from flags and the environment, the sbatch script. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeDeadTemps, writeFileAtomic } from '../../src/sweep/atomic.js';
import { lockHolder, lockPath, RunLock } from '../../src/sweep/lock.js';
import { parseShard, shardFromEnv, shardPlan } from '../../src/sweep/shard.js';
import { slurmScript } from '../../src/sweep/slurm.js';
import { sweepOptionsFromFlags } from '../../src/cli/sweep-commands.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sl-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A pid that surely belonged to a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout as unknown as number;

describe('RunLock', () => {
  it('is exclusive, names its holder, and is released', () => {
    const dir = tempDir();
    const a = RunLock.tryAcquire(dir, 'r1')!;
    expect(a).not.toBeNull();
    expect(lockHolder(dir, 'r1')).toMatchObject({ pid: process.pid, host: hostname() });
    expect(RunLock.tryAcquire(dir, 'r1')).toBeNull(); // a live holder: ourselves
    expect(a.lock.verify()).toBe(true);
    a.lock.release();
    expect(existsSync(lockPath(dir, 'r1'))).toBe(false);
    const b = RunLock.tryAcquire(dir, 'r1')!;
    expect(b.tookOver).toBeUndefined();
    b.lock.release();
  });

  it('takes over a lock whose process is dead, and never one of a live process', () => {
    const dir = tempDir();
    const pid = Number(deadPid());
    writeFileSync(lockPath(dir, 'r'), JSON.stringify({ pid, host: hostname(), token: 'x', time: '' }));
    const got = RunLock.tryAcquire(dir, 'r')!;
    expect(got.tookOver).toMatchObject({ pid });
    expect(lockHolder(dir, 'r')?.pid).toBe(process.pid);
    got.lock.release();
    // A live process (pid 1) on this host, and a fresh lock from another host: both respected.
    writeFileSync(lockPath(dir, 'r'), JSON.stringify({ pid: 1, host: hostname(), token: 'y', time: '' }));
    expect(RunLock.tryAcquire(dir, 'r')).toBeNull();
    writeFileSync(lockPath(dir, 'r'), JSON.stringify({ pid, host: 'elsewhere', token: 'z', time: '' }));
    expect(RunLock.tryAcquire(dir, 'r')).toBeNull();
    expect(RunLock.tryAcquire(dir, 'r', { staleAfterMs: -1 })?.tookOver).toMatchObject({ host: 'elsewhere' }); // untouched too long
    expect(readdirSync(dir).filter((f) => f.includes('stale'))).toEqual([]);
  });

  it('an owner whose lock was taken notices before writing', () => {
    const dir = tempDir();
    const a = RunLock.tryAcquire(dir, 'r')!;
    writeFileSync(lockPath(dir, 'r'), JSON.stringify({ pid: 1, host: hostname(), token: 'other', time: '' }));
    expect(() => a.lock.assertHeld()).toThrow(/lost the lock/);
    a.lock.release();
    expect(lockHolder(dir, 'r')?.token).toBe('other'); // not ours: left alone
  });
});

describe('atomic writes', () => {
  it('replace the file whole and leave no temporary file; dead writers’ temporaries are removed', () => {
    const dir = tempDir();
    const f = join(dir, 'a.csv');
    writeFileAtomic(f, 'one\n');
    writeFileAtomic(f, ['two', '\n']);
    expect(readFileSync(f, 'utf8')).toBe('two\n');
    expect(readdirSync(dir)).toEqual(['a.csv']);
    writeFileSync(join(dir, `b.csv.tmp-${deadPid()}`), 'half');
    writeFileSync(join(dir, 'c.csv.tmp-1'), 'pid 1 is alive');
    expect(removeDeadTemps(dir)).toHaveLength(1);
    expect(readdirSync(dir).sort()).toEqual(['a.csv', 'c.csv.tmp-1']);
  });
});

describe('shards', () => {
  it('parse i/n, split the plan by index mod n, and come from Slurm or Kubernetes variables', () => {
    expect(parseShard('1/3')).toEqual({ index: 1, count: 3 });
    expect(() => parseShard('3/3')).toThrow(/0 ≤ index < count/);
    expect(() => parseShard('a/b')).toThrow(/expected i\/n/);
    expect(shardPlan(['a', 'b', 'c', 'd', 'e'], { index: 1, count: 2 }).map((p) => p.item)).toEqual(['b', 'd']);
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' })).toMatchObject({ index: 2, count: 4 });
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '3' })).toMatchObject({ index: 2, count: 4 });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '1', JOB_COMPLETIONS: '3' })).toMatchObject({ index: 1, count: 3 });
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '1' })).toThrow(/SPARSITY_LAB_SHARDS/);
    expect(shardFromEnv({})).toBeNull();
    expect(sweepOptionsFromFlags({ workers: '3' }, { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' })).toMatchObject({ workers: 3, shard: { index: 0, count: 2 } });
    expect(sweepOptionsFromFlags({ shard: '1/2' }, { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '2' }).shard).toEqual({ index: 1, count: 2 });
    expect(() => sweepOptionsFromFlags({ workers: '0' })).toThrow(/--workers: expected a positive integer/);
  });

  it('the sbatch script: an array with a throttle, requeue, appended logs, one shard per task', () => {
    const s = slurmScript({ name: 'base', shards: 5, throttle: 2, command: ['node', '/x y/main.js', 'sweep', 'spec.json'], logDir: '/r/logs', workdir: '/w', cpusPerTask: 2, time: '01:00:00' });
    expect(s).toContain('#SBATCH --array=0-4%2\n#SBATCH --requeue\n#SBATCH --open-mode=append\n');
    expect(s).toContain('#SBATCH --cpus-per-task=2');
    expect(s).toContain(`exec node '/x y/main.js' sweep spec.json --shard "\${SLURM_ARRAY_TASK_ID}/5"`);
    expect(() => slurmScript({ name: 'a b', shards: 1, command: [], logDir: '/', workdir: '/' })).toThrow(/job name/);
  });
});
