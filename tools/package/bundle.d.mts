export const BROWSER_SUBPATHS: string[];
export function browserProblems(code: string): string[];
export function bundleBrowserSubpaths(pkgDir: string, outDir: string, subpaths?: string[], depsDir?: string): Promise<Array<{ subpath: string; code: string; problems: string[] }>>;
