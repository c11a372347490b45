/**
 * Results text with what legitimately differs between two equal runs taken out: the wall-clock fields of
 * every epoch (`seconds`, `train_seconds`, `eval_seconds` → 0) and the header's provenance of the process that
 * wrote it (`started_utc`, `command_line` → removed). Everything else — every number the run computed —
 * is kept byte for byte. Lines that are not JSON (a torn last line) are kept as they are.
 */
export function withoutTiming(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (line === '') return line;
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return line;
      }
      for (const k of ['seconds', 'train_seconds', 'eval_seconds']) if (k in r) r[k] = 0;
      const p = r.provenance as Record<string, unknown> | undefined;
      if (p && typeof p === 'object') {
        delete p.started_utc;
        delete p.command_line;
      }
      return JSON.stringify(r);
    })
    .join('\n');
}
