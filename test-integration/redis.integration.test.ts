/**
 * Queue mode against a real Redis: redis-server on 127.0.0.1 (a free port, append-only file on, under a
 * temporary directory), a spec enqueued twice (the second adds nothing), two `sparsity-lab worker`
 * processes, one SIGKILLed in the middle of a job. Every run must complete exactly once — one header and
 * each epoch once per file, every job completed, none failed — with the records of a serial sweep, and the
 * killed worker's training child must exit by itself.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../src/data/index.js';
import { runSweep } from '../src/experiments/sweep.js';
import { wasmMemoryAvailable } from '../src/tensor/index.js';
import { useGemmKernel } from '../src/tensor/index.js';
import { checkLines, leftovers, recordsOf } from '../test/sweep/helpers/procs.js';
import { childPids, CLI_ARGV, ensureDebianPackages, exited, freePort, pidAlive, Processes, waitFor } from './helpers/services.js';

const KERNEL = 'wasm-simd';
const procs = new Processes();
let tmp: string;
let url: string;
const started = Date.now();

beforeAll(async () => {
  ensureDebianPackages(['redis-server', 'redis-tools'], ['redis-server', 'redis-cli']);
  tmp = mkdtempSync(join(tmpdir(), 'sl-redis-'));
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  const redis = procs.start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--dir', tmp, '--appendonly', 'yes', '--save', '', '--daemonize', 'no']);
  await waitFor('redis-server to answer PING', () => execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).trim() === 'PONG', 30_000);
  expect(redis.exitCode).toBeNull();
});

afterAll(async () => {
  await procs.stopAll();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  console.log(`redis integration: ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
});

const base = { hidden: [64], epochs: 4, batchSize: 50, data: { train: { start: 0, end: 3000 }, test: { start: 0, end: 1000 } } };
const runs = ['sgd', 'adam', 'adagrad', 'adadelta', 'rmsprop', 'adamw'].map((optimizer, i) => ({ ...base, optimizer, seed: i + 1 }));

describe('queue mode on Redis (BullMQ)', () => {
  it('two workers, one SIGKILLed mid-job: every run completes exactly once, with a serial sweep’s records', async () => {
    const out = join(tmp, 'results');
    const spec = join(tmp, 'spec.json');
    writeFileSync(spec, JSON.stringify({ out, runs }));
    const cli = (...args: string[]) => execFileSync(CLI_ARGV[0], [...CLI_ARGV.slice(1), ...args], { encoding: 'utf8' });
    expect(cli('enqueue', spec, '--redis', url)).toContain(`enqueued ${runs.length} run(s) (0 already queued)`);
    expect(cli('enqueue', spec, '--redis', url)).toContain(`enqueued 0 run(s) (${runs.length} already queued)`);

    const worker = (name: string) =>
      procs.start(CLI_ARGV[0], [...CLI_ARGV.slice(1), 'worker', '--redis', url, '--concurrency', '1', '--gemm', KERNEL, '--lock-ms', '4000', '--until-empty'], {
        log: (s) => process.env.SL_DEBUG && process.stderr.write(`[${name}] ${s}`),
      });
    const a = worker('a');
    const b = worker('b');
    // Kill worker a once it is in the middle of a job: its first epoch line is on disk, its run not complete.
    let victim = '';
    await waitFor(
      'worker a to be mid-job',
      () => {
        const m = /worker 0: (\S+)\n/.exec(a.output());
        victim = m ? m[1] : '';
        return victim !== '' && readdirSync(out).includes(`${victim}.ckpt`);
      },
      120_000,
      20,
    );
    const orphans = childPids(a.pid!);
    expect(orphans.length).toBe(1);
    a.kill('SIGKILL');
    await exited(a);
    await waitFor('the killed worker’s training child to exit by itself', () => !pidAlive(orphans[0]), 20_000);
    expect(await exited(b)).toBe(0);

    const counts = JSON.parse(
      execFileSync(
        CLI_ARGV[0],
        [
          '--input-type=module',
          '-e',
          `import { Queue } from 'bullmq'; import { Redis } from 'ioredis'; const c = new Redis(${JSON.stringify(url)}, { maxRetriesPerRequest: null });
           const q = new Queue('sparsity-lab', { connection: c }); console.log(JSON.stringify(await q.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed'))); await q.close(); await c.quit();`,
        ],
        { encoding: 'utf8', cwd: process.cwd() },
      ),
    ) as Record<string, number>;
    expect(counts).toEqual({ completed: runs.length, failed: 0, waiting: 0, active: 0, delayed: 0 });

    const got = recordsOf(out);
    expect(Object.keys(got)).toHaveLength(runs.length);
    for (const [name, text] of Object.entries(got)) expect(checkLines(text, name)).toBe(base.epochs);
    expect(leftovers(out)).toEqual([]);
    expect(b.output()).toMatch(new RegExp(`${victim} \\(resuming after epoch \\d of 4 \\(checkpoint\\)\\)`)); // b took the killed job over

    useGemmKernel(KERNEL);
    const ref = join(tmp, 'reference');
    const m = loadMnist();
    // As the workers train: in WebAssembly memory (the CLI's default), where the SIMD sigmoid and the
    // sparse-input path run; the JS heap rounds in another order.
    await runSweep(runs as never, { outDir: ref, data: { train: m.train, test: m.test }, wasmMemory: wasmMemoryAvailable() });
    expect(got).toEqual(recordsOf(ref));
    expect(readFileSync(join(tmp, 'appendonlydir', readdirSync(join(tmp, 'appendonlydir')).find((f) => f.includes('.incr.'))!), 'utf8').length).toBeGreaterThan(0);
  });
});
