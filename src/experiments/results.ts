/**
 * Results files: append-only JSON Lines (one record per line, see records.ts), one file per run named
 * `<run id>.jsonl` in a results directory.
 *
 * Writing: {@link RunWriter} creates the run's file holding its header line atomically (temporary file,
 * fsync, rename), then appends one line per epoch, each with a single synchronous write followed by fsync,
 * so a crash leaves every finished epoch on disk and at worst one truncated last line. Only the holder of
 * the run's lock (src/sweep/lock.ts) writes its file; the writer checks the lock before every line.
 * {@link RunWriter.resume} continues a file after its first k epochs: it first rewrites it atomically to
 * exactly the header and those k epoch lines (dropping later epochs and a truncated tail). Reading: {@link parseResults} checks every line and throws naming the file,
 * line and field; a truncated final line (no newline, not valid JSON) is reported in `warnings` and ignored.
 * A header for a run id seen before in the same text starts that run afresh (an earlier attempt's lines
 * are dropped), so concatenated files read correctly.
 *
 * Resume: a run is *complete* when it has a line for every configured epoch or a diverged line; the sweep
 * skips complete runs whose header matches the configuration, and re-runs any other from its first epoch
 * (runs are deterministic, so the repeated epochs give the same numbers).
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendDurable, writeFileAtomic, makeDirs } from '../sweep/atomic.js';
import { crashPoint } from '../sweep/crash.js';
import type { RunConfig } from './config.js';
import type { DivergedRecord, EpochRecord, HeaderRecord, LayerRecord, ResultRecord } from './records.js';

export interface RunResult {
  header: HeaderRecord;
  epochs: EpochRecord[];
  diverged: DivergedRecord | null;
  /** The file it was read from, if any. */
  source?: string;
}

export interface ParsedResults {
  runs: RunResult[];
  warnings: string[];
}

