/**
 * Programs that attach by a BTF id of the running kernel: fentry/fexit/fmod_ret (a kernel
 * function, BTF FUNC) and tp_btf (a raw tracepoint with typed arguments: the typedef
 * btf_trace_<name>). The id goes into BPF_PROG_LOAD's attach_btf_id, so these programs are loaded
 * here rather than by loadObjectIntoKernel (which refuses them), against the maps an object load
 * already created; then BPF_RAW_TRACEPOINT_OPEN without a name attaches them where the id says.
 * Kernel lockdown or a BPF LSM can refuse them (EPERM) even to root.
 */
import { readFileSync } from 'node:fs';
import { BpfError } from '../../errors.js';
import { parseBtf, type Btf } from '../../btf/btf.js';
import { ATTACH_TYPE, PROG_TYPE } from '../../elf/sections.js';
import { KernelError } from '../errors.js';
import type { KernelObject } from '../load-object.js';
import { KernelProgram } from '../kernel-program.js';
import { progLoad } from '../prog-load.js';
import { kernelInsnBytes } from '../relocate.js';
import { LinkAttachment, rawTracepointOpen } from './link.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';
let vmlinux: Btf | undefined;

function vmlinuxBtf(): Btf {
  if (vmlinux) return vmlinux;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(VMLINUX));
  } catch {
    throw new BpfError('ENOENT', `${VMLINUX} is missing: this kernel was built without CONFIG_DEBUG_INFO_BTF, so fentry/fexit/tp_btf programs cannot be attached; use kprobes or tracepoints`);
  }
  return (vmlinux = parseBtf(bytes, { name: 'vmlinux' }));
}

/** The vmlinux BTF id a section kind attaches to: FUNC `name` (fentry...) or typedef btf_trace_<name> (tp_btf). */
export function vmlinuxTargetId(kind: 'function' | 'tracepoint', name: string): number {
  const btf = vmlinuxBtf();
  const t = kind === 'function' ? btf.findByName(name, 'func') : btf.findByName(`btf_trace_${name}`, 'typedef');
  if (!t) {
    throw new BpfError('ENOENT', kind === 'function'
      ? `the kernel's BTF has no function '${name}' (not in ${VMLINUX}: static and inlined functions may be missing; see /proc/kallsyms)`
      : `the kernel has no BTF tracepoint '${name}' (no typedef btf_trace_${name} in ${VMLINUX}; see /sys/kernel/tracing/available_events)`);
  }
  return t.id;
}

const EPERM_WHY = 'the kernel refused a BTF-attached tracing program even to root: kernel lockdown (see /sys/kernel/security/lockdown), a BPF LSM policy, or a container/seccomp profile blocks fentry/fexit/lsm/tp_btf here; use a tracepoint or raw tracepoint instead';

/**
 * Load program `name` of an object already loaded with loadObjectIntoKernel (for its maps),
 * with the attach_btf_id its section names (fentry/NAME, fexit/NAME, tp_btf/NAME).
 */
export function loadBtfTracingProgram(obj: KernelObject, name: string, opts: { logLevel?: number } = {}): KernelProgram {
  const p = obj.spec.programs.find((x) => x.name === name);
  if (!p) throw new BpfError('ENOENT', `${obj.file}: no program '${name}'`);
  if (p.attachTarget?.kind !== 'btf' || p.attachType === undefined) throw new BpfError('EINVAL', `${obj.file}: program '${name}' (sec '${p.section}') does not attach by BTF id`);
  const kind = p.attachType === 'trace_raw_tp' ? 'tracepoint' : 'function';
  const id = vmlinuxTargetId(kind, p.attachTarget.name);
  const mapFds = obj.spec.maps.map((m) => obj.maps.get(m.name)!.fd);
  const where = `${obj.file}: program '${name}' (sec '${p.section}')`;
  try {
    const { fd, log } = progLoad({
      type: (PROG_TYPE as Record<string, number>)[p.type]!, insns: kernelInsnBytes(p, mapFds, obj.file), license: p.license, name: p.name,
      expectedAttachType: ATTACH_TYPE[p.attachType], attachBtfId: id,
      ...(opts.logLevel !== undefined ? { logLevel: opts.logLevel } : {}),
    }, where);
    return new KernelProgram(fd, p.name, p.type, log);
  } catch (e) {
    if (e instanceof KernelError && e.errnoName === 'EPERM') throw new KernelError(e.command, e.errno, `${where}: ${e.command} failed with EPERM: ${EPERM_WHY}`, e.log);
    throw e;
  }
}

/** Attach a program loaded by loadBtfTracingProgram where its attach_btf_id says. */
export function attachBtfTracing(prog: KernelProgram, what = `program '${prog.name}'`): LinkAttachment {
  const link = rawTracepointOpen(prog.fd, undefined, what, { EPERM: EPERM_WHY });
  return new LinkAttachment(`btf target of ${what}`, [link]);
}
