import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * sparsity-lab's version from its package.json, recorded in every results header. The file sits two levels
 * above this module both in the sources (src/experiments) and in the build (dist/experiments).
 */
export function libraryVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    if (typeof pkg.version !== 'string') throw new Error('libraryVersion: package.json has no "version" string');
    cached = pkg.version;
  }
  return cached;
}
