/**
 * Attaching by section name, as libbpf's bpf_program__attach and a skeleton's attach() do: the
 * SEC() name of a program says where it goes (tracepoint/CAT/NAME, raw_tp/NAME, kprobe/FUNC,
 * uprobe/PATH:FUNC, usdt/PATH:PROVIDER:NAME, tp_btf/NAME...), and what it does not say (the
 * interface of an xdp program, the cgroup of a cgroup_skb program, the binary of a bare
 * SEC("uprobe")) comes from options. attachProgram attaches one program or says what is missing;
 * attachAll attaches every program whose section says enough and reports the others as skipped.
 */
import { BpfError } from '../../errors.js';
import type { ProgramSpec } from '../../elf/object.js';
import type { KernelMap } from '../kernel-map.js';
import type { KernelObject } from '../load-object.js';
import type { KernelProgram } from '../kernel-program.js';
import { attachUsdt } from '../usdt/attach.js';
import { attachBtfTracing, loadBtfTracingProgram } from './btf-tracing.js';
import { LinkAttachment, type Attachment } from './link.js';
import { attachCgroupSkb, attachTcx, attachXdp } from './network.js';
import { attachPerfEvent, type PerfSamplingOptions } from './perf-sampling.js';
import { attachKprobe, attachUprobe } from './probes.js';
import { attachRawTracepoint, attachTracepoint } from './tracepoint.js';

/** What a section name may leave out, per kind of program. Options override the section's target. */
export interface AutoAttachOptions {
  /** xdp, tc/tcx: the network interface (name or ifindex). */
  ifname?: string | number;
  /** xdp: XDP_FLAGS_* (default 0: the kernel picks). */
  xdpFlags?: number;
  /** cgroup_skb (and other cgroup programs): the cgroup v2 directory. */
  cgroup?: string;
  /** SEC("tc"), SEC("cgroup/skb"): the direction the section does not name. */
  direction?: 'ingress' | 'egress';
  /** tracepoint: "CATEGORY/NAME" for a bare SEC("tracepoint"). */
  tracepoint?: string;
  /** raw_tp: the tracepoint name for a bare SEC("raw_tp"). */
  rawTracepoint?: string;
  /** kprobe/kretprobe/ksyscall: the kernel function (or syscall for ksyscall) for a bare section. */
  kprobe?: string | { func: string; offset?: number };
  /** uprobe/uretprobe: the binary and where in it, for SEC("uprobe") or to override the section. */
  uprobe?: { path: string; func?: string; offset?: number; fileOffset?: number };
  /** usdt: the binary and the probe, for SEC("usdt") or to override the section. */
  usdt?: { path: string; provider: string; name: string };
  /** usdt: the argument-spec array map (a name in the object or a map); default '__bpf_usdt_specs' when present. */
  usdtSpecs?: string | KernelMap;
  /** uprobe/usdt: only this process. */
  pid?: number;
  /** kprobe/uprobe/usdt: the bpf_get_attach_cookie() value. */
  cookie?: bigint;
  /** perf_event: the sampling (default 99 Hz CPU clock on every online CPU). */
  perf?: PerfSamplingOptions;
}

/** What attachAll takes: options for every program, per-program options, and what to include. */
export interface AttachAllOptions extends AutoAttachOptions {
  /** Options for one program (by name), merged over the shared ones. */
  programs?: Record<string, AutoAttachOptions>;
  /** Only these programs (default: every program of the object that was loaded). */
  only?: readonly string[];
  /** Throw instead of skipping a program whose section does not say where it attaches. */
  strict?: boolean;
  /**
   * Also load and attach the object's BTF-attached programs (tp_btf, fentry, fexit, fmod_ret)
   * that loadObjectIntoKernel left out; the default attaches only loaded programs.
   */
  btfTracing?: boolean;
}

/** What attachAll returns: every attachment under one close(). */
export interface ObjectAttachment {
  /** Attachments by program name. */
  readonly attachments: ReadonlyMap<string, Attachment>;
  /** Programs not attached, and why (what option would attach them). */
  readonly skipped: readonly { program: string; reason: string }[];
  readonly closed: boolean;
  /** Detach everything (in reverse order of attachment). */
  close(): void;
}

/** A program that cannot be attached without more options: the message says which. */
class NeedsOptions extends BpfError {
  constructor(message: string) {
    super('EINVAL', message);
  }
}

const sec = (p: ProgramSpec): string => `SEC("${p.section.replace(/^\?/, '')}")`;

/** The arch's syscall wrapper symbol, as libbpf's ksyscall resolves it. */
function syscallSymbol(name: string): string {
  const prefix = { x64: '__x64_sys_', arm64: '__arm64_sys_', s390x: '__s390x_sys_', riscv64: '__riscv_sys_' }[process.arch as string];
  return prefix ? `${prefix}${name}` : `sys_${name}`;
}

function splitTracepoint(s: string, what: string): [string, string] {
  const i = s.indexOf('/');
  if (i <= 0 || i === s.length - 1) throw new BpfError('EINVAL', `${what}: tracepoint '${s}' is not CATEGORY/NAME`);
  return [s.slice(0, i), s.slice(i + 1)];
}

