/** Run a script from tools/ in a subprocess under tsx (as a user would) and collect its exit code and output. */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npx tsx tools/<script> ...args` from the repository root. */
export function runTool(script: string, args: string[]): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'tools', script), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
