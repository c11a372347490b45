import { describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../src/experiments/config.js';
import { epochSeconds, formatDuration, MEASURED, runSeconds } from '../../src/experiments/cost-model.js';

describe('cost model', () => {
  it('reproduces its measurements at the measured points (batch 1 and 50, 256 and 768 units)', () => {
    for (const opt of ['sgd', 'adagrad', 'adadelta', 'adam'] as const) {
      for (const w of [256, 768] as const) {
        for (const b of [1, 50]) {
          const t = MEASURED.train[opt]![w][b === 1 ? 'b1' : 'b50'];
          const c = normalizeConfig({ optimizer: opt, hidden: [w], batchSize: b });
          expect(epochSeconds(c)).toBeCloseTo((60000 * t + 10000 * MEASURED.test[w]) / 1e6, 9);
        }
      }
    }
  });

  it('scales with images, epochs and training-stream metrics; costs unmeasured optimizers as Adam; the CNN from its own measurement; unknown for other models', () => {
    const base = normalizeConfig({ optimizer: 'adam', epochs: 30 });
    expect(runSeconds(base)).toBeCloseTo(30 * epochSeconds(base), 9);
    const small = normalizeConfig({ optimizer: 'adam', data: { train: { start: 0, end: 6000 }, test: { start: 0, end: 1000 } } });
    expect(epochSeconds(small)).toBeCloseTo(epochSeconds(base) / 10, 9);
    expect(epochSeconds(normalizeConfig({ optimizer: 'rmsprop' }))).toBe(epochSeconds(normalizeConfig({ optimizer: 'adam' })));
    expect(epochSeconds(normalizeConfig({ optimizer: 'adadelta', batchSize: 1 }))).toBeLessThan(epochSeconds(normalizeConfig({ optimizer: 'adam', batchSize: 1 })));
    expect(epochSeconds(normalizeConfig({ optimizer: 'sgd', metrics: { train: true } }))).toBeGreaterThan(epochSeconds(normalizeConfig({ optimizer: 'sgd' })));
    const cnn = { ...normalizeConfig({ optimizer: 'sgd' }), model: { kind: 'cnn' } };
    expect(epochSeconds(cnn)).toBeCloseTo((60000 * MEASURED.cnn.train + 10000 * MEASURED.cnn.test) / 1e6, 9);
    expect(epochSeconds({ ...cnn, model: { kind: 'resnet' } })).toBeNaN();
    expect([formatDuration(NaN), formatDuration(30), formatDuration(600), formatDuration(7200)]).toEqual(['unknown', '30 s', '10 min', '2.0 h']);
  });
});
