/**
 * BPF_PROG_TEST_RUN for programs in a tsbpf VM, with the kernel's semantics (net/bpf/test_run.c as
 * of Linux 6.18, checked against the kernel by test/progtypes-*.test.ts): the same inputs give the
 * same retval, data_out and ctx_out, and the same inputs are refused with the same errno.
 *
 * Two things follow the kernel where one might expect otherwise:
 *  - with repeat > 1 the runs share one buffer and one context, as in the kernel: what a run
 *    writes (the packet, mark, cb[]...) the next run sees; data_out and ctx_out are after the last;
 *  - kprobe, tracepoint, perf_event and lsm programs have no test run (ENOTSUPP); runWithContext
 *    runs any program on a context the caller builds (contexts-build.ts).
 */
import { parseSectionName, type AttachTypeName, type ProgTypeName } from '../elf/sections.js';
import { helperName } from '../isa/helper-names.js';
import type { TraceFn } from '../vm/interpreter.js';
import type { RunContext, Vm, VmProgram } from '../vm/runtime.js';
import { REDIRECT, type RedirectTarget } from '../vm/packet-ops.js';
import { MAX_BPF_FUNC_ARGS, SECCOMP_DATA } from './context.js';
import { maxContextReach } from './ctx-reach.js';
import type { NetDevice } from './devices.js';
import { refuse } from './errors.js';
import { SkbTestBuffer, sizedContext } from './skb.js';
import { progTypeInfo, type ProgTypeInfo } from './table.js';
import type { Verdict } from './verdicts.js';
import { BPF_F_TEST_XDP_LIVE_FRAMES, XdpTestBuffer } from './xdp.js';

/** BPF_F_TEST_RUN_ON_CPU: run a raw tracepoint on `cpu`. */
export const BPF_F_TEST_RUN_ON_CPU = 1;

export interface TestRunOptions {
  /** data_in: the frame, from its Ethernet header. */
  dataIn?: Uint8Array;
  /** ctx_in: the context (__sk_buff, xdp_md, raw tracepoint arguments, seccomp_data). */
  ctxIn?: Uint8Array;
  /**
   * Whether to ask for ctx_out (default: when ctxIn is given). It matters: an XDP test run with
   * ctx_out and no ctx_in gets an all-zero context, whose data_end 0 leaves no linear data.
   */
  ctxOut?: boolean;
  /** Runs (0 or absent: 1); raw tracepoints refuse any repeat. */
  repeat?: number;
  /** test.cpu and test.flags: only raw tracepoints use them (BPF_F_TEST_RUN_ON_CPU). */
  cpu?: number;
  flags?: number;
  /** The program type, when the program has none (loaded from assembly without a section). */
  type?: ProgTypeName;
  /** Devices besides the loopback device (ifindex 1) that ctx_in may name. */
  devices?: readonly NetDevice[];
  /** Instruction budget of each run. */
  budget?: number;
  trace?: TraceFn;
}

export interface TestRunResult {
  /** test.retval: r0's lower 32 bits, unsigned. */
  retval: number;
  /** r0 as the program left it, all 64 bits (0n when the program did not run). */
  r0: bigint;
  /** What the return value means for the program's type. */
  verdict: Verdict;
  /** data_out (absent for types without data). */
  dataOut?: Uint8Array;
  /** ctx_out, when ctx_in or ctxOut was given and the type has one. */
  ctxOut?: Uint8Array;
  /** Mean wall-clock nanoseconds per run (test.duration). */
  durationNs: number;
  /** Instructions the last run executed. */
  insns: number;
  /** Runs made (0 when the kernel would not run the program, as for an unattached fentry). */
  runs: number;
  /** Where a redirect helper sent the packet in the last run. */
  redirect?: RedirectTarget;
}

/** What the program type of a run is: the option, else the program's own. */
function typeOf(prog: VmProgram, opts: TestRunOptions): ProgTypeInfo {
  return progTypeInfo(opts.type ?? prog.type);
}

/** Attach types by section name: parsing one costs more than a short test run. */
const attachTypes = new Map<string, AttachTypeName | undefined>();

function attachTypeOf(prog: VmProgram): AttachTypeName | undefined {
  const section = prog.section;
  if (!section) return undefined;
  if (attachTypes.has(section)) return attachTypes.get(section);
  let attach: AttachTypeName | undefined;
  try {
    attach = parseSectionName(section)?.attachType;
  } catch {
    attach = undefined;
  }
  if (attachTypes.size < 1024) attachTypes.set(section, attach);
  return attach;
}

