/**
 * Progress display for a sweep: on a terminal, one cli-progress bar per run (epoch, running train loss,
 * last test accuracy, ETA from the step rate); otherwise (a pipe, a log file, `--no-progress`) one plain line
 * per finished epoch, so logs stay readable.
 */
import cliProgress from 'cli-progress';
import type { RunConfig } from '../experiments/config.js';
import type { RunProgress } from '../experiments/runner.js';
import type { SweepRunStatus } from '../experiments/sweep.js';

export interface ProgressReporter {
  runStart(info: { index: number; total: number; id: string; config: RunConfig; note?: string }): void;
  progress(p: RunProgress): void;
  runEnd(status: SweepRunStatus): void;
  stop(): void;
}

const fmt = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');

export function createProgress(options: { bars: boolean; stream?: NodeJS.WriteStream; log?: (line: string) => void }): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const log = options.log ?? ((line: string) => console.error(line));
  let bar: cliProgress.SingleBar | null = null;
  let lastEpochLogged = 0;
  let current = '';

  const stopBar = (): void => {
    bar?.stop();
    bar = null;
  };

  return {
    runStart(info) {
      current = info.id;
      lastEpochLogged = 0;
      log(`[${info.index + 1}/${info.total}] ${info.id}${info.note ? ` (${info.note})` : ''}`);
      if (options.bars) {
        bar = new cliProgress.SingleBar(
          {
            format: '  {bar} epoch {epoch}/{epochs} | loss {loss} | acc {acc} | ETA {eta_formatted}',
            stream,
            hideCursor: true,
            etaBuffer: 200,
            fps: 5,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(1, 0, { epoch: 1, epochs: info.config.epochs, loss: '—', acc: '—' });
      }
    },
    progress(p) {
      if (p.run !== current) return;
      if (bar) {
        bar.setTotal(p.epochs * p.steps);
        bar.update((p.epoch - 1) * p.steps + p.step, { epoch: p.epoch, epochs: p.epochs, loss: fmt(p.loss, 4), acc: fmt(p.accuracy, 4) });
      } else if (p.step === p.steps && p.epoch > lastEpochLogged) {
        lastEpochLogged = p.epoch;
        log(`  epoch ${p.epoch}/${p.epochs}  train loss ${fmt(p.loss, 4)}  test acc ${fmt(p.accuracy, 4)}`);
      }
    },
    runEnd(status) {
      stopBar();
      const detail = status.message ? `: ${status.message}` : '';
      if (status.state === 'skipped') log(`${status.id}: already complete (${status.epochs} epochs recorded), skipped`);
      else log(`  ${status.state} after ${status.epochs} epoch${status.epochs === 1 ? '' : 's'}${detail}`);
    },
    stop: stopBar,
  };
}
