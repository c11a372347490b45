/**
 * Fault injection for the kill tests: `SPARSITY_LAB_CRASH_AT=<point>:<n>` makes this process (and, with
 * `SPARSITY_LAB_CRASH_PGID=<pgid>`, that whole process group) die by SIGKILL the n-th time it reaches `point`.
 * Points: `epoch-append` (before an epoch line is written), `checkpoint-write` / `checkpoint-rename` (half a
 * checkpoint written / written but not yet renamed), `summary-write` / `summary-rename`, `run-done` (records
 * complete, checkpoint not yet removed). Unset (always, outside tests) it costs one property read.
 */
let target: { point: string; n: number } | null | undefined;
let hits = 0;

export function crashPoint(point: string): void {
  if (target === undefined) {
    const spec = process.env.SPARSITY_LAB_CRASH_AT;
    const m = spec ? /^([a-z-]+):(\d+)$/.exec(spec) : null;
    target = m ? { point: m[1], n: Number(m[2]) } : null;
  }
  if (target === null || target.point !== point) return;
  hits++;
  if (hits !== target.n) return;
  const pgid = Number(process.env.SPARSITY_LAB_CRASH_PGID);
  if (Number.isInteger(pgid) && pgid > 0) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* not a group leader: fall through to ourselves */
    }
  }
  process.kill(process.pid, 'SIGKILL');
}
