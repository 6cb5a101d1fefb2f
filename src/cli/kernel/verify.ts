/**
 * The kernel side of `tsbpf verify --target kernel` (commands/verify.ts): each program loaded by
 * the running kernel's verifier and released at once, its verdict and log kept for comparison with
 * tsbpf's own. Also what a kernel load failure means, by errno, for every verb that loads.
 */
import { BpfError } from '../../errors.js';
import type { ObjectSpec, ProgramSpec } from '../../elf/object.js';
import { KernelError } from '../../kernel/errors.js';
import { loadSpec } from '../../object/load.js';
import type { KernelTargetObject } from '../../object/kernel.js';
import type { JsonValue } from '../json.js';

/** A load failure with what to do next, by errno (the verifier log stays on the error). */
export function describeLoadError(e: unknown): unknown {
  if (!(e instanceof KernelError)) return e;
  const todo: Record<string, string> = {
    EINVAL: 'the kernel found the program or an attribute invalid: read the verifier log; with no log, the program type or flags may be unknown to this kernel',
    EPERM: 'run as root (or with CAP_BPF and CAP_PERFMON/CAP_NET_ADMIN); check kernel.unprivileged_bpf_disabled and lockdown',
    ENOSYS: 'this kernel has no bpf(2); use --target vm',
    E2BIG: 'the program is too large for the verifier (over 1M instructions processed, or too many)',
  };
  const hint = todo[e.errnoName];
  if (!hint) return e;
  const out = new KernelError(e.command, e.errno, `${e.message}\n→ ${hint}`, e.log);
  out.stack = e.stack;
  return out;
}

/**
 * The kernel's verdict on each program, one load at a time so one rejection does not hide the
 * others. `logLevel` 0 asks for a log only when the program is refused (as libbpf does).
 */
export function kernelVerdicts(spec: ObjectSpec, progs: readonly ProgramSpec[], logLevel: number): { [k: string]: JsonValue }[] {
  const results: { [k: string]: JsonValue }[] = [];
  for (const p of progs) {
    const r: { [k: string]: JsonValue } = { name: p.name, section: p.section, type: p.type };
    try {
      const obj = loadSpec(spec, { target: 'kernel', programs: [p.name], ...(logLevel ? { logLevel } : {}) }) as KernelTargetObject;
      const kp = obj.native.programs.get(p.name)!;
      r.verdict = 'accepted';
      r.accepted = true;
      r.insns_processed = kp.info().verifiedInsns ?? null;
      r.verified_insns = r.insns_processed;
      if (logLevel) r.log = kp.log;
      obj.close();
    } catch (e0) {
      const e = describeLoadError(e0);
      if (!(e instanceof BpfError)) throw e;
      r.verdict = 'rejected';
      r.accepted = false;
      r.error = (e.message.split('\nverifier log:')[0] ?? e.message).split('\n')[0]!;
      if (e instanceof KernelError) {
        r.errno = e.errnoName;
        if (e.log) {
          r.log = e.log;
          // The verifier's own message (the last line before the statistics), as tsbpf's verdict gives it.
          const said = e.log.split('\n').filter((l) => l !== '' && !/^processed \d+ insns|^verification time/.test(l)).at(-1);
          if (said) r.error = said;
          const m = /^processed (\d+) insns/m.exec(e.log);
          if (m) r.insns_processed = Number(m[1]);
        }
        const hint = /\n→ (.*)$/.exec(e.message);
        if (hint) r.hint = hint[1]!;
      }
    }
    results.push(r);
  }
  return results;
}
