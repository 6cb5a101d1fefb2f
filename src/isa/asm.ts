/**
 * Assembly text in either syntax: the kernel/LLVM one (`r0 = 1`) or the uBPF one used by the
 * conformance suite (`mov %r0, 1`). The syntax is recognised from the text itself.
 */
import { BpfError } from '../errors.js';
import type { Insn } from './insn.js';
import { parseKernel } from './asm-kernel.js';
import { parseUbpf } from './asm-ubpf.js';

export type AsmSyntax = 'kernel' | 'ubpf';

/**
 * Only uBPF text names registers `%rN`, so one such register decides. Otherwise kernel text assigns
 * (`r0 = 1`), jumps with `if`/`goto`, or is an objdump/bpftool listing; uBPF text starts lines with
 * mnemonics (`mov`, `ldxw`). `exit`, labels, comment-only and blank lines say nothing either way.
 */
export function detectSyntax(text: string): AsmSyntax {
  let kernel = 0, ubpf = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(#|\/\/|;).*$/, '').trim();
    if (!line || line === 'exit' || /^[\w.$]+:$/.test(line)) continue;
    if (/%r\d/.test(line)) return 'ubpf';
    if (/^(\d+:\s+)?(\([0-9a-f]{2}\)\s+)?(if |goto|gotol|call |lock |\*\(|[rw]\d+\s*[-+*/%&|^<>s]*=)/.test(line)) kernel++;
    else if (/^(\d+:\s+)([0-9a-f]{2} ){8}/.test(line)) kernel++;
    else if (/^[a-z]+\d*\b/.test(line)) ubpf++;
  }
  return kernel >= ubpf && kernel > 0 ? 'kernel' : ubpf > 0 ? 'ubpf' : 'kernel';
}

export function assemble(text: string, file?: string, syntax?: AsmSyntax): Insn[] {
  const s = syntax ?? detectSyntax(text);
  const insns = s === 'kernel' ? parseKernel(text, file) : parseUbpf(text, file);
  if (insns.length === 0) throw new BpfError('EASM', `${file ?? 'input'}: no instructions found`, { file });
  return insns;
}
