/** Spawning sweep-proc.ts processes (each leading its own process group) and inspecting results directories. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunConfigInput } from '../../../src/experiments/config.js';
import { withoutTiming } from '../../helpers/timing.js';

export const SCRIPT = fileURLToPath(new URL('./sweep-proc.ts', import.meta.url));

export interface ProcArgs {
  outDir: string;
  configs: RunConfigInput[];
  workers?: number;
  shard?: { index: number; count: number };
  summary?: boolean;
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startSweep(args: ProcArgs, env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(args)], {
    detached: true, // its own process group, so a test can kill the sweep with all its workers at once
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

export async function runToEnd(args: ProcArgs, env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  const f = await startSweep(args, env).done;
  if (f.code !== 0) throw new Error(`sweep process failed (code ${f.code}, signal ${f.signal}):\n${f.stderr}\n${f.stdout}`);
  return f;
}

/** Every `*.jsonl` file's text without its timing fields (test/helpers/timing.ts), by name. */
export function recordsOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    out[f] = withoutTiming(readFileSync(join(dir, f), 'utf8'));
  }
  return out;
}

/** Lines of one results text: a header, then epochs 1..n each once, nothing else. Returns n. */
export function checkLines(text: string, name: string): number {
  const lines = text.split('\n');
  if (lines.pop() !== '') throw new Error(`${name}: does not end with a newline`);
  const recs = lines.map((l) => JSON.parse(l) as { type: string; epoch?: number });
  if (recs[0]?.type !== 'header') throw new Error(`${name}: first line is not a header`);
  recs.slice(1).forEach((r, i) => {
    if (r.type === 'epoch' && r.epoch !== i + 1) throw new Error(`${name}: line ${i + 2} is epoch ${r.epoch}, expected ${i + 1}`);
    if (r.type === 'header') throw new Error(`${name}: a second header on line ${i + 2}`);
  });
  return recs.length - 1;
}

/** Files a finished sweep must not leave: temporaries, locks, checkpoints. */
export function leftovers(dir: string): string[] {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  return walk(dir).filter((p) => /\.tmp-\d+$|\.lock$|\.ckpt$|\.stale/.test(p));
}
