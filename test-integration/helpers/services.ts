/**
 * Shared set-up for the integration tests: Debian packages (installed when missing and we are root; a test
 * that cannot get its service fails, it is never skipped), free loopback ports, spawned daemons that are
 * always stopped, and running the CLI from the sources.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** How the tests start the CLI: this node with the tsx loader. */
export const CLI_ARGV = [process.execPath, '--import', 'tsx', CLI];

function have(binary: string): boolean {
  return binary.startsWith('/') ? existsSync(binary) : spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
}

/** Make sure `binaries` exist, installing `packages` with apt-get when root; throws saying what is missing. */
export function ensureDebianPackages(packages: string[], binaries: string[]): string[] {
  const missing = binaries.filter((b) => !have(b));
  if (missing.length === 0) return [];
  if (process.getuid?.() !== 0) {
    throw new Error(`missing ${missing.join(', ')}; install the Debian packages ${packages.join(' ')} (as root: apt-get install -y ${packages.join(' ')})`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'inherit', env });
  const still = binaries.filter((b) => !have(b));
  if (still.length > 0) throw new Error(`apt-get installed ${packages.join(' ')} but ${still.join(', ')} is still missing`);
  return packages;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor<T>(what: string, f: () => T | Promise<T>, timeoutMs = 60_000, everyMs = 200): Promise<NonNullable<T>> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${(last as Error).message})` : ''}`);
    await sleep(everyMs);
  }
}

/** Spawned processes, all stopped by {@link stopAll} (SIGTERM, then SIGKILL after a grace period). */
export class Processes {
  private readonly list: ChildProcess[] = [];

  start(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; log?: (s: string) => void; detached?: boolean } = {}): ChildProcess & { output: () => string } {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: opts.detached ?? false });
    let out = '';
    const take = (d: Buffer): void => {
      out += d.toString();
      opts.log?.(d.toString());
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    this.list.push(child);
    return Object.assign(child, { output: () => out });
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      this.list.map(async (c) => {
        if (c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((r) => c.once('exit', () => r()));
        c.kill('SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }),
    );
  }
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Direct children of `pid` (Linux /proc). */
export function childPids(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).map(Number);
}
