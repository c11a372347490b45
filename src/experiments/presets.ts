/**
 * The dissertation's experiments as spec files (presets/*.json at the package root): listed, loaded by
 * name, or read from any spec file a researcher writes. A spec file is plain JSON ({@link ExperimentSpec},
 * schema in src/experiments/spec.schema.json).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { checkSpecShape, SpecError, type ExperimentSpec } from './spec.js';

/** presets/ beside package.json (two levels above this module, in the sources and in dist/). */
export const PRESETS_DIR = fileURLToPath(new URL('../../presets/', import.meta.url));

export function presetNames(dir = PRESETS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Read and shape-check a spec file; errors name the file. */
export function readSpecFile(file: string): ExperimentSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new SpecError(`spec file ${file}`, [`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`]);
  }
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    throw new SpecError(`spec file ${file}`, [`is not valid JSON (${(e as Error).message})`]);
  }
  const problems = checkSpecShape(spec);
  if (problems.length > 0) throw new SpecError(`spec file ${file}`, problems);
  return spec as ExperimentSpec;
}

/** A preset by name, or a spec file by path (anything ending in .json or containing a slash). */
export function loadSpec(nameOrFile: string, dir = PRESETS_DIR): ExperimentSpec {
  if (nameOrFile.endsWith('.json') || nameOrFile.includes('/')) return readSpecFile(nameOrFile);
  const names = presetNames(dir);
  if (!names.includes(nameOrFile)) {
    throw new SpecError(`preset "${nameOrFile}"`, [`no such preset (presets: ${names.join(', ')}; or give a spec file path ending in .json)`]);
  }
  const spec = readSpecFile(join(dir, `${nameOrFile}.json`));
  if (spec.name !== nameOrFile) throw new SpecError(`preset file ${nameOrFile}.json`, [`its name is "${spec.name}", not "${nameOrFile}"`]);
  return spec;
}
