/** `tsbpf asm` and `tsbpf disasm`: text ⇄ raw little-endian instructions. */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { BpfError } from '../../errors.js';
import { encode, slotOffsets, validateProgram, type Insn } from '../../isa/insn.js';
import { disassembleKernel, formatKernelInsn } from '../../isa/disasm-kernel.js';
import { disassembleUbpf, formatUbpfInsn } from '../../isa/disasm-ubpf.js';
import { isElf } from '../../btf/elf-btf.js';
import { loadObjectSpec } from '../../elf/object.js';
import { loadProgram, readInput, UsageError } from '../io.js';
import { jsonText } from '../json.js';
import { COMMON_OPTIONS, type OptionSpecs } from '../options.js';
import { pickPrograms } from './prog-common.js';
import type { Command } from '../command.js';

function syntaxOption(v: string | undefined): 'kernel' | 'ubpf' | undefined {
  if (v !== undefined && v !== 'kernel' && v !== 'ubpf') throw new UsageError(`--syntax must be kernel or ubpf, not '${v}'`);
  return v;
}

/** Of the common options, asm and disasm take --json and --bpffs (which they do not use). */
const FILE_VERB_OPTIONS = { json: COMMON_OPTIONS.json, bpffs: COMMON_OPTIONS.bpffs };

/** The command line of asm and disasm: exactly one input file, the verb's `options` and FILE_VERB_OPTIONS. */
function parseFileVerb<O extends OptionSpecs>(verb: string, argv: string[], options: O) {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...options, ...FILE_VERB_OPTIONS } });
  if (positionals.length !== 1) throw new UsageError(`${verb} takes exactly one input file`);
  return { values, file: positionals[0]! };
}

export const asmCommand: Command = {
  name: 'asm',
  summary: 'assemble a .s file (kernel/LLVM or uBPF syntax) into raw instructions',
  usage: 'tsbpf asm FILE.s -o FILE.bin [--syntax kernel|ubpf] [--json]',
  details: [
    'The syntax is detected from the text unless --syntax is given.',
    'Without -o the bytes are written to stdout as hex, one instruction a line.',
    '--json prints {"insns": N, "bytes": N, "hex": "..."} (with -o: no "hex", and "file").',
  ],
  run(argv, out) {
    const { values, file } = parseFileVerb('asm', argv, { output: { type: 'string', short: 'o' }, syntax: { type: 'string' } });
    const insns = loadProgram(file, syntaxOption(values.syntax));
    validateProgram(insns, file);
    const bytes = encode(insns);
    if (values.output !== undefined) {
      try {
        writeFileSync(values.output, bytes);
      } catch (e) {
        throw new BpfError('EIO', `${values.output}: cannot write: ${(e as Error).message}`, { file: values.output });
      }
      if (values.json) out.stdout(jsonText({ file: values.output, insns: insns.length, bytes: bytes.length }) + '\n');
    } else if (values.json) {
      out.stdout(jsonText({ insns: insns.length, bytes: bytes.length, hex: Buffer.from(bytes).toString('hex') }) + '\n');
    } else {
      for (let o = 0; o < bytes.length; o += 8) out.stdout(Buffer.from(bytes.subarray(o, o + 8)).toString('hex') + '\n');
    }
    return 0;
  },
};

export const disasmCommand: Command = {
  name: 'disasm',
  summary: 'disassemble raw instructions (.bin), re-print a .s file, or disassemble an ELF object\'s programs',
  usage: 'tsbpf disasm FILE [--syntax kernel|ubpf] [--section SEC] [--prog NAME] [--json]',
  details: [
    'Prints the kernel/LLVM syntax (as llvm-objdump -d) by default, the uBPF syntax with --syntax ubpf.',
    'An ELF object (clang -target bpf) is loaded as libbpf would and each program is listed as llvm-objdump -d does,',
    'after linking (subprograms follow their caller) and relocation (map references read map[idx:N]);',
    '--section/--prog pick programs.',
    '--json prints {"programs": [{"name", "section", "insns": [...]}]} (raw programs: one program, name "prog").',
  ],
  run(argv, out) {
    const { values, file } = parseFileVerb('disasm', argv, { syntax: { type: 'string' }, section: { type: 'string' }, prog: { type: 'string' } });
    const syntax = syntaxOption(values.syntax);
    const bytes = readInput(file);
    const listings: { name: string; section?: string; insns: Insn[]; symbols?: Map<number, string> }[] = [];
    if (isElf(bytes)) {
      const spec = loadObjectSpec(bytes, { file });
      for (const w of spec.warnings) out.stderr(`tsbpf disasm: warning: ${w}\n`);
      for (const p of pickPrograms(spec, values.prog, values.section)) {
        listings.push({ name: p.name, section: p.section, insns: p.insns, symbols: new Map(p.functions.map((f) => [f.slot, f.name])) });
      }
    } else {
      if (values.section !== undefined || values.prog !== undefined) throw new UsageError('--section and --prog are for ELF objects');
      const insns = loadProgram(file);
      validateProgram(insns, file);
      listings.push({ name: 'prog', insns });
    }
    const text = (l: (typeof listings)[number]): string[] => {
      const offsets = slotOffsets(l.insns);
      return syntax === 'ubpf'
        ? l.insns.map((insn, i) => formatUbpfInsn(insn, offsets[i]!))
        : l.insns.map((insn, i) => formatKernelInsn(insn, offsets[i]!));
    };
    if (values.json) {
      out.stdout(jsonText({ programs: listings.map((l) => ({ name: l.name, ...(l.section !== undefined ? { section: l.section } : {}), insns: text(l) })) }) + '\n');
      return 0;
    }
    if (!isElf(bytes)) {
      const l = listings[0]!;
      const t = syntax === 'ubpf' ? disassembleUbpf(l.insns) : disassembleKernel(l.insns);
      out.stdout(t.endsWith('\n') ? t : t + '\n');
      return 0;
    }
    // llvm-objdump -d's layout: a file header, then each program under its section.
    let s = `\n${file}:\tfile format elf64-bpf\n`;
    for (const l of listings) {
      s += `\nDisassembly of section ${l.section}:\n\n`;
      s += syntax === 'ubpf'
        ? `<${l.name}>:\n${text(l).map((x) => '\t' + x).join('\n')}\n`
        : disassembleKernel(l.insns, { style: 'objdump', symbols: l.symbols!, name: l.name });
    }
    out.stdout(s);
    return 0;
  },
};
