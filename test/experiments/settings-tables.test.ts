/**
 * The settings tables of TABLES.md (src/experiments/findings/settings-tables.ts): what our presets plan,
 * beside what the dissertation prints. These are checks of the presets as much as of the tables.
 */
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../src/experiments/presets.js';
import { distinctRuns, expandSpec } from '../../src/experiments/spec.js';
import { DETAIL_TABLES, TABLE_5_8_PRINTED, detailsMarkdown, parameterCount, table51Markdown, table58Markdown } from '../../src/experiments/findings/settings-tables.js';

describe('settings tables', () => {
  it('Table 5.1: the baseline preset runs the printed optimizer settings (PyTorch defaults for the rest)', () => {
    const t = table51Markdown();
    expect(t).toContain('| sgd | lr 0.1, momentum 0 | lr 0.1, momentum 0, dampening 0, nesterov false, weightDecay 0 |');
    expect(t).toContain('| adadelta | lr 1.0, rho 0.9 | lr 1, rho 0.9, eps 0.000001, weightDecay 0 |');
    expect(t).toContain('| adam | lr 0.001, betas (0.9, 0.999) | lr 0.001, betas (0.9, 0.999), eps 1e-8, weightDecay 0, amsgrad false |');
  });

  it('Table 5.8: every printed parameter count is ours, and the neurons preset runs every printed width', () => {
    for (const [n, printed] of TABLE_5_8_PRINTED) expect(parameterCount([784, n, 10])).toBe(printed);
    const t = table58Markdown();
    for (const [n, printed] of TABLE_5_8_PRINTED) expect(t).toContain(`| ${n} | ${printed} | ${printed} | yes |`);
  });

  it('experimental details: one row per condition, runs adding up to the plan, settings other than Table 5.1 named', () => {
    for (const [preset] of DETAIL_TABLES) {
      const rows = detailsMarkdown(preset).split('\n').slice(2);
      const total = rows.reduce((s, r) => s + Number(r.split('|').at(-2)!.trim()), 0);
      expect(total, preset).toBe(distinctRuns(expandSpec(loadSpec(preset), { planPending: true })).length);
    }
    const hyper = detailsMarkdown('hyperparameters');
    expect(hyper).toContain('| momentum momentum=0.9 | 784-256-10, batch 50, shuffled, 30 epochs, metrics ε 0.000001 | sgd (momentum 0.9) | 3 |');
    expect(detailsMarkdown('hidden-layers')).toContain('| HL2 | 784-256-256-10, batch 50, shuffled, 50 epochs | sgd; adagrad; adadelta; adam | 12 |');
  });
});
