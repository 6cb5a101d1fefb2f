/**
 * Linking one program as libbpf does (bpf_object__reloc_code): the entry function's instructions
 * first, then every function it reaches through calls or callback addresses appended after it in
 * the order they are first reached, with call and lddw-func immediates rewritten relative to the
 * new positions. Map and global-data references become the kernel's index-based pseudo lddws:
 *   map:   src = BPF_PSEUDO_MAP_IDX (5),       imm = map index
 *   data:  src = BPF_PSEUDO_MAP_IDX_VALUE (6), imm = map index, imm2 = offset in the value
 *   func:  src = BPF_PSEUDO_FUNC (4),          imm = relative slot offset, like a local call
 * so the program describes itself and any runtime can bind indices to its own maps.
 */
import type { Insn } from '../isa/insn.js';
import { CALL_CODE, CALL_KIND, LDDW_CODE, PSEUDO } from '../isa/opcodes.js';
import { functionAt, objError, type CodeFunction, type CodeSection } from './functions.js';
import type { SectionRelocs } from './relocations.js';

/** One function placed in a linked program. */
export interface PlacedFunction {
  fn: CodeFunction;
  /** First slot in the linked program. */
  slot: number;
  /** Index of its first instruction in the linked program's Insn array. */
  insnIndex: number;
}

export interface LinkedProgram {
  insns: Insn[];
  /** The entry function first, then the appended subprograms. */
  placed: PlacedFunction[];
  totalSlots: number;
  /** Indices of the maps the program references, in first-use order. */
  mapsUsed: number[];
}

export interface LinkContext {
  file: string;
  codeSections: ReadonlyMap<number, CodeSection>;
  relocs: ReadonlyMap<number, SectionRelocs>;
  /** True for sections whose functions are programs (not .text): libbpf only calls into .text. */
  isProgramSection: (shndx: number) => boolean;
  warn: (w: string) => void;
}

export function linkProgram(entry: CodeFunction, ctx: LinkContext): LinkedProgram {
  const insns: Insn[] = [];
  const placed: PlacedFunction[] = [];
  const byFn = new Map<CodeFunction, PlacedFunction>();
  const mapsUsed: number[] = [];
  const usedSet = new Set<number>();
  let totalSlots = 0;

  const place = (fn: CodeFunction): PlacedFunction => {
    const p: PlacedFunction = { fn, slot: totalSlots, insnIndex: insns.length };
    for (const insn of fn.insns) insns.push({ ...insn });
    totalSlots += fn.slots;
    placed.push(p);
    byFn.set(fn, p);
    return p;
  };

  // Depth first, like libbpf: a callee is appended when first reached and processed at once, before
  // the rest of its caller. An explicit stack of (function, next instruction) keeps hostile objects
  // with long call chains from exhausting the JS stack; each function is placed at most once.
  const stack: { p: PlacedFunction; k: number }[] = [{ p: place(entry), k: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const { p } = top;
    const fn = p.fn;
    if (top.k >= fn.insns.length) {
      stack.pop();
      continue;
    }
    const k = top.k++;
    const insn = insns[p.insnIndex + k]!;
    const rel = fn.slotOf[k]!;
    const secSlot = fn.startSlot + rel;
    const reloc = ctx.relocs.get(fn.section.index)?.get(secSlot);
    const where = () => `prog '${entry.name}': sec '${fn.section.name}': function '${fn.name}' insn ${rel}`;
    if (reloc?.kind === 'map' || reloc?.kind === 'data') {
      if (!usedSet.has(reloc.mapIndex)) {
        usedSet.add(reloc.mapIndex);
        mapsUsed.push(reloc.mapIndex);
      }
      if (reloc.kind === 'map') {
        insn.src = PSEUDO.MAP_IDX;
        insn.imm = reloc.mapIndex;
        insn.imm2 = 0;
      } else {
        insn.src = PSEUDO.MAP_IDX_VALUE;
        insn.imm2 = (insn.imm + reloc.symOffset) | 0;
        insn.imm = reloc.mapIndex;
      }
      continue;
    }
    const isLocalCall = insn.code === CALL_CODE && insn.src === CALL_KIND.LOCAL;
    if (!isLocalCall && reloc === undefined) continue;
    // A code reference: where does it land in the object? Without a relocation, a call is
    // relative within its own section.
    const targetSection = reloc ? reloc.targetSection : fn.section.index;
    const targetSlot = reloc ? reloc.targetSlot : secSlot + insn.imm + 1;
    const cs = ctx.codeSections.get(targetSection)!;
    const callee = functionAt(cs, targetSlot);
    if (!callee) {
      throw objError(ctx.file, where(), `${reloc ? `'${reloc.symbol}'` : 'call'} targets slot ${targetSlot} of section '${cs.section.name}', which is in no function`, 'EINVAL', rel);
    }
    const inCallee = targetSlot - callee.startSlot;
    if (!callee.insnAt.has(inCallee)) {
      throw objError(ctx.file, where(), `targets the second half of an lddw in '${callee.name}'`, 'EINVAL', rel);
    }
    let cp = byFn.get(callee);
    if (!cp) {
      if (callee !== entry && ctx.isProgramSection(callee.section.index)) {
        ctx.warn(`${ctx.file}: ${where()}: calls '${callee.name}' in program section '${callee.section.name}'; libbpf only calls subprograms in .text (appended here as a subprogram)`);
      }
      cp = place(callee);
      stack.push({ p: cp, k: 0 });
    }
    insn.imm = cp.slot + inCallee - (p.slot + rel) - 1;
    if (insn.code === LDDW_CODE) {
      insn.src = PSEUDO.FUNC;
      insn.imm2 = 0;
    }
  }
  return { insns, placed, totalSlots, mapsUsed };
}