/** JSON.stringify with non-finite numbers written as `null` (JSON has no NaN), never silently as 0. */
export function recordToJson(record: ResultRecord): string {
  return JSON.stringify(record, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

/** A run's complete: every configured epoch recorded, or it diverged. */
export function isComplete(run: RunResult): boolean {
  return run.diverged !== null || run.epochs.length >= run.header.config.epochs;
}

export function runFile(dir: string, run: string): string {
  return join(dir, `${run}.jsonl`);
}

/** Called before every write; throws to stop the writer (e.g. the run's lock was lost). */
export type WriteGuard = () => void;

/** Writes one run's lines. Construct it with the header; call `epoch`/`diverged`, then `close`. */
export class RunWriter {
  readonly path!: string;
  private fd: number | null;

  constructor(
    dir: string,
    header: HeaderRecord,
    private readonly guard: WriteGuard = () => {},
  ) {
    makeDirs(dir);
    this.path = runFile(dir, header.run);
    guard();
    writeFileAtomic(this.path, `${recordToJson(header)}\n`, 'header');
    this.fd = openSync(this.path, 'a');
  }

  /**
   * Continue `run`'s file after its first `epochs` epochs: the file is first replaced (atomically) by the
   * header and those epoch lines, so anything after them — later epochs, a diverged line, a truncated
   * last line — is gone before the first new line is appended.
   */
  static resume(dir: string, run: RunResult, epochs: number, guard: WriteGuard = () => {}): RunWriter {
    if (epochs > run.epochs.length) throw new Error(`RunWriter.resume: ${run.header.run} has ${run.epochs.length} epochs recorded, cannot keep ${epochs}`);
    const lines = [run.header, ...run.epochs.slice(0, epochs)].map((r) => `${recordToJson(r)}\n`).join('');
    const path = runFile(dir, run.header.run);
    guard();
    if (readFileSync(path, 'utf8') !== lines) writeFileAtomic(path, lines, 'header');
    const w = Object.create(RunWriter.prototype) as RunWriter;
    Object.assign(w, { path, fd: openSync(path, 'a'), guard });
    return w;
  }

  epoch(record: EpochRecord): void {
    this.write(record);
  }

  diverged(record: DivergedRecord): void {
    this.write(record);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private write(record: ResultRecord): void {
    if (this.fd === null) throw new Error(`RunWriter: ${this.path} is already closed`);
    this.guard();
    crashPoint('epoch-append');
    appendDurable(this.fd, `${recordToJson(record)}\n`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Reading and validation

class LineError extends Error {}

function num(o: Record<string, unknown>, key: string, allowNull = false): void {
  const v = o[key];
  if (allowNull && v === null) return;
  if (typeof v !== 'number') throw new LineError(`field "${key}": expected a number${allowNull ? ' or null' : ''}, got ${JSON.stringify(v)}`);
}

function checkLayers(o: Record<string, unknown>, key: string): void {
  const layers = o[key];
  if (!Array.isArray(layers)) throw new LineError(`field "${key}": expected an array of per-layer metrics, got ${JSON.stringify(layers)}`);
  layers.forEach((l: unknown, i) => {
    if (l === null || typeof l !== 'object') throw new LineError(`field "${key}[${i}]": expected an object, got ${JSON.stringify(l)}`);
    for (const k of ['sparsity_mean', 'sparsity_std', 'selectivity_mean', 'selectivity_std', 'activation_sum'] as const) {
      const v = (l as Partial<LayerRecord>)[k];
      if (v !== null && typeof v !== 'number') throw new LineError(`field "${key}[${i}].${k}": expected a number or null, got ${JSON.stringify(v)}`);
    }
  });
}

function checkRecord(o: unknown): ResultRecord {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new LineError(`expected a JSON object, got ${JSON.stringify(o)}`);
  const r = o as Record<string, unknown>;
  if (typeof r.run !== 'string' || r.run === '') throw new LineError(`field "run": expected a run id string, got ${JSON.stringify(r.run)}`);
  switch (r.type) {
    case 'header': {
      const c = r.config as RunConfig | undefined;
      if (c === null || typeof c !== 'object' || typeof c.epochs !== 'number' || typeof c.optimizer !== 'object') {
        throw new LineError(`field "config": expected a run configuration, got ${JSON.stringify(c)}`);
      }
      num(r, 'seed');
      if (c.seed !== r.seed) throw new LineError(`field "seed" (${String(r.seed)}) differs from config.seed (${c.seed})`);
      if (typeof r.version !== 'string') throw new LineError(`field "version": expected a string, got ${JSON.stringify(r.version)}`);
      if (typeof r.config_hash !== 'string') throw new LineError(`field "config_hash": expected a string, got ${JSON.stringify(r.config_hash)}`);
      return r as unknown as HeaderRecord;
    }
    case 'epoch':
      for (const k of ['epoch', 'train_loss', 'test_loss', 'test_acc', 'seconds']) num(r, k);
      checkLayers(r, 'layers');
      if (r.train_layers !== undefined) checkLayers(r, 'train_layers');
      return r as unknown as EpochRecord;
    case 'diverged':
      num(r, 'epoch');
      num(r, 'step');
      if (typeof r.reason !== 'string') throw new LineError(`field "reason": expected a string, got ${JSON.stringify(r.reason)}`);
      return r as unknown as DivergedRecord;
    default:
      throw new LineError(`field "type": expected "header", "epoch" or "diverged", got ${JSON.stringify(r.type)}`);
  }
}

/** Parse and check a results text; `source` names it in errors (a file path). */
export function parseResults(text: string, source = '<results>'): ParsedResults {
  const runs = new Map<string, RunResult>();
  const warnings: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const where = `${source}:${i + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      if (i === lines.length - 1) {
        warnings.push(`${where}: ignored a truncated last line (the run was interrupted while writing it)`);
        continue;
      }
      throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
    }
    let rec: ResultRecord;
    try {
      rec = checkRecord(parsed);
    } catch (e) {
      if (e instanceof LineError) throw new Error(`${where}: ${e.message}`);
      throw e;
    }
    if (rec.type === 'header') {
      runs.delete(rec.run); // a restarted run: drop the earlier attempt
      runs.set(rec.run, { header: rec, epochs: [], diverged: null, source });
      continue;
    }
    const run = runs.get(rec.run);
    const what = rec.type === 'epoch' ? 'an epoch line' : 'a diverged line';
    if (!run) throw new Error(`${where}: ${what} for run ${rec.run} comes before its header`);
    if (run.diverged) throw new Error(`${where}: ${what} for run ${rec.run} follows its diverged line`);
    const expected = run.epochs.length + 1;
    if (rec.type === 'epoch') {
      if (rec.epoch !== expected) throw new Error(`${where}: run ${rec.run}: expected epoch ${expected}, got epoch ${rec.epoch}`);
      if (rec.epoch > run.header.config.epochs) {
        throw new Error(`${where}: run ${rec.run}: epoch ${rec.epoch} is past the configured ${run.header.config.epochs} epochs`);
      }
      run.epochs.push(rec);
    } else {
      if (rec.epoch !== expected) throw new Error(`${where}: run ${rec.run}: diverged at epoch ${rec.epoch}, but ${run.epochs.length} epochs are recorded`);
      run.diverged = rec;
    }
  }
  return { runs: [...runs.values()], warnings };
}

export function readResultsFile(path: string): ParsedResults {
  return parseResults(readFileSync(path, 'utf8'), path);
}

/**
 * Every run in the `*.jsonl` files of `dir` (sorted by file name). A run id found in two files is an error
 * naming both.
 */
export function readResultsDir(dir: string): ParsedResults {
  if (!existsSync(dir)) throw new Error(`readResultsDir: no such directory: ${dir}`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
  const runs = new Map<string, RunResult>();
  const warnings: string[] = [];
  for (const f of files) {
    const parsed = readResultsFile(join(dir, f));
    warnings.push(...parsed.warnings);
    for (const r of parsed.runs) {
      const prev = runs.get(r.header.run);
      if (prev) throw new Error(`readResultsDir: run ${r.header.run} is in both ${prev.source} and ${r.source}`);
      runs.set(r.header.run, r);
    }
  }
  return { runs: [...runs.values()], warnings };
}

/** The run's results if `dir` holds them, else null (a missing file is not an error). */
export function readRun(dir: string, run: string): RunResult | null {
  const path = runFile(dir, run);
  if (!existsSync(path)) return null;
  return readResultsFile(path).runs.find((r) => r.header.run === run) ?? null;
}
