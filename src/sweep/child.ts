/**
 * A pool worker (a child process of the sweep, see pool.ts): loads the data once, then trains the runs the
 * parent sends, one at a time, with runOne (locks, checkpoints, atomic writes). It reports progress and each
 * run's status over the IPC channel, and exits as soon as the channel closes (the parent died), so no
 * orphan keeps training.
 *
 * Messages in: `init` { dataSource, gemmKernel, sparseInput }, `run` { id, config, options }, `abort`.
 * Messages out: `ready`, `start`, `progress`, `end` { status }, `fatal` { message }.
 */
import type { RunConfig } from '../experiments/config.js';
import type { RunData, RunProgress } from '../experiments/runner.js';
import { setSparseInputMode, sparseInputMode, useGemmKernel, type SparseInputMode } from '../tensor/index.js';
import { loadDataSource, type DataSource } from './data-source.js';
import { runOne, type RunOneOptions, type SweepRunStatus } from './run-one.js';

export type ChildRunOptions = Omit<RunOneOptions, 'data' | 'signal' | 'onStart' | 'onProgress'>;

export type ToChild =
  | { type: 'init'; dataSource: DataSource; gemmKernel: string; sparseInput?: SparseInputMode }
  | { type: 'run'; id: string; config: RunConfig; options: ChildRunOptions }
  | { type: 'abort' };

export type FromChild =
  | { type: 'ready' }
  | { type: 'start'; id: string; note?: string }
  | { type: 'progress'; progress: RunProgress }
  | { type: 'end'; status: SweepRunStatus }
  | { type: 'fatal'; message: string };

const send = (m: FromChild): void => {
  process.send?.(m);
};

let data: RunData | null = null;
const controller = new AbortController();
let lastProgress = 0;

process.on('disconnect', () => process.exit(0));
process.on('SIGINT', () => {}); // the parent decides (it sends `abort`); a terminal's Ctrl-C reaches the whole group

process.on('message', (m: ToChild) => {
  void (async () => {
    try {
      if (m.type === 'init') {
        useGemmKernel(m.gemmKernel);
        if (m.sparseInput !== undefined && m.sparseInput !== sparseInputMode()) setSparseInputMode(m.sparseInput);
        data = await loadDataSource(m.dataSource);
        send({ type: 'ready' });
      } else if (m.type === 'abort') {
        controller.abort();
      } else if (m.type === 'run') {
        if (!data) throw new Error('pool worker: run before init');
        const { status } = await runOne(m.id, m.config, {
          ...m.options,
          data,
          signal: controller.signal,
          onStart: (info) => send({ type: 'start', id: info.id, ...(info.note && { note: info.note }) }),
          onProgress: (p) => {
            const now = Date.now();
            if (now - lastProgress < 200 && p.step !== p.steps) return;
            lastProgress = now;
            send({ type: 'progress', progress: p });
          },
        });
        send({ type: 'end', status });
      }
    } catch (e) {
      send({ type: 'fatal', message: e instanceof Error ? e.message : String(e) });
      process.exitCode = 1;
      process.disconnect?.();
    }
  })();
});
