/**
 * worker_threads for large products. Every worker instantiates the same compiled gemm module on the same
 * shared WebAssembly memory, so operands, packed panels and C are shared without copies; the calling
 * thread computes one part itself and waits for the others.
 *
 * Split: by rows of C when there are enough row panels (each thread packs the whole B block and its own
 * rows of A — packing B is a cheap copy, A would be a transpose), otherwise by columns. Parts are
 * multiples of the register tile so no tile straddles two threads.
 *
 * Synchronisation is one Int32Array per worker on a SharedArrayBuffer: the caller writes the job into a
 * Float64Array, bumps `seq` and notifies; the worker runs `WasmGemmDriver.run`, stores `done = seq` and
 * notifies; the caller `Atomics.wait`s for it. A worker that has not finished starting (instantiation
 * is asynchronous) is simply not used for that call — the caller never waits for start-up.
 *
 * Each worker has its own scratch (packing buffers) allocated on the caller's side from the heap before a
 * job is posted, since the allocator is not thread-safe.
 */
import type { Worker } from 'node:worker_threads';
import { WasmHeap } from '../../memory.js';
import { BlockSizes, ScratchSlot, ScratchSpace, WasmGemmDriver, generalScratchBytes } from './driver.js';
import { WasmGemmConfig } from './module.js';
import { gemmModule } from './instance.js';

/** Control words per worker. */
export const CTRL = { seq: 0, done: 1, ready: 2, error: 3, errorLength: 4 } as const;
/** Bytes of the UTF-8 error message a worker can leave for the caller (which cannot take events while it waits). */
export const ERROR_BYTES = 1024;
/** Job words (float64): tA, tB, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc, packA, packB, tile. */
export const JOB_WORDS = 16;

interface PoolWorker {
  worker: Worker;
  ctrl: Int32Array;
  job: Float64Array;
  errorText: Uint8Array;
  scratch: { packA: number; packB: number; tile: number; bytes: { packA: number; packB: number; tile: number } };
}

function workerEntry(): URL {
  // From TypeScript sources (under tsx) a worker does not inherit the loader: start the small .mjs
  // bootstrap that registers tsx and imports worker.ts. Built JS starts worker.js directly.
  const ts = import.meta.url.endsWith('.ts');
  return new URL(ts ? './worker-dev.mjs' : './worker.js', import.meta.url);
}

/**
 * Node's worker_threads, reached at run time through `process.getBuiltinModule` (Node ≥ 20.16) rather than
 * a static import, so that sparsity-lab/tensor bundles for a browser with no Node built-in in it. Threads
 * need this Node API and an `Atomics.wait` on the calling thread, which a browser's main thread forbids;
 * in a browser gemm runs single-threaded (`gemmThreadSupport()` says why).
 */
function nodeWorkerThreads(): typeof import('node:worker_threads') | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return (proc?.getBuiltinModule?.('worker_threads') as typeof import('node:worker_threads') | undefined) ?? null;
}

/** Whether the gemm worker-thread pool can start workers in this engine, and if not, why. */
export function gemmThreadSupport(): { supported: boolean; reason: string } {
  if (!nodeWorkerThreads()) {
    return { supported: false, reason: 'gemm worker threads need Node ≥ 20.16 (worker_threads via process.getBuiltinModule); elsewhere, e.g. in a browser, gemm runs on the calling thread' };
  }
  if (typeof SharedArrayBuffer === 'undefined') return { supported: false, reason: 'SharedArrayBuffer is unavailable' };
  return { supported: true, reason: 'Node worker_threads on a shared WebAssembly memory' };
}

export class GemmThreadPool {
  private readonly workers: PoolWorker[] = [];
  /** The last error a worker reported. */
  lastError: unknown = null;

  constructor(
    readonly heap: WasmHeap,
    readonly config: WasmGemmConfig,
    readonly blocks: BlockSizes,
    size: number,
  ) {
    const threads = nodeWorkerThreads();
    if (!threads) throw new Error(`GemmThreadPool: ${gemmThreadSupport().reason}`);
    if (!heap.shared) throw new Error('GemmThreadPool: worker threads need the shared WebAssembly heap, and this one is not shared');
    const url = workerEntry();
    for (let w = 0; w < size; w++) {
      const ctrl = new Int32Array(new SharedArrayBuffer(5 * 4));
      const errorText = new Uint8Array(new SharedArrayBuffer(ERROR_BYTES));
      const job = new Float64Array(new SharedArrayBuffer(JOB_WORDS * 8));
      const worker = new threads.Worker(url, {
        // Not the parent's --input-type (node --input-type=module -e …): a worker started from a file rejects it.
        execArgv: process.execArgv.filter((a) => !a.startsWith('--input-type')),
        workerData: { module: gemmModule(config), memory: heap.memory, config, blocks, ctrl, job, errorText },
      });
      worker.unref();
      worker.on('error', (e) => {
        this.lastError = e;
        Atomics.store(ctrl, CTRL.error, 1);
      });
      this.workers.push({ worker, ctrl, job, errorText, scratch: { packA: 0, packB: 0, tile: 0, bytes: { packA: 0, packB: 0, tile: 0 } } });
    }
  }

