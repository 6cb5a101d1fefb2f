/**
 * bpf_printk output: the kernel's trace buffer in tracefs. Two ways to read it, as with
 * `cat trace` and `cat trace_pipe`:
 *  - the `trace` file (default): a snapshot of the whole buffer, not consumed, so other readers
 *    (bpftool prog tracelog, other tests) still see it; header lines ('#') are dropped;
 *  - `trace_pipe` (consume: true): lines taken out of the buffer as they are read. It is opened
 *    with O_NONBLOCK, so an empty pipe is EAGAIN at once and a read never hangs; waiting for lines
 *    (timeoutMs) is a poll on a timer, which never blocks Node's event loop.
 * Lines come back as trace_pipe prints them: "   comm-PID  [CPU] FLAGS  TIMESTAMP: bpf_trace_printk: TEXT".
 * The buffer is shared by every tracer on the machine: filter for your own lines (pid, text).
 */
import { closeSync, constants, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BpfError } from '../errors.js';
import { tracefsRoot } from './attach/tracefs.js';

export type TraceLineFilter = string | RegExp | ((line: string) => boolean);

export interface TraceLogOptions {
  /** Read trace_pipe, consuming what is read (default false: read the `trace` file). */
  consume?: boolean;
  /** Keep reading (polling) until `minLines` matching lines came or this many ms passed (default 0: read once). */
  timeoutMs?: number;
  /** Lines kept: a substring, a regular expression, or a predicate. */
  filter?: TraceLineFilter;
  /** With timeoutMs: stop waiting once this many matching lines were read (default 1). */
  minLines?: number;
  /** Milliseconds between reads while waiting (default 20). */
  intervalMs?: number;
  /**
   * A tracefs instance (instances/NAME) instead of the top-level buffer. bpf_printk writes to the
   * top level; instances take trace_marker writes and events enabled in them.
   */
  instance?: string;
}

/** The directory of the trace buffer: tracefs itself, or one of its instances. */
function bufferDir(instance: string | undefined): string {
  const root = tracefsRoot();
  if (instance === undefined) return root;
  if (instance === '' || instance.includes('/') || instance.startsWith('.')) throw new BpfError('EINVAL', `'${instance}' is not a tracefs instance name`);
  const dir = `${root}/instances/${instance}`;
  if (!existsSync(dir)) throw new BpfError('ENOENT', `there is no tracefs instance '${instance}' (no ${dir}; make one with mkdir)`);
  return dir;
}

/** A trace line split into its columns. */
export interface TraceLine {
  /** The task's command name (may be "<...>" when the kernel no longer knows it). */
  comm: string;
  pid: number;
  cpu: number;
  /** The irq/preempt flags column ("...21"). */
  flags: string;
  /** Seconds, as printed. */
  timestamp: number;
  /** The event: "bpf_trace_printk" for bpf_printk. */
  event: string;
  /** What the program printed. */
  message: string;
  /** The line as read. */
  raw: string;
}

const LINE = /^\s*(.+?)-(\d+)\s+(?:\(\s*[\d-]+\)\s+)?\[(\d+)\]\s+(\S+)\s+(\d+\.\d+):\s+([\w:.-]+?):\s?(.*)$/;

/** Split a trace line into its columns; undefined for a header or a line of another shape. */
export function parseTraceLine(line: string): TraceLine | undefined {
  const m = LINE.exec(line);
  if (!m) return undefined;
  return {
    comm: m[1]!, pid: Number(m[2]), cpu: Number(m[3]), flags: m[4]!, timestamp: Number(m[5]), event: m[6]!, message: m[7]!, raw: line,
  };
}

function matcher(filter: TraceLineFilter | undefined): (line: string) => boolean {
  if (filter === undefined) return () => true;
  if (typeof filter === 'string') return (l) => l.includes(filter);
  if (filter instanceof RegExp) return (l) => { filter.lastIndex = 0; return filter.test(l); };
  return filter;
}

const isLine = (l: string): boolean => l.trim() !== '' && !l.startsWith('#');

/** The `trace` file's lines now (not consumed), without the header. */
function snapshot(dir: string): string[] {
  return readFileSync(`${dir}/trace`, 'utf8').split('\n').filter(isLine);
}

/** Everything trace_pipe holds right now, consumed, without waiting; `rest` carries a partial last line. */
function drainPipe(fd: number, buf: Buffer, carry: { rest: string }): string[] {
  let text = carry.rest;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') break;
      if (code === 'EINTR') continue;
      throw e;
    }
    if (n === 0) break;
    text += buf.toString('utf8', 0, n);
  }
  const parts = text.split('\n');
  carry.rest = parts.pop() ?? '';
  return parts.filter(isLine);
}

/**
 * bpf_printk output from tracefs, filtered. Without `consume` the `trace` file is read (lines stay
 * for other readers); with it, trace_pipe is read without blocking and what is read is gone.
 * With `timeoutMs`, reading is repeated until `minLines` matching lines came or the time is up;
 * in `trace` mode the lines of the last read are returned, in trace_pipe mode all lines read.
 */
export async function readTraceLog(opts: TraceLogOptions = {}): Promise<string[]> {
  const keep = matcher(opts.filter);
  const dir = bufferDir(opts.instance);
  const deadline = Date.now() + (opts.timeoutMs ?? 0);
  const want = opts.minLines ?? 1;
  const interval = opts.intervalMs ?? 20;
  if (!opts.consume) {
    for (;;) {
      const lines = snapshot(dir).filter(keep);
      if (lines.length >= want || Date.now() >= deadline) return lines;
      await sleep(interval);
    }
  }
  const fd = openSync(`${dir}/trace_pipe`, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(64 * 1024);
    const carry = { rest: '' };
    const out: string[] = [];
    for (;;) {
      out.push(...drainPipe(fd, buf, carry).filter(keep));
      if (out.length >= want || Date.now() >= deadline) break;
      await sleep(interval);
    }
    if (isLine(carry.rest) && keep(carry.rest)) out.push(carry.rest);
    return out;
  } finally {
    closeSync(fd);
  }
}

/** readTraceLog without waiting, synchronously: one read of `trace` (or of trace_pipe with consume). */
export function readTraceLogSync(opts: Omit<TraceLogOptions, 'timeoutMs' | 'minLines' | 'intervalMs'> = {}): string[] {
  const keep = matcher(opts.filter);
  const dir = bufferDir(opts.instance);
  if (!opts.consume) return snapshot(dir).filter(keep);
  const fd = openSync(`${dir}/trace_pipe`, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const carry = { rest: '' };
    const out = drainPipe(fd, Buffer.alloc(64 * 1024), carry);
    if (isLine(carry.rest)) out.push(carry.rest);
    return out.filter(keep);
  } finally {
    closeSync(fd);
  }
}