function findSpec(kobj: KernelObject, name: string): ProgramSpec {
  const p = kobj.spec.programs.find((x) => x.name === name);
  if (!p) throw new BpfError('ENOENT', `${kobj.file}: no program '${name}' (programs: ${kobj.spec.programs.map((x) => x.name).join(', ')})`);
  return p;
}

/**
 * How to attach program `p`: a thunk doing it, or a NeedsOptions error saying what is missing.
 * The program is looked up only when the thunk runs (BTF-attached ones are loaded then).
 */
function plan(kobj: KernelObject, p: ProgramSpec, o: AutoAttachOptions, auto = false): () => Attachment {
  const what = `${kobj.file}: program '${p.name}' ${sec(p)}`;
  const t = p.attachTarget;
  const info = p.sectionInfo;
  const loaded = (): KernelProgram => {
    const prog = kobj.programs.get(p.name);
    if (!prog) throw new BpfError('ENOENT', `${what} was not loaded (loadObjectIntoKernel's programs option left it out, or its section is marked '?')`);
    return prog;
  };
  const needs = (msg: string): never => {
    throw new NeedsOptions(`${what}: ${sec(p)} ${msg}`);
  };

  if (info.def.attachBtf) {
    if (p.attachType !== 'trace_raw_tp' && p.attachType !== 'trace_fentry' && p.attachType !== 'trace_fexit' && p.attachType !== 'modify_return') {
      return needs('cannot be attached automatically (lsm, iter and freplace programs are not supported by attachProgram); load and attach it yourself');
    }
    return () => {
      const already = kobj.programs.get(p.name);
      if (already) return attachBtfTracing(already, `program '${p.name}'`);
      const prog = loadBtfTracingProgram(kobj, p.name);
      try {
        const att = attachBtfTracing(prog, `program '${p.name}'`);
        // The program was loaded for this attachment: it goes when the attachment does.
        return new LinkAttachment(att.target, [...att.linkFds], [], () => prog.close());
      } catch (e) {
        prog.close();
        throw e;
      }
    };
  }

  switch (p.type) {
    case 'tracepoint': {
      const [category, name] = o.tracepoint !== undefined ? splitTracepoint(o.tracepoint, what)
        : t?.kind === 'tracepoint' ? [t.category, t.name] : needs('names no tracepoint: write SEC("tracepoint/CATEGORY/NAME") or pass { tracepoint: "CATEGORY/NAME" }');
      return () => attachTracepoint(loaded(), category, name);
    }
    case 'raw_tracepoint':
    case 'raw_tracepoint_writable': {
      const name = o.rawTracepoint ?? (t?.kind === 'raw_tracepoint' ? t.name : needs('names no tracepoint: write SEC("raw_tp/NAME") or pass { rawTracepoint: NAME }'));
      return () => attachRawTracepoint(loaded(), name);
    }
    case 'perf_event':
      // Sampling costs on every CPU: attachAll samples only when asked to.
      if (auto && o.perf === undefined) return needs('samples only when asked: pass { perf: { frequency } }');
      return () => attachPerfEvent(loaded(), o.perf ?? {});
    case 'xdp': {
      if (p.attachType === 'xdp_devmap' || p.attachType === 'xdp_cpumap') return needs('runs from a devmap/cpumap entry: put its fd in the map instead of attaching it');
      const ifname = o.ifname ?? needs('needs an interface: pass { ifname }');
      return () => attachXdp(loaded(), ifname, o.xdpFlags ?? 0);
    }
    case 'sched_cls': {
      const dir = p.attachType === 'tcx_ingress' ? 'ingress' : p.attachType === 'tcx_egress' ? 'egress' : o.direction;
      const ifname = o.ifname ?? needs('needs an interface: pass { ifname }');
      if (dir === undefined) return needs("does not say ingress or egress: write SEC(\"tc/ingress\") or pass { direction: 'ingress' | 'egress' }");
      if (p.attachType === 'netkit_primary' || p.attachType === 'netkit_peer') return needs('attaches to a netkit device, which attachProgram does not support');
      return () => attachTcx(loaded(), ifname, dir);
    }
    case 'cgroup_skb': {
      const dir = p.attachType === 'cgroup_inet_ingress' ? 'ingress' : p.attachType === 'cgroup_inet_egress' ? 'egress' : o.direction;
      const cgroup = o.cgroup ?? needs('needs a cgroup: pass { cgroup: "/sys/fs/cgroup/..." }');
      if (dir === undefined) return needs("does not say ingress or egress: write SEC(\"cgroup_skb/ingress\") or pass { direction: 'ingress' | 'egress' }");
      return () => attachCgroupSkb(loaded(), cgroup, dir);
    }
    case 'kprobe':
      return planKprobeFamily(kobj, p, o, loaded, needs);
    default:
      return needs(`(program type ${p.type}) cannot be attached automatically; use the attach function for its kind, or the map it belongs in`);
  }
}

