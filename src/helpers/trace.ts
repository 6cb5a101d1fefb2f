/**
 * Tracing output (kernel/trace/bpf_trace.c, kernel/bpf/helpers.c): bpf_trace_printk and
 * bpf_trace_vprintk append a line to vm.traceLog as trace_pipe shows it, bpf_snprintf formats into
 * BPF memory, bpf_get_func_ip says where the traced function is. Formatting is format.ts.
 *
 * A trace line reads, as on Linux 6.18 (checked against /sys/kernel/tracing/trace):
 *   `      tsbpf-test-4242    [000] d..31     1.000002: bpf_trace_printk: hello`
 * i.e. `%16s-%-7d [%03d] <flags> %5lu.%06lu: bpf_trace_printk: <text>` with the task name, pid,
 * CPU and time (env.ktimeNs, read once per line) from the run's Env. <flags> are the
 * irqs-off/need-resched/hardirq/preempt-depth/migrate-disable columns: 'd..31' (a kprobe's)
 * unless the program type puts its own in RunContext.state[TRACE_FLAGS]. A line keeps any '\n'
 * the text has, as trace_pipe does, so lines joined with '\n' are trace_pipe's output.
 */
import type { Env } from '../vm/env.js';
import type { HelperCall, HelperDef } from './registry.js';
import { negErrno } from './errno.js';
import { bprintf, MAX_BPRINTF_BUF, MAX_BPRINTF_VARARGS, type FormatMemory } from './format.js';
import { cStringBytes, helper, helperError, mem, ret, runOf, u32 } from './support.js';

/** RunContext.state key of the flag columns a program type wants in trace lines. */
export const TRACE_FLAGS = 'traceFlags';
export const DEFAULT_TRACE_FLAGS = 'd..31';
/** RunContext.state key of the address bpf_get_func_ip returns (a bigint or number; 0 when unset). */
export const FUNC_IP = 'funcIp';
/** RunContext.state key of the BPF cookie bpf_get_attach_cookie returns (0 when unset). */
export const ATTACH_COOKIE = 'attachCookie';

/** One trace_pipe line for an event of `event` (e.g. bpf_trace_printk) with `text`. */
export function traceLine(env: Env, cpu: number, flags: string, tsNs: bigint, event: string, text: string): string {
  const comm = env.comm.slice(0, 15).padStart(16);
  const pid = String(env.pid).padEnd(7);
  const secs = (tsNs / 1_000_000_000n).toString().padStart(5);
  const usecs = ((tsNs % 1_000_000_000n) / 1000n).toString().padStart(6, '0');
  return `${comm}-${pid} [${String(cpu).padStart(3, '0')}] ${flags} ${secs}.${usecs}: ${event}: ${text}`;
}

/** How the formatter reads BPF memory during this call: faults are answers, not failures. */
export function formatMemory(call: HelperCall): FormatMemory {
  return {
    string: (addr, max) => cStringBytes(call, addr, max),
    bytes(addr, n) {
      try {
        return call.memory.view(addr, n, false, 'printf argument');
      } catch {
        return undefined;
      }
    },
  };
}

/** The u64 arguments of the array helpers (trace_vprintk, snprintf, seq_printf), or an errno. */
function arrayArgs(call: HelperCall, name: string, data: bigint, dataLen: number): bigint[] | 'EINVAL' {
  if (dataLen % 8 !== 0 || dataLen > MAX_BPRINTF_VARARGS * 8 || (dataLen !== 0 && data === 0n)) return 'EINVAL';
  if (dataLen === 0) return [];
  const bytes = mem(call, name, data, dataLen, false, 'data');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: dataLen / 8 }, (_, i) => dv.getBigUint64(i * 8, true));
}

