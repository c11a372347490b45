/**
 * Durable file writes for results directories that many processes share and any of them may be killed in.
 *
 * - {@link writeFileAtomic}: write a temporary file `<name>.tmp-<pid>` beside the target, fsync it, rename it
 *   over the target, fsync the directory. A reader sees the old file or the new one, never half of one.
 * - {@link appendDurable}: one `write` of whole lines on an append-mode descriptor, then fsync.
 * - A kill between writing and renaming leaves the temporary file; {@link removeDeadTemps} deletes those whose
 *   writer (the pid in the name, on this host) is gone. Every process that starts work in a directory calls it,
 *   so a resumed sweep ends with no temporary file.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { crashPoint } from './crash.js';

const TEMP = /\.tmp-(\d+)$/;

export function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

/** fsync a directory so a rename or a new file in it survives a power cut (no-op where unsupported). */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/** Replace `path` with `data` atomically (see the module comment). `parts` are written in order. */
export function writeFileAtomic(path: string, data: string | Uint8Array | ReadonlyArray<string | Uint8Array>, crashName = 'atomic'): void {
  const tmp = tempPath(path);
  const fd = openSync(tmp, 'w');
  try {
    const parts = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
    parts.forEach((p, i) => {
      writeAll(fd, p);
      if (i === 0 && parts.length > 1) crashPoint(`${crashName}-write`);
    });
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  closeSync(fd);
  crashPoint(`${crashName}-rename`);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

/** Append `text` (whole lines) to the open append-mode descriptor `fd` with one write, then fsync. */
export function appendDurable(fd: number, text: string): void {
  writeAll(fd, text);
  fsyncSync(fd);
}

/** True when a process with this pid exists on this machine (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Delete the temporary files in `dir` (names ending `.tmp-<pid>`, optionally only those starting with
 * `prefix`) whose pid is not a live process. Returns the names removed.
 */
export function removeDeadTemps(dir: string, prefix = ''): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP.exec(name);
    if (!m || !name.startsWith(prefix)) continue;
    const pid = Number(m[1]);
    // Our own writes are synchronous, so a temp file of ours seen here is a leftover too.
    if (pid !== process.pid && pidAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      /* another process removed it */
    }
  }
  return removed;
}

/**
 * `mkdir -p` one level at a time. Node's `mkdirSync(dir, { recursive: true })` spins for ever where mkdir
 * answers ENOENT although the parent exists (e.g. under /proc); here every error is thrown at once.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  while (!existsSync(d)) {
    missing.push(d);
    const parent = dirname(d);
    if (parent === d) break;
    d = parent;
  }
  for (const m of missing.reverse()) mkdirSync(m);
}
