/**
 * The local pool: N child processes, one run at a time each (child.ts). Child processes rather than worker
 * threads: each run switches process-wide state (the gemm kernel, the float32 allocator, the WebAssembly
 * heap it grows), and a crashed or killed child takes nothing else down; the cost is loading the data once
 * per child.
 *
 * The children inherit the parent's Node flags (e.g. --experimental-wasm-relaxed-simd, needed for the
 * relaxed kernels) and, when run from TypeScript sources, get the tsx loader. Each child is told the
 * parent's gemm kernel, so every run of a sweep uses the same kernel whichever process trains it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RunConfig } from '../experiments/config.js';
import type { RunProgress } from '../experiments/runner.js';
import type { ChildRunOptions, FromChild, ToChild } from './child.js';
import { sparseInputMode } from '../tensor/index.js';
import type { RunLabels } from '../experiments/runner.js';
import type { DataSource } from './data-source.js';
import type { SweepRunStatus } from './run-one.js';

export interface PoolOptions {
  size: number;
  dataSource: DataSource;
  gemmKernel: string;
  /** Node flags for the children (default: the parent's, plus the tsx loader when running sources). */
  execArgv?: string[];
  /** Extra environment for the children. */
  env?: NodeJS.ProcessEnv;
}

export interface PoolItem {
  id: string;
  config: RunConfig;
  /** Experiment/condition labels for the run's header. */
  labels?: RunLabels;
}

export interface PoolCallbacks {
  onStart?: (worker: number, info: { id: string; config: RunConfig; note?: string }) => void;
  onProgress?: (worker: number, p: RunProgress) => void;
  onEnd?: (worker: number, status: SweepRunStatus) => void;
}

/** The child's module beside this one (.ts when running sources, .js when built). */
function childModule(): { path: string; typescript: boolean } {
  const here = import.meta.url;
  const typescript = here.endsWith('.ts');
  return { path: fileURLToPath(new URL(`./child.${typescript ? 'ts' : 'js'}`, here)), typescript };
}

export function childExecArgv(typescript: boolean, parent: readonly string[] = process.execArgv): string[] {
  const argv = parent.filter((a) => !a.startsWith('--inspect'));
  const hasTsx = argv.some((a, i) => (a === '--import' || a === '--loader') && /tsx/.test(argv[i + 1] ?? '')) || argv.some((a) => /^--(import|loader)=.*tsx/.test(a));
  return typescript && !hasTsx ? [...argv, '--import', 'tsx'] : argv;
}

class Slot {
  child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private waiter: ((m: FromChild | { type: 'exit'; code: number | null; signal: NodeJS.Signals | null }) => void) | null = null;

  constructor(
    readonly index: number,
    private readonly options: PoolOptions,
    private readonly callbacks: PoolCallbacks,
  ) {}

  private spawn(): Promise<void> {
    const { path, typescript } = childModule();
    const child = fork(path, [], {
      execArgv: this.options.execArgv ?? childExecArgv(typescript),
      env: { ...process.env, ...this.options.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    let current: string | null = null;
    child.on('message', (m: FromChild) => {
      if (m.type === 'start') {
        current = m.id;
        this.callbacks.onStart?.(this.index, { id: m.id, config: this.pendingConfig!, ...(m.note && { note: m.note }) });
      } else if (m.type === 'progress') {
        if (current === m.progress.run) this.callbacks.onProgress?.(this.index, m.progress);
      } else {
        this.waiter?.(m);
      }
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) {
        this.child = null;
        this.ready = null;
      }
      this.waiter?.({ type: 'exit', code, signal });
    });
    return new Promise<void>((resolve, reject) => {
      this.waiter = (m) => {
        this.waiter = null;
        if (m.type === 'ready') resolve();
        else if (m.type === 'fatal') reject(new Error(`pool worker ${this.index}: ${m.message}`));
        else if (m.type === 'exit') reject(new Error(`pool worker ${this.index} exited while starting (code ${m.code}, signal ${m.signal})`));
      };
      // The parent's kernel choices travel with the work: a worker computes what the parent would.
      this.send({ type: 'init', dataSource: this.options.dataSource, gemmKernel: this.options.gemmKernel, sparseInput: sparseInputMode() });
    });
  }

  private pendingConfig: RunConfig | null = null;

  send(m: ToChild): void {
    if (this.child?.connected) this.child.send(m);
  }

  async run(item: PoolItem, options: ChildRunOptions): Promise<SweepRunStatus> {
    this.ready ??= this.spawn();
    await this.ready;
    this.pendingConfig = item.config;
    return new Promise<SweepRunStatus>((resolve) => {
      this.waiter = (m) => {
        this.waiter = null;
        if (m.type === 'end') resolve(m.status);
        else if (m.type === 'fatal') resolve({ id: item.id, config: item.config, state: 'failed', epochs: 0, message: `pool worker: ${m.message}` });
        else if (m.type === 'exit') {
          resolve({ id: item.id, config: item.config, state: 'failed', epochs: 0, message: `pool worker process exited during the run (code ${m.code}, signal ${m.signal})` });
        }
      };
      this.send({ type: 'run', id: item.id, config: item.config, options: { ...options, ...(item.labels && { labels: item.labels }) } });
    });
  }

  close(): Promise<void> {
    const child = this.child;
    if (!child) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
    });
  }
}

export class Pool {
  private readonly slots: Slot[];

  constructor(options: PoolOptions, callbacks: PoolCallbacks = {}) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`Pool: size must be a positive integer, got ${options.size}`);
    this.slots = Array.from({ length: options.size }, (_, i) => new Slot(i, options, callbacks));
    this.callbacks = callbacks;
  }

  private readonly callbacks: PoolCallbacks;

  /** Run every item (each on the next free worker); statuses in the items' order. */
  async runAll(items: readonly PoolItem[], options: ChildRunOptions, signal?: AbortSignal): Promise<Array<SweepRunStatus | null>> {
    const out: Array<SweepRunStatus | null> = items.map(() => null);
    let next = 0;
    const onAbort = (): void => this.slots.forEach((s) => s.send({ type: 'abort' }));
    signal?.addEventListener('abort', onAbort);
    try {
      await Promise.all(
        this.slots.slice(0, Math.max(1, Math.min(this.slots.length, items.length))).map(async (slot) => {
          while (next < items.length && !signal?.aborted) {
            const i = next++;
            let status: SweepRunStatus;
            try {
              status = await slot.run(items[i], options);
            } catch (e) {
              status = { id: items[i].id, config: items[i].config, state: 'failed', epochs: 0, message: (e as Error).message };
            }
            out[i] = status;
            this.callbacks.onEnd?.(slot.index, status);
          }
        }),
      );
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return out;
  }

  private free: Slot[] | null = null;
  private waiting: Array<(slot: Slot) => void> = [];

  /** Run one item on the next free worker (for callers that get items one at a time, e.g. a queue). */
  async run(item: PoolItem, options: ChildRunOptions): Promise<SweepRunStatus> {
    this.free ??= this.slots.slice();
    const slot = this.free.pop() ?? (await new Promise<Slot>((resolve) => this.waiting.push(resolve)));
    try {
      const status = await slot.run(item, options);
      this.callbacks.onEnd?.(slot.index, status);
      return status;
    } finally {
      const next = this.waiting.shift();
      if (next) next(slot);
      else this.free.push(slot);
    }
  }

  /** Tell every worker to stop its run between two steps (the runs stay resumable). */
  abort(): void {
    this.slots.forEach((s) => s.send({ type: 'abort' }));
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.close()));
  }
}
