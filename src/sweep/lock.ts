/**
 * One writer per run: an exclusive lock file `<run>.lock` beside the run's results, created with O_EXCL
 * (`open(…, 'wx')`), holding `{ pid, host, token, time }`.
 *
 * - Acquire: create the file; if it exists, the run is someone else's — unless the lock is *stale*: its
 *   host is this machine and its pid is not a live process, or (another machine's lock) the file has not
 *   been touched for `staleAfterMs` (owners touch it every `heartbeatMs`).
 * - Taking over a stale lock is done without ever deleting a live one: the stale file is renamed to a name
 *   unique to this process (only one of several racing processes can rename it), its content is compared
 *   with what was judged stale, and only then is a new lock created with O_EXCL. If the renamed file turns
 *   out to be a fresh lock (another process took over between our read and our rename), it is linked back
 *   (link never overwrites) and the run is left to that process.
 * - Owners check {@link RunLock.verify} before each write, so a process whose lock was taken from it (it
 *   was judged dead: e.g. suspended past `staleAfterMs` on another host) stops instead of writing twice.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pidAlive } from './atomic.js';

export interface LockInfo {
  pid: number;
  host: string;
  token: string;
  time: string;
}

export interface LockOptions {
  /** A lock from another host untouched this long is stale (default 15 minutes). */
  staleAfterMs?: number;
  /** How often an owner touches its lock (default 60 s). */
  heartbeatMs?: number;
}

export function lockPath(dir: string, name: string): string {
  return join(dir, `${name}.lock`);
}

function readLock(path: string): { info: LockInfo | null; text: string; mtimeMs: number } | null {
  try {
    const text = readFileSync(path, 'utf8');
    const mtimeMs = statSync(path).mtimeMs;
    let info: LockInfo | null = null;
    try {
      info = JSON.parse(text) as LockInfo;
    } catch {
      info = null; // written half (killed between create and write): judged by age below
    }
    return { info, text, mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

let counter = 0;

export class RunLock {
  private timer: NodeJS.Timeout | null = null;
  private released = false;

  private constructor(
    readonly path: string,
    readonly info: LockInfo,
  ) {}

  /** The lock, or null when a live process holds it. `tookOver` names the stale owner replaced. */
  static tryAcquire(dir: string, name: string, options: LockOptions = {}): { lock: RunLock; tookOver?: LockInfo | null } | null {
    const path = lockPath(dir, name);
    const staleAfter = options.staleAfterMs ?? 15 * 60_000;
    let tookOver: LockInfo | null | undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      const info: LockInfo = { pid: process.pid, host: hostname(), token: `${process.pid}-${Date.now()}-${counter++}-${Math.random()}`, time: new Date().toISOString() };
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, JSON.stringify(info));
        } finally {
          closeSync(fd);
        }
        const lock = new RunLock(path, info);
        lock.startHeartbeat(options.heartbeatMs ?? 60_000);
        return { lock, ...(tookOver !== undefined && { tookOver }) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const seen = readLock(path);
      if (seen === null) continue; // released meanwhile: try again
      const stale = seen.info
        ? seen.info.host === hostname()
          ? !pidAlive(seen.info.pid) || (seen.info.pid === process.pid && !RunLock.held.has(seen.info.token))
          : Date.now() - seen.mtimeMs > staleAfter
        : Date.now() - seen.mtimeMs > 5_000;
      if (!stale) return null;
      const aside = `${path}.stale${counter++}.tmp-${process.pid}`; // a leftover is cleaned like any temp file
      try {
        renameSync(path, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // someone else moved it
        throw e;
      }
      let moved = '';
      try {
        moved = readFileSync(aside, 'utf8');
      } catch {
        /* vanished: nothing to compare */
      }
      if (moved !== seen.text) {
        // Not the stale lock we judged: a new owner's. Put it back (link never overwrites) and leave the run.
        try {
          linkSync(aside, path);
        } catch {
          /* someone created a lock meanwhile: the run has an owner either way */
        }
        unlinkSync(aside);
        return null;
      }
      unlinkSync(aside);
      tookOver = seen.info;
    }
    return null;
  }

  /** Tokens held by this process (a lock with our pid but a token not held is a leftover of ours). */
  private static readonly held = new Set<string>();

  private startHeartbeat(ms: number): void {
    RunLock.held.add(this.info.token);
    this.timer = setInterval(() => {
      try {
        const now = new Date();
        if (this.verify()) utimesSync(this.path, now, now);
      } catch {
        /* verify/release report problems */
      }
    }, ms);
    this.timer.unref();
  }

  /** True while the lock file is still ours. */
  verify(): boolean {
    if (this.released) return false;
    const seen = readLock(this.path);
    return seen !== null && seen.info !== null && seen.info.token === this.info.token;
  }

  /** Throws unless the lock is still ours (call before writing the run's files). */
  assertHeld(): void {
    if (!this.verify()) throw new Error(`lost the lock ${this.path} (another process took the run over); stopping without writing`);
  }

  /** Remove the lock (only if it is still ours). Idempotent. */
  release(): void {
    if (this.released) return;
    if (this.timer) clearInterval(this.timer);
    const ours = this.verify();
    this.released = true;
    RunLock.held.delete(this.info.token);
    if (ours) {
      try {
        unlinkSync(this.path);
      } catch {
        /* gone already */
      }
    }
  }
}

/** Who holds `dir/name.lock` (null: nobody, or a lock that is stale by the rules above is reported too). */
export function lockHolder(dir: string, name: string): LockInfo | null {
  return readLock(lockPath(dir, name))?.info ?? null;
}
