/**
 * `tsbpf verify OBJ|PROG.s`: run tsbpf's verifier on an object's programs (or on an assembly file
 * with `; section:` / `; map` directives) and say, for each, accepted or rejected — and when
 * rejected, why in plain words, what to change, the C source line, the branch decisions of the
 * failing path and the log in the kernel's format. `--target kernel` asks the running kernel
 * instead, to compare. Exit status: 0 accepted, 1 rejected, 2 bad input.
 */
import { BpfError } from '../../errors.js';
import type { ObjectSpec, ProgramSpec } from '../../elf/object.js';
import { kernelHelpers } from '../../helpers/index.js';
import { asmObjectSpec } from '../../object/asm-spec.js';
import { findProgType, PROG_TYPES } from '../../progtypes/table.js';
import { isVerifierError, verifyProgram, type VerifierError } from '../../verifier/index.js';
import type { Command, Output } from '../command.js';
import { readInput, UsageError } from '../io.js';
import type { JsonValue } from '../json.js';
import { parseCommand } from '../options.js';
import { parseUint, Tokens } from '../tokens.js';
import { emit } from './map-common.js';
import { pickPrograms, readObject } from './prog-common.js';
import { kernelVerdicts } from '../kernel/verify.js';
import { requireKernel } from '../kernel/target.js';

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

/** An object file or an assembly file, as the same ObjectSpec. */
function readSpec(path: string, btf: string | undefined, out: Output): ObjectSpec {
  const bytes = readInput(path);
  if (ELF_MAGIC.every((b, i) => bytes[i] === b)) return readObject(path, { btf }, out, 'verify');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (bytes.includes(0)) throw new BpfError('EINVAL', `${path}: neither an ELF object nor an assembly file (raw instructions need a program type: use \`tsbpf run\` or assemble them with a \`; section:\` line)`, { file: path });
  return asmObjectSpec(text, { file: path });
}

/** One program's verdict from tsbpf's verifier, as the JSON and the text both show it. */
function verifyOne(spec: ObjectSpec, p: ProgramSpec, type: string, logLevel: number): { [k: string]: JsonValue } {
  const r: { [k: string]: JsonValue } = { name: p.name, section: p.section, type };
  const helpers = kernelHelpers();
  const run = (level: number) => verifyProgram(p.insns, { progType: type, maps: spec.maps.map((m) => m.spec), helpers, program: p, object: spec, logLevel: level });
  try {
    const res = run(logLevel);
    r.verdict = 'accepted';
    r.accepted = true;
    r.insns_processed = res.insnsProcessed;
    if (logLevel) r.log = res.log.text();
  } catch (e0) {
    if (!isVerifierError(e0)) throw e0;
    // As libbpf does: the fast check says no, a second run at level 1 (or the level asked) shows the path.
    // (Not after a very long walk: its path would be as long, and the kernel cuts such logs too.)
    let e: VerifierError = e0;
    if (logLevel > 0 || e0.insnsProcessed <= 100_000) {
      try {
        run(Math.max(logLevel, 1));
      } catch (e1) {
        if (isVerifierError(e1)) e = e1;
      }
    }
    r.verdict = 'rejected';
    r.accepted = false;
    r.insns_processed = e.insnsProcessed;
    r.error = e.reason;
    Object.assign(r, e.toJSON() as { [k: string]: JsonValue });
    delete r.message;
    r.log = e.log.join('\n') + '\n';
  }
  return r;
}

