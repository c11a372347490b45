/**
 * Debian's chromium driven by playwright-core, for the headless-browser tests: installed with apt-get when
 * missing (as root; otherwise the error says what to install), started with a fresh profile and no
 * network features, and served pages only from 127.0.0.1.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Make sure chromium is installed: apt-get as root, else an error naming the package. */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get install chromium did not provide ${CHROMIUM}`);
  return CHROMIUM;
}

export interface LaunchedBrowser {
  /** The browser's one context (a persistent context on the fresh profile directory). */
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless chromium with a throw-away profile (playwright passes it as --user-data-dir); `close()` stops it
 * and deletes the profile.
 */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const executablePath = ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), 'sparsity-lab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1200, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serve `root` on 127.0.0.1 (a free port). `isolated` adds the COOP/COEP headers that make the page
 * cross-origin isolated (SharedArrayBuffer, shared WebAssembly memory); `csp` adds a strict
 * Content-Security-Policy (no eval / new Function; WebAssembly compilation allowed).
 */
export async function serveDirectory(root: string, options: { isolated?: boolean; csp?: boolean } = {}): Promise<StaticServer> {
  const base = resolve(root);
  const server: Server = createServer((req, res) => {
    const path = normalize(join(base, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!(path === base || path.startsWith(base + sep)) || !existsSync(path)) {
      res.writeHead(404).end('not found');
      return;
    }
    const headers: Record<string, string> = { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' };
    if (options.isolated) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
    }
    if (options.csp) headers['content-security-policy'] = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'";
    res.writeHead(200, headers).end(readFileSync(path));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections(); // the browser keeps connections alive; close() alone would wait for them
      }),
  };
}
