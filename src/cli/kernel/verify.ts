/**
 * `tsbpf verify OBJ [--target vm|kernel] [--log-level 1|2]`: load the object's programs and say
 * whether they are accepted. Kernel: the verifier's verdict, with its log on failure (and on
 * success with --log-level); nothing stays loaded. VM: tsbpf has no verifier yet, so this is only
 * the VM's load checks (instruction decoding, jumps, map references, helpers known) — said plainly
 * so a pass is not read as "the kernel would accept it".
 */
import { BpfError } from '../../errors.js';
import { KernelError } from '../../kernel/errors.js';
import { loadSpec } from '../../object/load.js';
import type { KernelTargetObject } from '../../object/kernel.js';
import type { Command, Output } from '../command.js';
import type { JsonValue } from '../json.js';
import { parseCommand } from '../options.js';
import { parseUint, Tokens } from '../tokens.js';
import { emit } from '../commands/map-common.js';
import { pickPrograms, readObject } from '../commands/prog-common.js';
import { requireKernel } from './target.js';

const VM_NOTE = 'tsbpf\'s VM has no verifier yet: these are only its load checks (instructions decode, jumps land on instructions, maps and helpers exist); the kernel may still reject the program (try --target kernel)';

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

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'load an object\'s programs and print the verdict (kernel: the verifier\'s, with its log)',
  usage: 'tsbpf verify OBJ [--prog NAME] [--target vm|kernel] [--log-level 1|2] [--btf FILE] [--json]',
  details: [
    '--target kernel: each program is loaded with the kernel verifier and released at once; a rejection prints',
    'the verifier log and exits 1. --log-level 1|2 prints the log of accepted programs too (2: every state).',
    '--target vm (default): the VM\'s load checks only — tsbpf has no verifier yet, and says so.',
    '--json: {"target", "programs": [{"name", "section", "type", "verdict": "accepted"|"rejected", "error"?, "log"?}]}.',
  ],
  run(argv: string[], out: Output) {
    const { values, positionals, common } = parseCommand(argv, {
      prog: { type: 'string' }, btf: { type: 'string' }, 'log-level': { type: 'string' },
    }, { kernel: true });
    const t = new Tokens(positionals);
    const objPath = t.next('OBJ');
    t.end();
    const logLevel = values['log-level'] !== undefined ? parseUint(values['log-level'] as string, '--log-level', 2) : 0;
    if (common.target === 'kernel') requireKernel();
    const spec = readObject(objPath, { btf: values.btf as string | undefined }, out, 'verify');
    const progs = pickPrograms(spec, values.prog as string | undefined);
    const results: { [k: string]: JsonValue }[] = [];
    let failed = 0;
    if (common.target === 'vm') {
      // The VM loads an object as a whole: a failure names the program in its message.
      let error: string | undefined;
      try {
        loadSpec(spec, { target: 'vm' }).close();
      } catch (e) {
        if (!(e instanceof BpfError)) throw e;
        error = e.message;
        failed++;
      }
      for (const p of progs) {
        const r: { [k: string]: JsonValue } = { name: p.name, section: p.section, type: p.type, verdict: error ? 'rejected' : 'accepted' };
        if (error) r.error = error;
        results.push(r);
      }
    } else {
      // One program at a time, so one rejection does not hide the verdict on the others.
      for (const p of progs) {
        const r: { [k: string]: JsonValue } = { name: p.name, section: p.section, type: p.type };
        try {
          const obj = loadSpec(spec, { target: 'kernel', programs: [p.name], ...(logLevel ? { logLevel } : {}) }) as KernelTargetObject;
          const kp = obj.native.programs.get(p.name)!;
          r.verdict = 'accepted';
          r.verified_insns = kp.info().verifiedInsns;
          if (logLevel) r.log = kp.log;
          obj.close();
        } catch (e0) {
          const e = describeLoadError(e0);
          if (!(e instanceof BpfError)) throw e;
          failed++;
          r.verdict = 'rejected';
          r.error = (e.message.split('\nverifier log:')[0] ?? e.message).split('\n')[0]!;
          if (e instanceof KernelError) {
            r.errno = e.errnoName;
            if (e.log) r.log = e.log;
            const hint = /\n→ (.*)$/.exec(e.message);
            if (hint) r.hint = hint[1]!;
          }
        }
        results.push(r);
      }
    }
    const json: { [k: string]: JsonValue } = { target: common.target, programs: results };
    if (common.target === 'vm') json.note = VM_NOTE;
    emit(out, common, json, () => {
      const lines: string[] = [];
      if (common.target === 'vm') lines.push(`note: ${VM_NOTE}`);
      for (const r of results) {
        const extra = r.verified_insns !== undefined ? ` (${r.verified_insns} instructions verified)` : '';
        lines.push(`${r.name} (sec '${r.section}', ${r.type}): ${r.verdict}${extra}`);
        if (r.error) lines.push(`  error: ${r.error}${r.errno && !String(r.error).includes(String(r.errno)) ? ` (${r.errno})` : ''}`);
        if (r.hint) lines.push(`  → ${r.hint}`);
        if (r.log) lines.push(`  verifier log:`, ...String(r.log).trimEnd().split('\n').map((l) => `    ${l}`));
      }
      lines.push(failed ? `${failed} of ${results.length} program${results.length === 1 ? '' : 's'} rejected` : `all ${results.length} program${results.length === 1 ? '' : 's'} accepted${common.target === 'vm' ? ' by the VM\'s load checks' : ' by the kernel verifier'}`);
      return lines.join('\n');
    });
    return failed ? 1 : 0;
  },
};