/** The program types each program's helpers were found allowed for (checkHelpers). */
const helpersChecked = new WeakMap<VmProgram, Set<ProgTypeInfo>>();

/**
 * The kernel refuses at load a program that calls a helper its type may not call. tsbpf learns
 * the type late (a program may be loaded bare and typed at run time), so it refuses here.
 */
export function checkHelpers(info: ProgTypeInfo, prog: VmProgram): void {
  // (Once per program and type: a large program's instructions cost more than a short run.)
  let checked = helpersChecked.get(prog);
  if (checked?.has(info)) return;
  for (const insn of prog.xlated) {
    if (insn.code !== 0x85 || insn.src !== 0) continue;
    if (!info.helpers.includes(insn.imm)) {
      const name = helperName(insn.imm) ?? `unknown#${insn.imm}`;
      throw refuse('EINVAL', `program '${prog.name}': program of this type (${info.name}) cannot use helper ${name}#${insn.imm}`);
    }
  }
  if (checked === undefined) helpersChecked.set(prog, (checked = new Set()));
  checked.add(info);
}

/** A per-run setup (what Vm.run calls) with an after-run hook. */
interface Harness {
  setup(run: RunContext): { r1: bigint };
  after?(): void;
}

function loop(vm: Vm, prog: VmProgram, h: Harness, repeat: number, opts: TestRunOptions): { r0: bigint; insns: number; durationNs: number; run: RunContext } {
  const n = Math.max(1, Math.floor(repeat));
  let r0 = 0n, insns = 0;
  let last: RunContext | undefined;
  const t0 = process.hrtime.bigint();
  if (h.after === undefined) {
    // One set-up for all the runs, as the kernel's loop (the JIT keeps its copies across them).
    const { result, run } = vm.runRepeat(prog, (r) => h.setup(r), n, { budget: opts.budget, trace: opts.trace });
    r0 = result.r0;
    insns = result.insns;
    last = run;
  } else {
    for (let i = 0; i < n; i++) {
      const { result, run } = vm.run(prog, (r) => h.setup(r), { budget: opts.budget, trace: opts.trace });
      h.after();
      r0 = result.r0;
      insns = result.insns;
      last = run;
    }
  }
  const total = process.hrtime.bigint() - t0;
  const mean = Number(total / BigInt(n));
  return { r0, insns, durationNs: Math.min(mean, 0xffffffff), run: last! };
}

function finish(info: ProgTypeInfo, r: { r0: bigint; insns: number; durationNs: number; run?: RunContext }, runs: number, out: { dataOut?: Uint8Array; ctxOut?: Uint8Array }): TestRunResult {
  const retval = Number(r.r0 & 0xffffffffn);
  const redirect = r.run?.state[REDIRECT] as RedirectTarget | undefined;
  return {
    retval, r0: r.r0, verdict: info.verdict(retval), ...out, durationNs: r.durationNs, insns: r.insns, runs,
    ...(redirect !== undefined ? { redirect } : {}),
  };
}

function emptyCtxIn(opts: TestRunOptions): void {
  // bpf(2) itself: a ctx_in pointer needs a size and a size needs a pointer.
  if (opts.ctxIn !== undefined && opts.ctxIn.length === 0) throw refuse('EINVAL', 'ctx_in is empty (ctx_size_in 0)');
}

/** Run a program as BPF_PROG_TEST_RUN would. Refusals are BpfErrors named by the kernel's errno. */
export function testRun(vm: Vm, prog: VmProgram, opts: TestRunOptions = {}): TestRunResult {
  const info = typeOf(prog, opts);
  emptyCtxIn(opts);
  switch (info.testRun) {
    case 'unsupported':
      throw refuse('ENOTSUPP', `${info.name} programs have no test run in the kernel; run one with runWithContext on a ${info.contextName} you build`);
    case 'xdp': return xdpRun(vm, prog, info, opts);
    case 'skb-l2': return skbRun(vm, prog, info, opts, true);
    case 'skb-l3': return skbRun(vm, prog, info, opts, false);
    case 'raw_tp': return rawTpRun(vm, prog, info, opts);
    case 'tracing': return tracingRun(prog, info, opts);
    case 'context': return contextRun(vm, prog, info, opts);
  }
}

