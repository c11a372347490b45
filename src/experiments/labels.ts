/**
 * Readable names for conditions (configurations without their seed), built from what tells them apart.
 *
 * The label always starts with the optimizer's name. Then come, as `key=value`:
 *   - optimizer options that differ between conditions using the same optimizer (so the baseline's four
 *     optimizers are plainly "sgd", "adagrad", "adadelta", "adam", while a learning-rate sweep reads
 *     "sgd lr=0.001", "sgd lr=0.01", …);
 *   - any other configuration field (flattened with dots: `sampler.kind`, `data.train`) that differs
 *     between conditions. `epochs` and `seed` never do: they are not part of a condition's name.
 * If two conditions would still get the same label (they can only differ in their number of epochs then),
 * ` epochs=N` is appended to keep labels unique.
 */
import type { RunConfig } from './config.js';

export interface GroupLabel {
  label: string;
  /** `{ optimizer: name, …varying fields }` with their values. */
  group: Record<string, unknown>;
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
}

function show(v: unknown): string {
  if (Array.isArray(v)) return v.map(show).join('x');
  if (v === undefined) return '-';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function varyingKeys(maps: Map<string, unknown>[]): string[] {
  const keys = new Set<string>();
  for (const m of maps) for (const k of m.keys()) keys.add(k);
  return [...keys].filter((k) => new Set(maps.map((m) => JSON.stringify(m.get(k)))).size > 1).sort();
}

export function groupLabels(configs: readonly RunConfig[]): GroupLabel[] {
  const optionMaps = configs.map((c) => {
    const m = new Map<string, unknown>();
    const { name: _name, ...options } = c.optimizer;
    flatten(options, '', m);
    return m;
  });
  const restMaps = configs.map((c) => {
    // A config without `model` is the plain mlp: say so ("model.kind=mlp" beside "model.kind=cnn", not "-").
    const { optimizer: _o, seed: _s, epochs: _e, ...rest } = { ...c, model: c.model ?? { kind: 'mlp' } };
    const m = new Map<string, unknown>();
    flatten(rest, '', m);
    return m;
  });
  const restVarying = varyingKeys(restMaps);
  const optionVaryingByName = new Map<string, string[]>();
  for (const name of new Set(configs.map((c) => c.optimizer.name))) {
    const idx = configs.map((c, i) => (c.optimizer.name === name ? i : -1)).filter((i) => i >= 0);
    optionVaryingByName.set(name, varyingKeys(idx.map((i) => optionMaps[i])));
  }
  const labels = configs.map((c, i) => {
    const group: Record<string, unknown> = { optimizer: c.optimizer.name };
    const parts: string[] = [c.optimizer.name];
    for (const k of optionVaryingByName.get(c.optimizer.name)!) {
      group[k] = optionMaps[i].get(k);
      parts.push(`${k}=${show(optionMaps[i].get(k))}`);
    }
    for (const k of restVarying) {
      group[k] = restMaps[i].get(k);
      parts.push(`${k}=${show(restMaps[i].get(k))}`);
    }
    return { label: parts.join(' '), group };
  });
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l.label, (counts.get(l.label) ?? 0) + 1);
  return labels.map((l, i) =>
    counts.get(l.label)! > 1 ? { label: `${l.label} epochs=${configs[i].epochs}`, group: { ...l.group, epochs: configs[i].epochs } } : l,
  );
}
