/**
 * The CPUs that are online (/sys/devices/system/cpu/online): per-CPU perf events can only be
 * opened there (an offline CPU answers ENODEV), so perf buffers and samplers skip the others, as
 * libbpf does.
 */
import { readFileSync } from 'node:fs';
import { possibleCpus } from '../cpus.js';

/** Expand "0-3,5" into [0, 1, 2, 3, 5]. */
export function expandCpuList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-');
    for (let c = Number(a); c <= Number(b ?? a); c++) out.push(c);
  }
  return out;
}

export function onlineCpus(): number[] {
  try {
    return expandCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
  } catch {
    return Array.from({ length: possibleCpus() }, (_, i) => i);
  }
}