/** Format and log one trace_printk line; the result is the helper's return value. */
function printk(call: HelperCall, name: string, fmtAddr: bigint, fmtSize: number, args: bigint[]): bigint {
  const run = runOf(call, name);
  const fmt = mem(call, name, fmtAddr, fmtSize, false, 'fmt');
  const nul = fmt.indexOf(0);
  if (nul < 0) return negErrno('EINVAL'); // the format must end within fmt_size
  const r = bprintf(fmt.subarray(0, nul), args, formatMemory(call));
  if (!r.ok) return negErrno(r.errno);
  const text = new TextDecoder().decode(r.bytes.subarray(0, MAX_BPRINTF_BUF - 1));
  const flags = typeof run.state[TRACE_FLAGS] === 'string' ? (run.state[TRACE_FLAGS] as string) : DEFAULT_TRACE_FLAGS;
  run.vm.traceLog.push(traceLine(run.env, run.cpu, flags, run.env.ktimeNs(), 'bpf_trace_printk', text));
  // bstr_printf's count: what the whole text would take, even when the buffer cut it.
  return ret(r.bytes.length);
}

export const traceHelpers: readonly HelperDef[] = [
  helper('trace_printk', {
    proto: 'bpf_trace_printk_proto',
    args: ['ptr_to_mem', 'const_size'],
    ret: 'integer',
    gplOnly: true,
    impl: (call, r1, r2, r3, r4, r5) => printk(call, 'bpf_trace_printk', r1, u32(r2), [r3, r4, r5]),
  }),
  helper('trace_vprintk', {
    proto: 'bpf_trace_vprintk_proto',
    args: ['ptr_to_mem', 'const_size', 'ptr_to_mem_or_null', 'const_size_or_zero'],
    ret: 'integer',
    gplOnly: true,
    impl(call, r1, r2, r3, r4) {
      const name = 'bpf_trace_vprintk';
      const args = arrayArgs(call, name, r3, u32(r4));
      return args === 'EINVAL' ? negErrno('EINVAL') : printk(call, name, r1, u32(r2), args);
    },
  }),
  helper('snprintf', {
    proto: 'bpf_snprintf_proto',
    args: ['ptr_to_writable_mem_or_null', 'const_size_or_zero', 'ptr_to_const_str', 'ptr_to_mem_or_null', 'const_size_or_zero'],
    ret: 'integer',
    gplOnly: true,
    impl(call, r1, r2, r3, r4, r5) {
      const name = 'bpf_snprintf';
      const args = arrayArgs(call, name, r4, u32(r5));
      if (args === 'EINVAL') return negErrno('EINVAL');
      const fmt = cStringBytes(call, r3);
      if (fmt === undefined) throw helperError(call, name, 'EFAULT', `fmt at 0x${r3.toString(16)} is not a NUL-terminated string (ARG_PTR_TO_CONST_STR)`);
      const r = bprintf(fmt, args, formatMemory(call));
      if (!r.ok) return negErrno(r.errno);
      const size = u32(r2);
      if (size > 0) {
        const dst = mem(call, name, r1, size, true, 'str');
        const n = Math.min(r.bytes.length, size - 1);
        dst.set(r.bytes.subarray(0, n));
        dst[n] = 0;
      }
      // The length of the whole output with its NUL, even when str_size cut it.
      return ret(r.bytes.length + 1);
    },
  }),
  helper('get_func_ip', {
    proto: 'bpf_get_func_ip_proto_tracing',
    args: ['ptr_to_ctx'],
    ret: 'integer',
    gplOnly: true,
    impl(call) {
      const ip = runOf(call, 'bpf_get_func_ip').state[FUNC_IP];
      return typeof ip === 'bigint' || typeof ip === 'number' ? ret(ip) : 0n;
    },
  }),
  // bpf_get_attach_cookie_proto_{trace,pe,tracing...}: the cookie given at attach time; 0 without one.
  helper('get_attach_cookie', {
    proto: 'bpf_get_attach_cookie_proto_trace',
    args: ['ptr_to_ctx'],
    ret: 'integer',
    impl(call) {
      const cookie = runOf(call, 'bpf_get_attach_cookie').state[ATTACH_COOKIE];
      return typeof cookie === 'bigint' || typeof cookie === 'number' ? ret(cookie) : 0n;
    },
  }),
];
