/** Sweep-wide progress: plain lines with runs done/total, elapsed and ETA; a multibar on a terminal. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../src/experiments/config.js';
import { createSweepProgress, duration } from '../../src/sweep/progress.js';

const config = normalizeConfig({ optimizer: 'sgd', epochs: 2 });

describe('createSweepProgress', () => {
  it('plain lines: a line per run start, epoch and end, with done/total, elapsed and an ETA from the work done', () => {
    const lines: string[] = [];
    let now = 0;
    const p = createSweepProgress({ total: 3, workers: 2, bars: false, log: (l) => lines.push(l), now: () => now });
    p.runEnd({ id: 'a', config, state: 'skipped', epochs: 2 }, 0);
    p.runStart({ index: 1, total: 3, id: 'b', config, worker: 0 });
    p.runStart({ index: 2, total: 3, id: 'c', config, worker: 1, note: 'resuming after epoch 1 of 2 (checkpoint)' });
    now = 10_000;
    p.progress({ run: 'b', epoch: 1, epochs: 2, step: 10, steps: 10, loss: 0.5, accuracy: 0.9 }, 0);
    p.progress({ run: 'c', epoch: 2, epochs: 2, step: 5, steps: 10, loss: 0.5, accuracy: 0.9 }, 1);
    p.runEnd({ id: 'b', config, state: 'done', epochs: 2 }, 0);
    p.stop();
    expect(lines[0]).toBe('a: already complete (2 epochs recorded), skipped | 1/3 runs, elapsed 0s, ETA —');
    expect(lines[1]).toBe('[2/3] b (worker 0)');
    expect(lines[2]).toBe('[3/3] c (worker 1; resuming after epoch 1 of 2 (checkpoint))');
    expect(lines[3]).toBe('  worker 0: b epoch 1/2 train loss 0.5000 test acc 0.9000');
    // Work: b done (1) + c at 3/4 → 1.75 of the 2 runs to train after 10 s: ETA = 10 · 0.25 / 1.75 ≈ 1 s.
    expect(lines[4]).toBe('b: done after 2 epochs | 2/3 runs, elapsed 10s, ETA 1s');
  });

  it('bars: draws a sweep bar and a bar per worker on a terminal stream', async () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    const p = createSweepProgress({ total: 2, workers: 2, bars: true, stream: stream as unknown as NodeJS.WriteStream, log: () => {} });
    p.runStart({ index: 0, total: 2, id: 'run-a', config, worker: 0 });
    p.progress({ run: 'run-a', epoch: 1, epochs: 2, step: 5, steps: 10, loss: 0.5, accuracy: NaN }, 0);
    p.runEnd({ id: 'run-a', config, state: 'done', epochs: 2 }, 0);
    p.stop();
    expect(text).toContain('sweep');
    expect(text).toContain('worker 0');
    expect(text).toMatch(/1\/2 runs \| elapsed/);
  });

  it('formats durations', () => {
    expect([duration(5), duration(65), duration(3725), duration(NaN)]).toEqual(['5s', '1m05s', '1h02m', '—']);
  });
});
