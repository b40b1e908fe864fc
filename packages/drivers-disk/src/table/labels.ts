import type { PartitionInfo } from './types';

/**
 * Makes a GPT partition name usable as one devfs path component: `/`, control characters,
 * whitespace and `"` (all refused in device names) become `_`; `.` and `..` become `_` and `__`.
 * Returns '' for an empty name (no label link).
 */
export function sanitizeLabel(name: string): string {
  // eslint-disable-next-line no-control-regex
  const s = name.replace(/[\u0000-\u001f\u007f-\u009f/\s"\\]/gu, '_');
  if (s === '.' || s === '..') return s.replace(/\./g, '_');
  return s;
}

/**
 * Label of each partition (by table index) for its `gpt/<label>` link. Names are sanitised;
 * partitions are taken in index order and a label already taken gets the suffix `~2`, `~3`, …
 * (the first free one), so the same table always yields the same links.
 */
export function assignLabels(partitions: readonly PartitionInfo[]): Map<number, string> {
  const out = new Map<number, string>();
  const taken = new Set<string>();
  for (const p of [...partitions].sort((a, b) => a.index - b.index)) {
    const base = sanitizeLabel(p.name ?? '');
    if (!base) continue;
    let label = base;
    for (let n = 2; taken.has(label); n++) label = `${base}~${n}`;
    taken.add(label);
    out.set(p.index, label);
  }
  return out;
}
