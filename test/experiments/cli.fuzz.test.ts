/**
 * Fuzzing the command line in-process (fast-check, fixed seed, bounded in time): random flags, overrides
 * and presets, and results directories corrupted at random. Whatever the input, the CLI either succeeds or
 * reports a user mistake — exit code 2, exactly one `error: …` line on stderr, and nothing written — never
 * a stack trace (exit 1).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { presetNames } from '../../src/experiments/presets.js';
import { run } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'sl-fuzz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let out: string[] = [];
let err: string[] = [];
beforeEach(() => {
  vi.restoreAllMocks();
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
});

async function cli(args: string[]): Promise<number> {
  out = [];
  err = [];
  process.exitCode = undefined;
  await main(['node', 'sparsity-lab', ...args]);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return code;
}

const junk = fc.oneof(
  fc.constantFrom('', '0', '-1', '1e309', 'NaN', '0.5', '3', '1,2', '1,,2', 'x', '[1,2]', '{}', '{"kind":"sorted"}', '60001', '1e-7'),
  fc.string({ maxLength: 8 }),
);
const flag = fc.constantFrom(
  '--optimizers', '--seeds', '--epochs', '--batch-size', '--hidden', '--train-images', '--test-images', '--eps', '--sampler',
  '--lr', '--momentum', '--rho', '--betas', '--weight-decay', '--optimizer-eps', '--dampening',
);
const path = fc.constantFrom('optimizer.lr', 'optimizer.name', 'batchSize', 'hidden', 'seeds', 'epochs', 'sampler', 'optimizer.betas.0', 'model.kind', 'data.train', 'nonsense.path', 'seed');
const arg = fc.oneof(
  fc.tuple(flag, junk).map(([f, v]) => [f, v]),
  fc.tuple(path, junk).map(([p, v]) => [`${p}=${v}`]),
  fc.constantFrom(['--nesterov'], ['--amsgrad'], ['--quick'], ['--train-metrics'], ['--json'], ['--bogus']),
);

describe('CLI fuzz', () => {
  it('flags, overrides and presets: success, or exit 2 with one error line (dry-run, nothing trained)', async () => {
    const presets = presetNames();
    await fc.assert(
      fc.asyncProperty(fc.option(fc.constantFrom(...presets, 'nosuch', 'x.json'), { nil: undefined }), fc.array(arg, { maxLength: 4 }), async (preset, args) => {
        const argv = ['run', ...(preset ? [preset] : []), ...args.flat(), '--dry-run'];
        const code = await cli(argv);
        if (code === 0) {
          expect(out.length, argv.join(' ')).toBeGreaterThan(0);
          return;
        }
        expect(code, `${argv.join(' ')}\n${err.join('\n')}`).toBe(2);
        expect(err, argv.join(' ')).toHaveLength(1);
        expect(err[0]).toMatch(/^error: /);
      }),
      { seed: 20261206, numRuns: 150, interruptAfterTimeLimit: 25_000 },
    );
  }, 60_000);

  it('results directories corrupted at random: summarize succeeds, or exits 2 with one line and writes nothing', async () => {
    const good = [run({ optimizer: 'sgd', seed: 1, epochs: 2 }, [0.5, 0.6]), run({ optimizer: 'adam', seed: 1, epochs: 2 }, [0.7, 0.8])];
    const lines = good.flatMap((r) => [r.header, ...r.epochs].map((x) => JSON.stringify(x)));
    const corruption = fc.oneof(
      fc.nat().map((n) => (text: string) => text.slice(0, n % (text.length + 1))), // truncated
      fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 6 })).map(([n, s]) => (text: string) => text.slice(0, n % text.length) + s + text.slice(n % text.length)),
      fc.constant((text: string) => text + text), // every line twice
      fc.constant((text: string) => text.replace(/"epochs":2/, '"epochs":"two"')),
      fc.constant((text: string) => '\u0000'.repeat(64) + text),
    );
    let i = 0;
    await fc.assert(
      fc.asyncProperty(corruption, fc.boolean(), fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), async (corrupt, splitFiles, foreign) => {
        const dir = join(root, `d${i++}`);
        mkdirSync(dir);
        const text = `${lines.join('\n')}\n`;
        if (splitFiles) {
          const half = lines.length / 2;
          writeFileSync(join(dir, 'a.jsonl'), corrupt(`${lines.slice(0, half).join('\n')}\n`));
          writeFileSync(join(dir, 'b.jsonl'), `${lines.slice(half).join('\n')}\n`);
        } else writeFileSync(join(dir, 'runs.jsonl'), corrupt(text));
        if (foreign !== undefined) writeFileSync(join(dir, 'foreign.jsonl'), foreign);
        const before = readdirSync(dir).sort();
        const target = join(dir, 'out');
        const code = await cli(['summarize', dir, '--out', target]);
        if (code === 0) {
          expect(existsSync(join(target, 'summary.csv'))).toBe(true);
          expect(readFileSync(join(target, 'summary.json'), 'utf8').length).toBeGreaterThan(0);
        } else {
          expect(code, err.join('\n')).toBe(2);
          expect(err).toHaveLength(1);
          expect(err[0]).toMatch(/^error: /);
          expect(existsSync(target)).toBe(false);
          expect(readdirSync(dir).sort()).toEqual(before);
        }
      }),
      { seed: 20261206, numRuns: 60, interruptAfterTimeLimit: 20_000 },
    );
  }, 60_000);
});