  /** Workers that have started and not failed. */
  ready(): number {
    return this.workers.filter((w) => Atomics.load(w.ctrl, CTRL.ready) === 1 && Atomics.load(w.ctrl, CTRL.error) === 0).length;
  }

  /** Wait (polling the event loop) until all workers are ready; for tests and benchmarks. */
  async whenReady(timeoutMs = 30_000): Promise<void> {
    const t0 = Date.now();
    while (this.ready() < this.workers.length) {
      if (this.workers.some((w) => Atomics.load(w.ctrl, CTRL.error) !== 0)) throw new Error(`GemmThreadPool: a worker failed to start: ${String(this.lastError)}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`GemmThreadPool: workers not ready after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
  }

  private ensureScratch(w: PoolWorker, N: number, K: number): void {
    const need = generalScratchBytes(this.config, this.blocks, N, K);
    for (const slot of ['packA', 'packB', 'tile'] as const) {
      if (w.scratch.bytes[slot] < need[slot]) {
        if (w.scratch.bytes[slot] > 0) this.heap.freeBytes(w.scratch[slot]);
        w.scratch[slot] = this.heap.allocBytes(need[slot]);
        w.scratch.bytes[slot] = need[slot];
      }
    }
  }

  /**
   * Run C = alpha·op(A)·op(B) + beta·C (byte addresses in the shared memory) split over the ready workers
   * and `self` on this thread. Returns false (having done nothing) if no worker is ready.
   */
  run(self: WasmGemmDriver, tA: boolean, tB: boolean, M: number, N: number, K: number, alpha: number, a: number, lda: number, b: number, ldb: number, beta: number, c: number, ldc: number): boolean {
    const ready = this.workers.filter((w) => Atomics.load(w.ctrl, CTRL.ready) === 1 && Atomics.load(w.ctrl, CTRL.error) === 0);
    if (ready.length === 0) return false;
    const parts = ready.length + 1;
    const { mr, nr } = this.config;
    const byRows = Math.ceil(M / mr) >= 2 * parts;
    const unit = byRows ? mr : nr;
    const extent = byRows ? M : N;
    const units = Math.ceil(extent / unit);
    const bounds: number[] = [];
    for (let p = 0; p <= parts; p++) bounds.push(p === parts ? extent : Math.min(extent, Math.round((units * p) / parts) * unit));
    const posted: PoolWorker[] = [];
    // Workers take the first parts (whole tiles); this thread the last, which holds any partial tile.
    for (let p = 0; p + 1 < parts; p++) {
      const lo = bounds[p];
      const hi = bounds[p + 1];
      if (hi <= lo) continue;
      const w = ready[p];
      const [m, n] = byRows ? [hi - lo, N] : [M, hi - lo];
      this.ensureScratch(w, n, K);
      const aPart = byRows ? (tA ? a + lo * 4 : a + lo * lda) : a;
      const bPart = byRows ? b : tB ? b + lo * ldb : b + lo * 4;
      const cPart = byRows ? c + lo * ldc : c + lo * 4;
      w.job.set([tA ? 1 : 0, tB ? 1 : 0, m, n, K, alpha, aPart, lda, bPart, ldb, beta, cPart, ldc, w.scratch.packA, w.scratch.packB, w.scratch.tile]);
      Atomics.add(w.ctrl, CTRL.seq, 1);
      Atomics.notify(w.ctrl, CTRL.seq);
      posted.push(w);
    }
    const lo = bounds[parts - 1];
    if (lo < extent) {
      if (byRows) self.run(tA, tB, M - lo, N, K, alpha, tA ? a + lo * 4 : a + lo * lda, lda, b, ldb, beta, c + lo * ldc, ldc);
      else self.run(tA, tB, M, N - lo, K, alpha, a, lda, tB ? b + lo * ldb : b + lo * 4, ldb, beta, c + lo * 4, ldc);
    }
    for (const w of posted) {
      const seq = Atomics.load(w.ctrl, CTRL.seq);
      for (;;) {
        const done = Atomics.load(w.ctrl, CTRL.done);
        if (done === seq || Atomics.load(w.ctrl, CTRL.error) !== 0) break;
        Atomics.wait(w.ctrl, CTRL.done, done, 1000);
      }
      if (Atomics.load(w.ctrl, CTRL.error) !== 0) {
        const text = new TextDecoder().decode(w.errorText.slice(0, Atomics.load(w.ctrl, CTRL.errorLength)));
        throw new Error(`GemmThreadPool: a worker failed during a product: ${text || String(this.lastError)}`);
      }
    }
    return true;
  }
}

/** Fixed scratch addresses handed to a worker with each job. */
export class FixedScratch implements ScratchSpace {
  packA = 0;
  packB = 0;
  tile = 0;
  ensure(slot: ScratchSlot): number {
    if (slot === 'packA') return this.packA;
    if (slot === 'packB') return this.packB;
    if (slot === 'tile') return this.tile;
    throw new Error(`FixedScratch: a worker has no '${slot}' region (workers only run the general path)`);
  }
}
