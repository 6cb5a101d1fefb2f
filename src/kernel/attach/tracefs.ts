/**
 * tracefs: where tracepoint ids and the bpf_printk output live. It is found at /sys/kernel/tracing
 * (or the old /sys/kernel/debug/tracing); when neither is mounted and we are root, it is mounted
 * at /sys/kernel/tracing, as `mount -t tracefs nodev /sys/kernel/tracing` would (and left mounted:
 * tracefs is a view of kernel state, other tools expect it there).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { BpfError } from '../../errors.js';

const CANDIDATES = ['/sys/kernel/tracing', '/sys/kernel/debug/tracing'];
let root: string | undefined;

/** The tracefs mount point (mounting it if needed), or a BpfError saying how to mount it. */
export function tracefsRoot(): string {
  if (root) return root;
  const found = CANDIDATES.find((d) => existsSync(`${d}/events`));
  if (found) return (root = found);
  try {
    execFileSync('mount', ['-t', 'tracefs', 'nodev', CANDIDATES[0]!], { stdio: 'pipe' });
  } catch (e) {
    const why = e instanceof Error ? (e as { stderr?: Buffer }).stderr?.toString().trim() || e.message : String(e);
    throw new BpfError('ENOENT', `tracefs is not mounted and mounting it at ${CANDIDATES[0]} failed (${why}); run \`mount -t tracefs nodev /sys/kernel/tracing\` as root`);
  }
  if (!existsSync(`${CANDIDATES[0]}/events`)) throw new BpfError('ENOENT', `tracefs mounted at ${CANDIDATES[0]} has no events/ directory: is CONFIG_TRACING off?`);
  return (root = CANDIDATES[0]!);
}

/** The id of tracepoint CATEGORY/NAME (events/CATEGORY/NAME/id), or an error that says where to look. */
export function tracepointId(category: string, name: string): number {
  const base = tracefsRoot();
  const file = `${base}/events/${category}/${name}/id`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    const hint = existsSync(`${base}/events/${category}`)
      ? `category '${category}' exists but has no event '${name}': list ${base}/events/${category}/`
      : `there is no category '${category}': list ${base}/events/ (or ${base}/available_events)`;
    throw new BpfError('ENOENT', `tracepoint ${category}/${name} does not exist (no ${file}): ${hint}`);
  }
  return Number.parseInt(text.trim(), 10);
}
