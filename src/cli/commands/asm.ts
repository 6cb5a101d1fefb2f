/** `tsbpf asm` and `tsbpf disasm`: text ⇄ raw little-endian instructions. */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { BpfError } from '../../errors.js';
import { encode, validateProgram } from '../../isa/insn.js';
import { disassembleKernel } from '../../isa/disasm-kernel.js';
import { disassembleUbpf } from '../../isa/disasm-ubpf.js';
import { loadProgram, UsageError } from '../io.js';
import type { Command } from '../command.js';

function syntaxOption(v: string | undefined): 'kernel' | 'ubpf' | undefined {
  if (v !== undefined && v !== 'kernel' && v !== 'ubpf') throw new UsageError(`--syntax must be kernel or ubpf, not '${v}'`);
  return v;
}

export const asmCommand: Command = {
  name: 'asm',
  summary: 'assemble a .s file (kernel/LLVM or uBPF syntax) into raw instructions',
  usage: 'tsbpf asm FILE.s -o FILE.bin [--syntax kernel|ubpf]',
  details: ['The syntax is detected from the text unless --syntax is given.', 'Without -o the bytes are written to stdout as hex, one instruction a line.'],
  run(argv, out) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: { output: { type: 'string', short: 'o' }, syntax: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError('asm takes exactly one input file');
    const file = positionals[0]!;
    const insns = loadProgram(file, syntaxOption(values.syntax));
    validateProgram(insns, file);
    const bytes = encode(insns);
    if (values.output !== undefined) {
      try {
        writeFileSync(values.output, bytes);
      } catch (e) {
        throw new BpfError('EIO', `${values.output}: cannot write: ${(e as Error).message}`, { file: values.output });
      }
    } else {
      for (let o = 0; o < bytes.length; o += 8) out.stdout(Buffer.from(bytes.subarray(o, o + 8)).toString('hex') + '\n');
    }
    return 0;
  },
};

export const disasmCommand: Command = {
  name: 'disasm',
  summary: 'disassemble raw instructions (.bin) or re-print a .s file',
  usage: 'tsbpf disasm FILE [--syntax kernel|ubpf]',
  details: ['Prints the kernel/LLVM syntax (as llvm-objdump -d) by default, the uBPF syntax with --syntax ubpf.'],
  run(argv, out) {
    const { values, positionals } = parseArgs({
      args: argv, allowPositionals: true,
      options: { syntax: { type: 'string' } },
    });
    if (positionals.length !== 1) throw new UsageError('disasm takes exactly one input file');
    const file = positionals[0]!;
    const insns = loadProgram(file);
    validateProgram(insns, file);
    const text = syntaxOption(values.syntax) === 'ubpf' ? disassembleUbpf(insns) : disassembleKernel(insns);
    out.stdout(text.endsWith('\n') ? text : text + '\n');
    return 0;
  },
};
