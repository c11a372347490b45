/**
 * Where a run's numbers came from, recorded in its results header: the library version, the git commit
 * when run from a checkout, Node's and V8's versions, the gemm kernel, the command line and the start time
 * (UTC). Reading the commit needs no git binary: HEAD is followed through the checkout's .git (a worktree's
 * `.git` file points at its git directory; refs may be loose or packed).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { activeGemmKernel } from '../tensor/index.js';
import { libraryVersion } from './version.js';

export interface Provenance {
  library_version: string;
  /** 40 hex digits, or null when not run from a git checkout. */
  git_commit: string | null;
  node: string;
  v8: string;
  gemm_kernel: string;
  /** The process's arguments after the node executable (script and flags), as given. */
  command_line: string[];
  /** ISO 8601, UTC. */
  started_utc: string;
}

function gitDirOf(root: string): string | null {
  const dotGit = join(root, '.git');
  if (!existsSync(dotGit)) return null;
  if (statSync(dotGit).isDirectory()) return dotGit;
  const m = /^gitdir:\s*(.+)\s*$/m.exec(readFileSync(dotGit, 'utf8'));
  if (!m) return null;
  return isAbsolute(m[1]) ? m[1] : resolve(root, m[1]);
}

/** The commit HEAD points at in the checkout containing `root` (or above it), or null. */
export function gitCommit(root = fileURLToPath(new URL('../../', import.meta.url))): string | null {
  try {
    let dir = resolve(root);
    let gitDir: string | null = null;
    for (;;) {
      gitDir = gitDirOf(dir);
      if (gitDir || dirname(dir) === dir) break;
      dir = dirname(dir);
    }
    if (!gitDir) return null;
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const ref = /^ref:\s*(.+)$/.exec(head)?.[1];
    if (!ref) return null;
    // A worktree's refs live in the common git directory.
    const common = existsSync(join(gitDir, 'commondir')) ? resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim()) : gitDir;
    for (const d of [gitDir, common]) {
      const loose = join(d, ref);
      if (existsSync(loose)) return readFileSync(loose, 'utf8').trim();
    }
    const packed = join(common, 'packed-refs');
    if (existsSync(packed)) {
      for (const line of readFileSync(packed, 'utf8').split('\n')) {
        const [sha, name] = line.trim().split(' ');
        if (name === ref && /^[0-9a-f]{40}$/.test(sha)) return sha;
      }
    }
    return null;
  } catch {
    return null;
  }
}

let commit: string | null | undefined;

/** The provenance of a run starting now (the commit is read once per process). */
export function provenance(startedAt: Date = new Date()): Provenance {
  if (commit === undefined) commit = gitCommit();
  return {
    library_version: libraryVersion(),
    git_commit: commit,
    node: process.versions.node,
    v8: process.versions.v8,
    gemm_kernel: activeGemmKernel().name,
    command_line: process.argv.slice(1),
    started_utc: startedAt.toISOString(),
  };
}