function xdpRun(vm: Vm, prog: VmProgram, info: ProgTypeInfo, opts: TestRunOptions): TestRunResult {
  const attach = attachTypeOf(prog);
  if (attach === 'xdp_devmap' || attach === 'xdp_cpumap') throw refuse('EINVAL', `XDP programs for ${attach} cannot be test-run`);
  const flags = opts.flags ?? 0;
  if ((flags & ~BPF_F_TEST_XDP_LIVE_FRAMES) !== 0) throw refuse('EINVAL', `flags 0x${flags.toString(16)}: XDP test runs take only BPF_F_TEST_XDP_LIVE_FRAMES`);
  if (flags & BPF_F_TEST_XDP_LIVE_FRAMES) throw refuse('ENOTSUPP', 'live-frame XDP test runs (BPF_F_TEST_XDP_LIVE_FRAMES) send packets through a device; tsbpf has none');
  checkHelpers(info, prog);
  const buf = new XdpTestBuffer(opts.dataIn ?? new Uint8Array(0), { ctx: opts.ctxIn, ctxOut: opts.ctxOut, devices: opts.devices });
  const r = loop(vm, prog, { setup: (run) => buf.setup(run) }, opts.repeat ?? 1, opts);
  const ctxOut = buf.ctxOut();
  const dataOut = buf.dataOut();
  buf.release();
  return finish(info, r, Math.max(1, opts.repeat ?? 1), { dataOut, ...(ctxOut ? { ctxOut } : {}) });
}

function skbRun(vm: Vm, prog: VmProgram, info: ProgTypeInfo, opts: TestRunOptions, l2: boolean): TestRunResult {
  if ((opts.flags ?? 0) !== 0 || (opts.cpu ?? 0) !== 0) throw refuse('EINVAL', 'skb test runs take no flags and no cpu');
  checkHelpers(info, prog);
  const skb = new SkbTestBuffer(opts.dataIn ?? new Uint8Array(0), { l2, ctx: opts.ctxIn, ctxOut: opts.ctxOut, devices: opts.devices });
  let queueMapping = 0;
  const r = loop(vm, prog, {
    setup: (run) => {
      queueMapping = skb.queueMapping;
      return skb.setup(run);
    },
    after: () => skb.settle(queueMapping),
  }, opts.repeat ?? 1, opts);
  const wantCtx = opts.ctxIn !== undefined || opts.ctxOut === true;
  return finish(info, r, Math.max(1, opts.repeat ?? 1), { dataOut: skb.dataOut(), ...(wantCtx ? { ctxOut: skb.ctxOut() } : {}) });
}

/** Which CPU a raw tracepoint runs on: test.cpu with BPF_F_TEST_RUN_ON_CPU, else the current one. */
function rawTpCpu(vm: Vm, opts: TestRunOptions): number | undefined {
  const flags = opts.flags ?? 0, cpu = opts.cpu ?? 0;
  if ((flags & BPF_F_TEST_RUN_ON_CPU) === 0) {
    if (cpu !== 0) throw refuse('EINVAL', `cpu ${cpu} needs the flag BPF_F_TEST_RUN_ON_CPU`);
    return undefined;
  }
  if (cpu >= vm.nCpus) throw refuse('ENXIO', `cpu ${cpu} is not online (the VM has ${vm.nCpus} CPUs)`);
  return cpu;
}

function rawTpRun(vm: Vm, prog: VmProgram, info: ProgTypeInfo, opts: TestRunOptions): TestRunResult {
  if (opts.dataIn !== undefined || opts.ctxOut === true || (opts.repeat ?? 0) !== 0) {
    throw refuse('EINVAL', 'raw tracepoint test runs take only ctx_in (no data_in, ctx_out or repeat)');
  }
  const ctx = opts.ctxIn ?? new Uint8Array(0);
  const reach = maxContextReach(prog.xlated);
  if (ctx.length < reach || ctx.length > MAX_BPF_FUNC_ARGS * 8) {
    throw refuse('EINVAL', `ctx_in is ${ctx.length} bytes; the program reads ${reach} and at most ${MAX_BPF_FUNC_ARGS * 8} (${MAX_BPF_FUNC_ARGS} u64 arguments) are allowed`);
  }
  const cpu = rawTpCpu(vm, opts);
  checkHelpers(info, prog);
  const bytes = ctx.slice();
  const { result, run } = vm.run(prog, (r) => {
    const region = r.addRegion(info.contextName, 'ctx', bytes, false);
    r.ctx = region;
    return { r1: region.addr(0) };
  }, { budget: opts.budget, trace: opts.trace, ...(cpu !== undefined ? { cpu } : {}) });
  // The kernel measures no duration for raw tracepoints.
  return finish(info, { r0: result.r0, insns: result.insns, durationNs: 0, run }, 1, {});
}

