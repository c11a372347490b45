/**
 * Sweep-wide progress for a pool: runs done/total, elapsed time, an ETA for the whole sweep, and one line per
 * worker (its run, epoch, loss, accuracy). On a terminal a cli-progress multibar; otherwise plain lines (a
 * line per started and finished run with the sweep totals, and per finished epoch), so logs stay readable.
 *
 * ETA: the fraction of the work done is (runs finished + Σ fractions of the active runs) / runs to train,
 * counting only runs trained by this process (skipped ones cost nothing); ETA = elapsed · (1 − f) / f.
 */
import cliProgress from 'cli-progress';
import type { RunProgress } from '../experiments/runner.js';
import type { RunStartInfo, SweepRunStatus } from '../experiments/sweep.js';

export interface SweepProgress {
  runStart(info: RunStartInfo): void;
  progress(p: RunProgress, worker: number): void;
  runEnd(status: SweepRunStatus, worker: number): void;
  stop(): void;
}

const fmt = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export function createSweepProgress(options: { total: number; workers: number; bars: boolean; stream?: NodeJS.WriteStream; log?: (line: string) => void; now?: () => number }): SweepProgress {
  const now = options.now ?? (() => Date.now());
  const log = options.log ?? ((line: string) => console.error(line));
  const t0 = now();
  let finished = 0; // any final state, skipped included
  let trained = 0; // finished runs this process trained
  const active = new Map<number, { id: string; fraction: number; epoch: number; epochs: number }>();
  const lastEpoch = new Map<number, number>();

  const stats = () => {
    const elapsed = (now() - t0) / 1000;
    const toTrain = options.total - (finished - trained); // skipped runs are no work
    let work = trained;
    for (const a of active.values()) work += a.fraction;
    const f = toTrain > 0 ? work / toTrain : 1;
    const eta = f > 0 ? (elapsed * (1 - f)) / f : NaN;
    return { elapsed, eta };
  };

  let multi: cliProgress.MultiBar | null = null;
  let top: cliProgress.SingleBar | null = null;
  const bars = new Map<number, cliProgress.SingleBar>();
  if (options.bars) {
    multi = new cliProgress.MultiBar(
      { stream: options.stream ?? process.stderr, hideCursor: true, fps: 5, clearOnComplete: false, format: '{label} {bar} {info}' },
      cliProgress.Presets.shades_classic,
    );
    top = multi.create(options.total, 0, { label: 'sweep   ', info: '' });
  }
  const updateTop = (): void => {
    const { elapsed, eta } = stats();
    top?.update(finished, { info: `${finished}/${options.total} runs | elapsed ${duration(elapsed)} | ETA ${duration(eta)}` });
  };

  return {
    runStart(info) {
      active.set(info.worker, { id: info.id, fraction: 0, epoch: 0, epochs: info.config.epochs });
      lastEpoch.set(info.worker, 0);
      if (multi) {
        let bar = bars.get(info.worker);
        if (!bar) {
          bar = multi.create(1, 0, { label: `worker ${info.worker}`, info: '' });
          bars.set(info.worker, bar);
        }
        bar.setTotal(1);
        bar.update(0, { info: `${info.id}${info.note ? ` (${info.note})` : ''}` });
        updateTop();
      } else {
        log(`[${info.index + 1}/${options.total}] ${info.id} (worker ${info.worker}${info.note ? `; ${info.note}` : ''})`);
      }
    },
    progress(p, worker) {
      const a = active.get(worker);
      if (!a || a.id !== p.run) return;
      a.fraction = (p.epoch - 1 + p.step / p.steps) / p.epochs;
      const bar = bars.get(worker);
      if (bar) {
        bar.setTotal(p.epochs * p.steps);
        bar.update((p.epoch - 1) * p.steps + p.step, { info: `${p.run} epoch ${p.epoch}/${p.epochs} loss ${fmt(p.loss, 4)} acc ${fmt(p.accuracy, 4)}` });
        updateTop();
      } else if (p.step === p.steps && p.epoch > (lastEpoch.get(worker) ?? 0)) {
        lastEpoch.set(worker, p.epoch);
        log(`  worker ${worker}: ${p.run} epoch ${p.epoch}/${p.epochs} train loss ${fmt(p.loss, 4)} test acc ${fmt(p.accuracy, 4)}`);
      }
    },
    runEnd(status, worker) {
      finished++;
      if (status.state !== 'skipped') {
        trained++;
        active.delete(worker);
      }
      const { elapsed, eta } = stats();
      const line =
        status.state === 'skipped'
          ? `${status.id}: already complete (${status.epochs} epochs recorded), skipped`
          : `${status.id}: ${status.state} after ${status.epochs} epochs${status.message ? ` (${status.message})` : ''}`;
      if (multi) {
        if (status.state !== 'skipped') bars.get(worker)?.update({ info: line });
        updateTop();
      } else {
        log(`${line} | ${finished}/${options.total} runs, elapsed ${duration(elapsed)}, ETA ${duration(eta)}`);
      }
    },
    stop() {
      updateTop();
      multi?.stop();
    },
  };
}