function planKprobeFamily(
  kobj: KernelObject, p: ProgramSpec, o: AutoAttachOptions, loaded: () => KernelProgram, needs: (msg: string) => never,
): () => Attachment {
  const t = p.attachTarget;
  const kind = p.sectionInfo.def.target;
  const retprobe = p.sectionInfo.isReturn;
  const cookie = o.cookie !== undefined ? { cookie: o.cookie } : {};
  const pid = o.pid !== undefined ? { pid: o.pid } : {};
  switch (kind) {
    case 'kprobe': {
      const k = typeof o.kprobe === 'string' ? { func: o.kprobe, offset: 0 } : o.kprobe
        ?? (t?.kind === 'kprobe' ? t : needs('names no kernel function: write SEC("kprobe/FUNC") or pass { kprobe: FUNC }'));
      return () => attachKprobe(loaded(), k.func, { retprobe, offset: k.offset ?? 0, ...cookie });
    }
    case 'ksyscall': {
      const name = typeof o.kprobe === 'string' ? o.kprobe : o.kprobe?.func ?? (t?.kind === 'ksyscall' ? t.syscall : needs('names no syscall: write SEC("ksyscall/NAME") or pass { kprobe: NAME }'));
      return () => attachKprobe(loaded(), syscallSymbol(name), { retprobe, ...cookie });
    }
    case 'uprobe': {
      const u = o.uprobe ?? (t?.kind === 'uprobe' ? { path: t.path, ...(t.func !== undefined ? { func: t.func, offset: t.offset } : { fileOffset: t.offset }) } : undefined)
        ?? needs('names no binary: write SEC("uprobe/PATH:FUNC") or pass { uprobe: { path, func } }');
      const at = u.func !== undefined ? { func: u.func, offset: u.offset ?? 0 } : u.fileOffset !== undefined ? { fileOffset: u.fileOffset } : needs(`names no function in ${u.path}: pass { uprobe: { path, func } } or { uprobe: { path, fileOffset } }`);
      return () => attachUprobe(loaded(), u.path, at, { retprobe, ...pid, ...cookie });
    }
    case 'usdt': {
      const u = o.usdt ?? (t?.kind === 'usdt' ? t : needs('names no probe: write SEC("usdt/PATH:PROVIDER:NAME") or pass { usdt: { path, provider, name } }'));
      return () => {
        const specs = typeof o.usdtSpecs === 'object' ? o.usdtSpecs : kobj.maps.get(o.usdtSpecs ?? '__bpf_usdt_specs');
        if (typeof o.usdtSpecs === 'string' && !specs) throw new BpfError('ENOENT', `${kobj.file}: no map '${o.usdtSpecs}' for the USDT argument specs`);
        return attachUsdt(loaded(), u.path, u.provider, u.name, { ...pid, ...cookie, ...(specs ? { specs } : {}) });
      };
    }
    default:
      return needs('(multi-probe or session attachment) is not supported by attachProgram yet: attach it with attachKprobe/attachUprobe per target');
  }
}

/**
 * Attach program `programName` of a loaded object where its SEC() name says (libbpf's
 * bpf_program__attach); `opts` fill in or override the target. Throws a BpfError that says which
 * option is missing when the section does not name a target ("SEC("xdp") needs an interface: pass
 * { ifname }"). BTF-attached programs (tp_btf, fentry, fexit, fmod_ret) left out of the object load
 * are loaded here and closed with the attachment.
 */
export function attachProgram(kobj: KernelObject, programName: string, opts: AutoAttachOptions = {}): Attachment {
  return plan(kobj, findSpec(kobj, programName), opts)();
}

/**
 * Attach every program of the object whose section says where it goes (a skeleton's attach()),
 * with `opts` for what sections leave out. Programs that would need more options are skipped and
 * listed in `skipped` (or, with strict, refused); a failure to attach closes what was attached and
 * throws.
 */
export function attachAll(kobj: KernelObject, opts: AttachAllOptions = {}): ObjectAttachment {
  const { programs: perProgram = {}, only, strict = false, btfTracing = false, ...shared } = opts;
  const names = only ?? kobj.spec.programs
    .filter((p) => kobj.programs.has(p.name) || (btfTracing && p.sectionInfo.def.attachBtf && p.sectionInfo.autoload))
    .map((p) => p.name);
  const attachments = new Map<string, Attachment>();
  const skipped: { program: string; reason: string }[] = [];
  const closeAll = (): void => {
    for (const a of [...attachments.values()].reverse()) a.close();
    attachments.clear();
  };
  try {
    for (const name of names) {
      const p = findSpec(kobj, name);
      let thunk: () => Attachment;
      try {
        thunk = plan(kobj, p, { ...shared, ...perProgram[name] }, true);
      } catch (e) {
        if (!(e instanceof NeedsOptions) || strict) throw e;
        skipped.push({ program: name, reason: e.message });
        continue;
      }
      attachments.set(name, thunk());
    }
  } catch (e) {
    closeAll();
    throw e;
  }
  let closed = false;
  return {
    attachments,
    skipped,
    get closed() {
      return closed;
    },
    close() {
      closed = true;
      closeAll();
    },
  };
}