function textReport(results: readonly { [k: string]: JsonValue }[], target: string, showLog: boolean): string {
  const lines: string[] = [];
  for (const r of results) {
    const n = r.insns_processed;
    const extra = r.accepted && typeof n === 'number' ? ` (${n} instructions processed)` : '';
    lines.push(`${r.name} (sec '${r.section}', ${r.type}): ${r.verdict}${extra}`);
    if (!r.accepted) {
      lines.push(`  error: ${r.error}${r.errno && !String(r.error).includes(String(r.errno)) ? ` (${r.errno})` : ''}`);
      if (r.insn !== undefined) lines.push(`  at insn ${r.insn}${r.insn_text ? `: ${r.insn_text}` : ''}`);
      const src = r.source as { file?: string; line?: number; text?: string } | undefined;
      if (src) lines.push(`  source: ${String(src.file).replace(/^.*\//, '')}:${src.line}: ${src.text}`);
      const ex = r.explanation as { reason?: string; fix?: string } | undefined;
      if (ex) lines.push(`  why: ${ex.reason}`, `  fix: ${ex.fix}`);
      const path = (r.branch_path ?? []) as { insn: number; text?: string; taken: boolean; known: boolean }[];
      if (path.length) {
        lines.push('  branch decisions on the failing path:');
        for (const b of path) lines.push(`    insn ${b.insn}${b.text ? `: ${b.text}` : ''} → ${b.taken ? 'taken' : 'not taken'}${b.known ? ' (always: the values were known)' : ''}`);
      }
      if (r.hint) lines.push(`  → ${r.hint}`);
    }
    if (r.log && (showLog || !r.accepted)) lines.push('  verifier log:', ...String(r.log).trimEnd().split('\n').map((l) => `    ${l}`));
  }
  const failed = results.filter((r) => !r.accepted).length;
  const who = target === 'kernel' ? 'the kernel verifier' : 'tsbpf\'s verifier';
  lines.push(failed
    ? `${failed} of ${results.length} program${results.length === 1 ? '' : 's'} rejected by ${who}`
    : `all ${results.length} program${results.length === 1 ? '' : 's'} accepted by ${who}`);
  return lines.join('\n');
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'run the verifier on an object\'s (or an assembly file\'s) programs: verdict, reason, fix, log',
  usage: 'tsbpf verify OBJ|PROG.s [--prog NAME | --section SEC] [--type T] [--log-level 0|1|2] [--target vm|kernel] [--btf FILE] [--json]',
  details: [
    'tsbpf\'s own verifier (default), or the running kernel\'s with --target kernel (to compare).',
    'PROG.s: assembly with `; section: xdp`, `; license: GPL`, `; map NAME TYPE key=K value=V entries=N` comment lines.',
    '--type T: verify as program type T (socket_filter, xdp, sched_cls, kprobe, tracepoint, ...) whatever the section says.',
    'A rejection prints the kernel\'s message, the failing instruction and its C source line (with BTF line info),',
    'the reason in plain words and a fix to try, the branch decisions that led there, and the log of the failing path.',
    '--log-level 1: the failing path in the kernel\'s log format (also printed for accepted programs);',
    '--log-level 2: every instruction with its register states, as `bpftool prog load ... -d` shows the kernel\'s.',
    '--json: {"accepted", "insns_processed", "error"?, "errno"?, "insn"?, "insn_text"?, "source"?, "registers"?,',
    '"explanation": {"reason", "fix", "register"}?, "branch_path": [{"insn", "text", "taken", "known"}]?, "log"?,',
    '"programs": [the same per program]} (top-level details: the first rejected program\'s, or the only program\'s).',
    'Exit status: 0 all accepted, 1 a program was rejected, 2 bad input (no such file, malformed object or assembly, unknown type).',
  ],
  run(argv: string[], out: Output) {
    const { values, positionals, common } = parseCommand(argv, {
      prog: { type: 'string' }, section: { type: 'string' }, type: { type: 'string' }, btf: { type: 'string' }, 'log-level': { type: 'string' },
    }, { kernel: true });
    const t = new Tokens(positionals);
    const objPath = t.next('OBJ|PROG.s');
    t.end();
    const logLevel = values['log-level'] !== undefined ? parseUint(values['log-level'] as string, '--log-level', 2) : 0;
    if (logLevel > 2) throw new UsageError(`--log-level must be 0, 1 or 2, not ${logLevel}`);
    const type = values.type as string | undefined;
    let spec: ObjectSpec;
    let progs: ProgramSpec[];
    try {
      if (type !== undefined && !findProgType(type)) {
        throw new BpfError('EINVAL', `unknown program type '${type}' (known: ${PROG_TYPES.map((p) => p.name).join(', ')})`);
      }
      spec = readSpec(objPath, values.btf as string | undefined, out);
      progs = pickPrograms(spec, values.prog as string | undefined, values.section as string | undefined);
    } catch (e) {
      // Bad input is not a verdict: exit 2, as for a usage error.
      if (!(e instanceof BpfError)) throw e;
      const msg = e.message.includes(e.code) ? e.message : `${e.message} (${e.code})`;
      if (common.json) out.stdout(JSON.stringify({ error: msg, bad_input: true }) + '\n');
      out.stderr(`tsbpf verify: error: ${msg}\n`);
      return 2;
    }
    let results: { [k: string]: JsonValue }[];
    if (common.target === 'kernel') {
      requireKernel();
      const selected = type === undefined ? progs : progs.map((p) => ({ ...p, type: type as ProgramSpec['type'] }));
      results = kernelVerdicts({ ...spec, programs: spec.programs.map((p) => selected.find((s) => s.name === p.name) ?? p) }, selected, logLevel);
    } else {
      results = progs.map((p) => verifyOne(spec, p, type ?? p.type, logLevel));
    }
    const first = results.find((r) => !r.accepted);
    // The details at the top: the first rejected program's, or the only program's.
    const detail = first ?? (results.length === 1 ? results[0] : undefined);
    const total = results.reduce((n, r) => n + (typeof r.insns_processed === 'number' ? r.insns_processed : 0), 0);
    const json: { [k: string]: JsonValue } = {
      target: common.target,
      accepted: first === undefined,
      insns_processed: total,
      ...(detail ? Object.fromEntries(Object.entries(detail).filter(([k]) => !['name', 'section', 'type', 'verdict', 'accepted', 'insns_processed'].includes(k))) : {}),
      ...(detail ? { program: detail.name } : {}),
      programs: results,
    };
    emit(out, common, json, () => textReport(results, common.target, logLevel > 0));
    return first ? 1 : 0;
  },
};
