/**
 * The number of possible CPUs, which sizes per-CPU map values in bpf(2) calls (the kernel copies
 * num_possible_cpus() × round_up(value_size, 8) bytes) and perf event arrays with max_entries 0
 * (libbpf sets those to the possible CPU count). Read as libbpf does, from sysfs.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Parse a CPU list such as "0-3,5,7-8" into its count. */
export function parseCpuList(text: string): number {
  let n = 0;
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-');
    const lo = Number(a);
    const hi = b === undefined ? lo : Number(b);
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) throw new Error(`bad CPU list '${text.trim()}'`);
    n += hi - lo + 1;
  }
  return n;
}

let possible: number | undefined;

/** num_possible_cpus(), from /sys/devices/system/cpu/possible (os.cpus() as a fallback). */
export function possibleCpus(): number {
  if (possible === undefined) {
    try {
      possible = parseCpuList(readFileSync('/sys/devices/system/cpu/possible', 'utf8'));
    } catch {
      possible = Math.max(1, cpus().length);
    }
  }
  return possible;
}
