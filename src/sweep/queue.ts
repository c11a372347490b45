/**
 * Queue mode on Redis with BullMQ: `enqueue` adds one job per run (job id = run id, so enqueueing the same
 * sweep again adds nothing), `worker` takes jobs and trains each in a child process of its pool (pool.ts):
 * the worker's event loop stays free to renew its job locks, and the child exits when its worker dies.
 *
 * Every queue delivers a job at least once (a worker killed mid-job has its job handed to another after the
 * lock expires). Correctness comes from the results store: the second delivery takes over the dead owner's
 * run lock, resumes from its checkpoint, or skips the run if it completed. A job whose run is still held
 * by a live process (the dying worker's child, for a moment) is retried after a back-off.
 *
 * bullmq and ioredis are optional peer dependencies, imported only here and only when these commands run.
 */
import type { RunConfig } from '../experiments/config.js';
import type { RunProgress } from '../experiments/runner.js';
import type { DataSource } from './data-source.js';
import { Pool } from './pool.js';
import type { SweepRunStatus } from './run-one.js';

export const DEFAULT_QUEUE = 'sparsity-lab';

export class QueueDependencyError extends Error {}

interface Bull {
  Queue: new (name: string, opts: Record<string, unknown>) => BullQueue;
  Worker: new (name: string, processor: (job: { id?: string; data: JobData }) => Promise<unknown>, opts: Record<string, unknown>) => BullWorker;
  Redis: new (url: string, opts: Record<string, unknown>) => { quit(): Promise<unknown>; disconnect(): void };
}
interface BullQueue {
  addBulk(jobs: Array<{ name: string; data: JobData; opts: Record<string, unknown> }>): Promise<unknown[]>;
  getJob(id: string): Promise<unknown>;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  close(): Promise<void>;
}
interface BullWorker {
  on(event: string, f: (...args: unknown[]) => void): void;
  close(force?: boolean): Promise<void>;
  waitUntilReady(): Promise<unknown>;
}

export interface JobData {
  id: string;
  config: RunConfig;
  outDir: string;
}

async function loadBull(): Promise<Bull> {
  try {
    const bull = (await import('bullmq')) as unknown as { Queue: Bull['Queue']; Worker: Bull['Worker'] };
    const ioredis = (await import('ioredis')) as unknown as { default?: Bull['Redis']; Redis?: Bull['Redis'] };
    const Redis = ioredis.Redis ?? ioredis.default;
    if (!Redis) throw new Error('ioredis has no Redis export');
    return { Queue: bull.Queue, Worker: bull.Worker, Redis };
  } catch (e) {
    throw new QueueDependencyError(
      `queue mode needs the optional peer dependencies bullmq and ioredis (${(e as Error).message}); install them with: npm install bullmq ioredis`,
    );
  }
}

function checkUrl(url: string): void {
  if (!/^rediss?:\/\//.test(url)) throw new Error(`--redis: expected a redis:// or rediss:// URL, got ${JSON.stringify(url)}`);
}

/** Add one job per run; returns how many were new. */
export async function enqueueRuns(plan: ReadonlyArray<{ id: string; config: RunConfig }>, o: { redis: string; queue?: string; outDir: string }): Promise<{ added: number; existing: number }> {
  checkUrl(o.redis);
  const bull = await loadBull();
  const connection = new bull.Redis(o.redis, { maxRetriesPerRequest: null });
  const queue = new bull.Queue(o.queue ?? DEFAULT_QUEUE, { connection });
  try {
    let existing = 0;
    const fresh = [];
    for (const p of plan) {
      if (await queue.getJob(p.id)) existing++;
      else fresh.push(p);
    }
    await queue.addBulk(
      fresh.map((p) => ({
        name: 'run',
        data: { id: p.id, config: p.config, outDir: o.outDir },
        opts: { jobId: p.id, attempts: 20, backoff: { type: 'fixed', delay: 2000 }, removeOnComplete: false, removeOnFail: false },
      })),
    );
    return { added: fresh.length, existing };
  } finally {
    await queue.close();
    await connection.quit();
  }
}

export interface QueueWorkerOptions {
  redis: string;
  queue?: string;
  /** Runs trained at once (child processes). Default 1. */
  concurrency?: number;
  dataSource: DataSource;
  gemmKernel: string;
  wasmMemory?: boolean;
  forceKernel?: boolean;
  keepCheckpoint?: boolean;
  /** Job lock time (ms): a dead worker's job goes back to the queue after about this long. Default 30000. */
  lockMs?: number;
  /** Stop when the queue has nothing waiting, delayed or active (default false: run until the signal). */
  untilEmpty?: boolean;
  signal?: AbortSignal;
  execArgv?: string[];
  onRunStart?: (worker: number, info: { id: string; config: RunConfig; note?: string }) => void;
  onProgress?: (worker: number, p: RunProgress) => void;
  onRunEnd?: (worker: number, status: SweepRunStatus) => void;
  log?: (line: string) => void;
}

/** Take jobs until the signal aborts (or the queue is empty with `untilEmpty`); returns the statuses. */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<SweepRunStatus[]> {
  checkUrl(o.redis);
  const bull = await loadBull();
  const concurrency = o.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency: expected a positive integer, got ${concurrency}`);
  const lockMs = o.lockMs ?? 30_000;
  const pool = new Pool(
    { size: concurrency, dataSource: o.dataSource, gemmKernel: o.gemmKernel, ...(o.execArgv && { execArgv: o.execArgv }) },
    { onStart: o.onRunStart, onProgress: o.onProgress, onEnd: o.onRunEnd },
  );
  const statuses: SweepRunStatus[] = [];
  const connection = new bull.Redis(o.redis, { maxRetriesPerRequest: null });
  const queueName = o.queue ?? DEFAULT_QUEUE;
  const worker = new bull.Worker(
    queueName,
    async (job) => {
      const { id, config, outDir } = job.data;
      const status = await pool.run(
        { id, config },
        { outDir, ...(o.wasmMemory && { wasmMemory: true }), ...(o.forceKernel && { forceKernel: true }), ...(o.keepCheckpoint && { keepCheckpoint: true }) },
      );
      statuses.push(status);
      if (status.state === 'busy') throw new Error(`run ${id} is held by another live process; retrying later`);
      if (status.state === 'failed' || status.state === 'aborted') throw new Error(`run ${id} ${status.state}: ${status.message ?? ''}`);
      return { state: status.state, epochs: status.epochs };
    },
    { connection, concurrency, lockDuration: lockMs, stalledInterval: Math.max(1000, Math.floor(lockMs / 2)), maxStalledCount: 100 },
  );
  worker.on('error', (e) => o.log?.(`worker error: ${(e as Error).message}`));
  await worker.waitUntilReady();
  const queue = o.untilEmpty ? new bull.Queue(queueName, { connection }) : null;
  await new Promise<void>((resolve) => {
    if (o.signal?.aborted) return resolve();
    o.signal?.addEventListener('abort', () => resolve(), { once: true });
    if (queue) {
      const poll = setInterval(() => {
        void queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children').then((c) => {
          if (Object.values(c).every((n) => n === 0)) {
            clearInterval(poll);
            resolve();
          }
        }, () => {});
      }, 500);
      o.signal?.addEventListener('abort', () => clearInterval(poll), { once: true });
    }
  });
  if (o.signal?.aborted) pool.abort();
  await worker.close();
  await queue?.close();
  await pool.close();
  await connection.quit();
  return statuses;
}
