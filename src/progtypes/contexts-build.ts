/**
 * Builders for the contexts of tracing programs and seccomp filters, so a test can run a kprobe
 * with the registers it chooses, a raw tracepoint with its arguments, a perf event sample or a
 * system call (runWithContext, testRun).
 */
import { BpfError } from '../errors.js';
import {
  MAX_BPF_FUNC_ARGS, PERF_EVENT_DATA, PT_REGS_KERNEL_NAMES, PT_REGS_NAMES, PT_REGS_SIZE, SECCOMP_DATA, type PtRegName,
} from './context.js';

export type U64 = bigint | number;

function u64(v: U64, what: string): bigint {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new BpfError('EINVAL', `${what}: ${v} is not an integer`);
    return BigInt.asUintN(64, BigInt(v));
  }
  return BigInt.asUintN(64, v);
}

/**
 * x86-64 struct pt_regs with the registers given (UAPI names like rdi, or the kernel's like di);
 * the others are 0. For a kprobe at a function's entry the first arguments are rdi, rsi, rdx,
 * rcx, r8, r9; a kretprobe's return value is rax.
 */
export function ptRegs(regs: Readonly<Partial<Record<PtRegName | string, U64>>> = {}): Uint8Array {
  const out = new Uint8Array(PT_REGS_SIZE);
  const dv = new DataView(out.buffer);
  for (const [name, value] of Object.entries(regs)) {
    if (value === undefined) continue;
    const reg = (PT_REGS_KERNEL_NAMES[name] ?? name) as PtRegName;
    const i = PT_REGS_NAMES.indexOf(reg);
    if (i < 0) throw new BpfError('EINVAL', `pt_regs has no register '${name}' (x86-64: ${PT_REGS_NAMES.join(', ')})`);
    dv.setBigUint64(i * 8, u64(value, `pt_regs.${name}`), true);
  }
  return out;
}

/** The registers a kprobe at a function's entry finds its arguments in (x86-64 SysV ABI). */
export const ARG_REGS: readonly PtRegName[] = ['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9'];

/** pt_regs for a call with these integer arguments (at most six). */
export function ptRegsForCall(args: readonly U64[], extra: Readonly<Partial<Record<string, U64>>> = {}): Uint8Array {
  if (args.length > ARG_REGS.length) throw new BpfError('EINVAL', `at most ${ARG_REGS.length} arguments are passed in registers`);
  const regs: Record<string, U64 | undefined> = { ...extra };
  args.forEach((a, i) => { regs[ARG_REGS[i]!] = a; });
  return ptRegs(regs);
}

/** struct bpf_perf_event_data: the sampled registers, the sample period and the sample address. */
export function perfEventData(opts: { regs?: Readonly<Partial<Record<string, U64>>>; samplePeriod?: U64; addr?: U64 } = {}): Uint8Array {
  const out = new Uint8Array(PERF_EVENT_DATA.size);
  out.set(ptRegs(opts.regs ?? {}), PERF_EVENT_DATA.regs);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(PERF_EVENT_DATA.sample_period, u64(opts.samplePeriod ?? 0, 'sample_period'), true);
  dv.setBigUint64(PERF_EVENT_DATA.addr, u64(opts.addr ?? 0, 'addr'), true);
  return out;
}

/** u64 arguments: a raw tracepoint's (struct bpf_raw_tracepoint_args) or an fentry/fexit/lsm program's. */
export function u64Args(args: readonly U64[]): Uint8Array {
  if (args.length > MAX_BPF_FUNC_ARGS) throw new BpfError('EINVAL', `at most ${MAX_BPF_FUNC_ARGS} arguments (MAX_BPF_FUNC_ARGS)`);
  const out = new Uint8Array(args.length * 8);
  const dv = new DataView(out.buffer);
  args.forEach((a, i) => dv.setBigUint64(i * 8, u64(a, `args[${i}]`), true));
  return out;
}

/** AUDIT_ARCH_X86_64: what seccomp_data.arch holds on x86-64. */
export const AUDIT_ARCH_X86_64 = 0xc000003e;

/** struct seccomp_data for a system call (arch defaults to x86-64). */
export function seccompData(opts: { nr: number; arch?: number; instructionPointer?: U64; args?: readonly U64[] }): Uint8Array {
  const args = opts.args ?? [];
  if (args.length > 6) throw new BpfError('EINVAL', 'a system call has at most 6 arguments');
  const out = new Uint8Array(SECCOMP_DATA.size);
  const dv = new DataView(out.buffer);
  dv.setInt32(SECCOMP_DATA.nr, opts.nr, true);
  dv.setUint32(SECCOMP_DATA.arch, (opts.arch ?? AUDIT_ARCH_X86_64) >>> 0, true);
  dv.setBigUint64(SECCOMP_DATA.instruction_pointer, u64(opts.instructionPointer ?? 0, 'instruction_pointer'), true);
  args.forEach((a, i) => dv.setBigUint64(SECCOMP_DATA.args + i * 8, u64(a, `args[${i}]`), true));
  return out;
}
