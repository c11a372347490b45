/**
 * Slurm job arrays against a real single-node cluster: munged, slurmctld and slurmd from Debian, configured
 * from deploy/slurm/{slurm.conf,cgroup.conf}, all state under a temporary directory, listening on 127.0.0.1
 * only. `sparsity-lab slurm` writes the sbatch script for a 3-shard array of a small spec; one running task
 * is requeued with `scontrol requeue` in the middle of a run; at the end every run is complete exactly once,
 * the requeued task resumed from its checkpoint, and the records equal a serial sweep's.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../src/data/index.js';
import { runSweep } from '../src/experiments/sweep.js';
import { wasmMemoryAvailable } from '../src/tensor/index.js';
import { useGemmKernel } from '../src/tensor/index.js';
import { checkLines, leftovers, recordsOf } from '../test/sweep/helpers/procs.js';
import { CLI_ARGV, ensureDebianPackages, freePort, Processes, ROOT, waitFor } from './helpers/services.js';

const KERNEL = 'wasm-simd';
const procs = new Processes();
let dir: string;
let env: NodeJS.ProcessEnv;
const started = Date.now();
const NODE = 'slnode';

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });

beforeAll(async () => {
  ensureDebianPackages(['munge', 'slurmctld', 'slurmd', 'slurm-client'], ['munged', 'mungekey', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol']);
  if (process.getuid?.() !== 0) throw new Error('the Slurm integration test starts slurmd, which must run as root: run it as root (e.g. in CI or a container)');
  dir = mkdtempSync(join(tmpdir(), 'sl-slurm-'));
  chmodSync(dir, 0o755); // job steps (and munge clients) must reach the socket
  for (const d of ['state', 'spool', 'results']) mkdirSync(join(dir, d));
  execFileSync('mungekey', ['--create', `--keyfile=${join(dir, 'munge.key')}`]);
  procs.start('munged', ['-F', '-f', `--socket=${join(dir, 'munge.socket')}`, `--key-file=${join(dir, 'munge.key')}`, `--log-file=${join(dir, 'munged.log')}`, `--pid-file=${join(dir, 'munged.pid')}`, `--seed-file=${join(dir, 'munged.seed')}`]);
  await waitFor('munged socket', () => existsSync(join(dir, 'munge.socket')), 20_000);
  const fill: Record<string, string> = {
    DIR: dir,
    HOST: hostname(),
    CTLD_PORT: String(await freePort()),
    SLURMD_PORT: String(await freePort()),
    USER: userInfo().username,
    NODE,
    CPUS: '2',
  };
  const conf = readFileSync(join(ROOT, 'deploy/slurm/slurm.conf'), 'utf8').replace(/@([A-Z_]+)@/g, (_m, k: string) => fill[k] ?? `@${k}@`);
  expect(conf).not.toMatch(/@[A-Z_]+@/);
  writeFileSync(join(dir, 'slurm.conf'), conf);
  copyFileSync(join(ROOT, 'deploy/slurm/cgroup.conf'), join(dir, 'cgroup.conf'));
  env = { SLURM_CONF: join(dir, 'slurm.conf') };
  procs.start('slurmctld', ['-D', '-i', '-f', join(dir, 'slurm.conf')], { env });
  procs.start('slurmd', ['-D', '-f', join(dir, 'slurm.conf'), '-N', NODE], { env });
  await waitFor('the node to be idle', () => sh('sinfo', ['-h', '-o', '%T']).trim() === 'idle', 60_000, 500);
});

afterAll(async () => {
  try {
    if (env) sh('scancel', ['--user', userInfo().username]);
  } catch {
    /* no cluster */
  }
  await procs.stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(`slurm integration: ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
});

const base = { hidden: [64], epochs: 4, batchSize: 50, data: { train: { start: 0, end: 3000 }, test: { start: 0, end: 1000 } } };
const runs = ['sgd', 'adam', 'adagrad', 'adadelta', 'rmsprop', 'adamw'].map((optimizer, i) => ({ ...base, optimizer, seed: i + 1 }));

describe('Slurm job array (single-node cluster)', () => {
  it('a 3-shard array with one task requeued mid-run completes every run exactly once, with a serial sweep’s records', async () => {
    const out = join(dir, 'results');
    const spec = join(dir, 'spec.json');
    writeFileSync(spec, JSON.stringify({ out, runs }));
    const script = sh(CLI_ARGV[0], [...CLI_ARGV.slice(1), 'slurm', spec, '--shards', '3', '--throttle', '2', '--gemm', KERNEL]).trim();
    const text = readFileSync(script, 'utf8');
    expect(text).toContain('#SBATCH --array=0-2%2');
    expect(text).toContain('#SBATCH --requeue');
    expect(text).toContain('#SBATCH --open-mode=append');
    const job = /Submitted batch job (\d+)/.exec(sh('sbatch', [script]))![1];

    // Requeue a running task once one of its runs has a checkpoint (it is in the middle of that run).
    const task = await waitFor(
      'a running task in the middle of a run',
      () => {
        const running = sh('squeue', ['-h', '-j', job, '-t', 'R', '-o', '%i']).split('\n').filter(Boolean);
        const ckpt = existsSync(out) && readdirSync(out).some((f) => f.endsWith('.ckpt'));
        return ckpt && running.length > 0 ? running[0] : null;
      },
      240_000,
      100,
    );
    sh('scontrol', ['requeue', task]);
    await waitFor('the array to finish', () => sh('squeue', ['-h', '-j', job]).trim() === '', 480_000, 1000);

    const logs = readdirSync(join(out, 'slurm-logs')).map((f) => readFileSync(join(out, 'slurm-logs', f), 'utf8'));
    expect(logs).toHaveLength(3);
    const requeued = logs.filter((l) => l.includes('(restart 1)'));
    expect(requeued).toHaveLength(1); // one log, appended to (--open-mode=append): both attempts are in it
    expect(requeued[0]).toContain('(restart 0)');
    expect(requeued[0]).toMatch(/resuming after epoch \d of 4 \(checkpoint\)|already complete/);

    const got = recordsOf(out);
    expect(Object.keys(got)).toHaveLength(runs.length);
    for (const [name, t] of Object.entries(got)) expect(checkLines(t, name)).toBe(base.epochs);
    expect(leftovers(out)).toEqual([]);
    // The summary is a separate, idempotent step.
    sh(CLI_ARGV[0], [...CLI_ARGV.slice(1), 'summarize', out]);
    const first = readFileSync(join(out, 'summary.csv'), 'utf8');
    sh(CLI_ARGV[0], [...CLI_ARGV.slice(1), 'summarize', out]);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8')).toBe(first);

    useGemmKernel(KERNEL);
    const ref = join(dir, 'reference');
    const m = loadMnist();
    // As the workers train: in WebAssembly memory (the CLI's default), where the SIMD sigmoid and the
    // sparse-input path run; the JS heap rounds in another order.
    await runSweep(runs as never, { outDir: ref, data: { train: m.train, test: m.test }, wasmMemory: wasmMemoryAvailable() });
    expect(got).toEqual(recordsOf(ref));
  });
});
