/**
 * `tsbpf prog dump xlated|jited --target kernel PROG`: the kernel's translated instructions from
 * BPF_OBJ_GET_INFO_BY_FD, printed with the xlated printer bpftool's format comes from; helper calls
 * are named from /proc/kallsyms (the kernel gives each call as an offset from __bpf_call_base, not
 * a helper id). jited: the machine code bytes in hex — tsbpf has no x86/arm64 disassembler, and
 * says so.
 */
import { readFileSync } from 'node:fs';
import { BpfError } from '../../errors.js';
import { decode } from '../../isa/insn.js';
import { withScratch } from '../../kernel/native.js';
import { progInfo } from '../../kernel/objects.js';
import type { Output } from '../command.js';
import { UsageError } from '../io.js';
import type { JsonValue } from '../json.js';
import { fprintHex } from '../map-view.js';
import { parseCommand } from '../options.js';
import { parseRef, Tokens } from '../tokens.js';
import { xlatedJson, xlatedText } from '../xlated.js';
import { emit } from '../commands/map-common.js';
import { openRef, requireKernel, withFd } from './target.js';
import { jitedBytes } from './jited.js';

let kallsyms: { base: bigint; byAddr: Map<bigint, string> } | undefined | null;

/** Function symbols by address and __bpf_call_base, or null when kallsyms hides addresses. */
function readKallsyms(): typeof kallsyms {
  if (kallsyms !== undefined) return kallsyms;
  kallsyms = null;
  try {
    const byAddr = new Map<bigint, string>();
    let base: bigint | undefined;
    for (const line of readFileSync('/proc/kallsyms', 'utf8').split('\n')) {
      const [a, kind, name] = line.split(/\s+/);
      if (!a || !name || !kind || !/^[tTwW]$/.test(kind)) continue;
      const addr = BigInt('0x' + a);
      if (addr === 0n) return kallsyms; // kptr_restrict: no addresses to resolve with
      if (name === '__bpf_call_base') base = addr;
      if (!byAddr.has(addr)) byAddr.set(addr, name);
    }
    if (base !== undefined) kallsyms = { base, byAddr };
  } catch {
    /* no /proc/kallsyms: calls keep the generic printer's names */
  }
  return kallsyms;
}

export function kernelProgDump(argv: string[], out: Output): number {
  const { values, positionals, common } = parseCommand(argv, { linum: { type: 'boolean', default: false } }, { kernel: true });
  const t = new Tokens(positionals);
  const what = t.next("'xlated' or 'jited'");
  if (what !== 'xlated' && what !== 'jited') throw new UsageError(`expected 'xlated' or 'jited', got '${what}'`);
  const ref = parseRef(t, 'prog');
  while (!t.done) {
    const kw = t.next('an option');
    if (kw !== 'linum' && kw !== 'opcodes') throw new UsageError(`unexpected '${kw}'`);
  }
  void values;
  requireKernel();
  return withFd(openRef('prog', ref), (fd) => {
    if (what === 'jited') {
      const info = progInfo(fd);
      if (info.jitedSize === 0) throw new BpfError('ENOENT', `program id ${info.id} is not jited (net.core.bpf_jit_enable is 0?)`);
      const bytes = withScratch((s) => jitedBytes(s, fd, info.jitedSize));
      if (!bytes) throw new BpfError('EPERM', `program id ${info.id}: the kernel did not hand out its machine code (kernel.kptr_restrict or lockdown?)`);
      const note = `note: tsbpf has no ${process.arch} disassembler: ${bytes.length} bytes of machine code as hex (bpftool prog dump jited with libbfd disassembles them)`;
      emit(out, common, { bytes: bytes.length, hex: Buffer.from(bytes).toString('hex'), note }, () => `${note}\n${fprintHex(bytes)}`);
      return 0;
    }
    const info = progInfo(fd, { xlated: true });
    if (!info.xlated) throw new BpfError('EPERM', `program id ${info.id}: the kernel did not hand out its translated instructions (kernel.kptr_restrict, lockdown, or not root)`);
    // After JIT the kernel keeps a bpf-to-bpf call's pc offset in `off` and the callee's subprogram
    // index in `imm` (bpftool prints off); move it back to imm, where the ISA and the printer have it.
    const raw = info.xlated.slice();
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i + 8 <= raw.length; i += 8) {
      if (raw[i] !== 0x85) continue;
      const off = dv.getInt16(i + 2, true);
      if ((raw[i + 1]! >> 4) === 1) dv.setInt32(i + 4, off, true);
      dv.setInt16(i + 2, 0, true);
    }
    const insns = decode(raw, `program id ${info.id}`);
    const src = { insns, lineInfo: [], funcProtos: [] };
    const syms = readKallsyms();
    // Helper calls: the kernel wrote the helper's address as an offset from __bpf_call_base.
    const callName = (imm: number): string | undefined => syms?.byAddr.get(syms.base + BigInt(imm));
    const fix = (line: string, i: number): string => {
      const insn = insns[i]!;
      if (insn.code !== 0x85 || insn.src !== 0) return line;
      const name = callName(insn.imm);
      return name ? line.replace(/call \S+#(-?\d+)$/, `call ${name}#$1`) : line;
    };
    const text = (): string => xlatedText(src, false).split('\n').map((l, i) => (i < insns.length ? fix(l, i) : l)).join('\n');
    const json = (xlatedJson(src, false) as { [k: string]: JsonValue }[]).map((o, i) => (typeof o.disasm === 'string' ? { ...o, disasm: fix(o.disasm, i) } : o));
    emit(out, common, json, text);
    return 0;
  });
}