/**
 * fentry/fexit/fmod_ret: the kernel calls its bpf_fentry_test* and bpf_modify_return_test*
 * functions, which run the program only if it is attached. A loaded program is not attached, so
 * it does not run; the retval is what those functions give without it (0 for fentry and fexit;
 * for fmod_ret, side effects 2 << 16 | sum 33).
 */
function tracingRun(prog: VmProgram, info: ProgTypeInfo, opts: TestRunOptions): TestRunResult {
  if ((opts.flags ?? 0) !== 0 || (opts.cpu ?? 0) !== 0) throw refuse('EINVAL', 'tracing test runs take no flags and no cpu');
  const attach = attachTypeOf(prog);
  let retval: number;
  if (attach === 'trace_fentry' || attach === 'trace_fexit') retval = 0;
  else if (attach === 'modify_return') retval = (2 << 16) | 33;
  else throw refuse('EFAULT', `tracing programs attached as ${attach ?? 'unknown'} have no test run (only fentry, fexit and fmod_ret do)`);
  return { retval, r0: 0n, verdict: info.verdict(retval), durationNs: 0, insns: 0, runs: 0 };
}

/** tsbpf's seccomp filters: ctx_in is the struct seccomp_data (zero padded to 64 bytes). */
function contextRun(vm: Vm, prog: VmProgram, info: ProgTypeInfo, opts: TestRunOptions): TestRunResult {
  if (opts.dataIn !== undefined) throw refuse('EINVAL', `${info.name} programs take no data_in, only ctx_in (a ${info.contextName})`);
  if (opts.ctxIn === undefined) throw refuse('EINVAL', `${info.name} programs need ctx_in (a ${info.contextName})`);
  const ctx = sizedContext(opts.ctxIn, info.context.size);
  checkHelpers(info, prog);
  const r = loop(vm, prog, {
    setup: (run) => {
      const region = run.addRegion(info.contextName, 'ctx', ctx, false);
      run.ctx = region;
      return { r1: region.addr(0) };
    },
  }, opts.repeat ?? 1, opts);
  return finish(info, r, Math.max(1, opts.repeat ?? 1), {});
}

export interface ContextRunOptions {
  /** The type to name the verdict by (default: the program's). */
  type?: ProgTypeName;
  /** Let the program write its context (tracing contexts are read-only in the kernel). */
  writable?: boolean;
  cpu?: number;
  budget?: number;
  trace?: TraceFn;
}

export interface ContextRunResult {
  retval: number;
  r0: bigint;
  verdict?: Verdict;
  /** The context after the run. */
  ctxOut: Uint8Array;
  insns: number;
}

/**
 * Run a program once on a context the caller built: pt_regs for a kprobe (ptRegs), a tracepoint
 * record (tracepointRecord), u64 arguments (u64Args), perf event data, seccomp_data... This is
 * tsbpf's own, for unit-testing programs the kernel will not test-run.
 */
export function runWithContext(vm: Vm, prog: VmProgram, ctxBytes: Uint8Array, opts: ContextRunOptions = {}): ContextRunResult {
  const bytes = ctxBytes.slice();
  const typeName = opts.type ?? prog.type;
  const { result } = vm.run(prog, (r) => {
    const region = r.addRegion('context', 'ctx', bytes, opts.writable ?? false);
    r.ctx = region;
    return { r1: region.addr(0) };
  }, { budget: opts.budget, trace: opts.trace, ...(opts.cpu !== undefined ? { cpu: opts.cpu } : {}) });
  const retval = Number(result.r0 & 0xffffffffn);
  let verdict: Verdict | undefined;
  try {
    verdict = progTypeInfo(typeName).verdict(retval);
  } catch {
    verdict = undefined;
  }
  return { retval, r0: result.r0, ...(verdict ? { verdict } : {}), ctxOut: bytes, insns: result.insns };
}

/** The seccomp_data size, for callers building contexts by hand. */
export const SECCOMP_DATA_SIZE = SECCOMP_DATA.size;
