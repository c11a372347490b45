/**
 * A sweep in its own process, for the kill and concurrency tests: `node --import tsx sweep-proc.ts '<json>'`
 * with { outDir, configs, workers?, shard?, summary? }. Prints one JSON line of statuses on success.
 * Run detached, it leads its process group; SPARSITY_LAB_CRASH_PGID lets a crash point kill the whole group.
 */
import { fileURLToPath } from 'node:url';
import type { RunConfigInput } from '../../../src/experiments/config.js';
import { writeSummaryFiles } from '../../../src/experiments/export.js';
import { runSweep } from '../../../src/experiments/sweep.js';
import type { Shard } from '../../../src/sweep/shard.js';

const args = JSON.parse(process.argv[2]) as { outDir: string; configs: RunConfigInput[]; workers?: number; shard?: Shard; summary?: boolean; pollMs?: number };
if (process.env.SPARSITY_LAB_CRASH_PGID === 'self') process.env.SPARSITY_LAB_CRASH_PGID = String(process.pid);
const statuses = await runSweep(args.configs, {
  outDir: args.outDir,
  dataSource: { kind: 'module', module: fileURLToPath(new URL('./tiny-data.ts', import.meta.url)) },
  workers: args.workers ?? 1,
  ...(args.shard && { shard: args.shard }),
  pollMs: args.pollMs ?? 100,
});
if (args.summary) writeSummaryFiles(args.outDir);
process.stdout.write(`${JSON.stringify(statuses.map((s) => ({ id: s.id, state: s.state, epochs: s.epochs, message: s.message })))}\n`);
process.exitCode = statuses.every((s) => s.state === 'done' || s.state === 'skipped' || s.state === 'diverged') ? 0 : 1;
