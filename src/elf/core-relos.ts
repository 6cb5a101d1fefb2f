/**
 * CO-RE in a linked program: the BTF.ext field/type/enum relocations of every function placed in
 * the program are resolved against the target kernel's BTF and patched into the program's own copy
 * of the instructions (a subprogram shared by two programs is relocated in each). Resolution and
 * patching are src/btf/core.ts's; this file finds the relocations, picks the target BTF and names
 * the place when something fails.
 *
 * The target is LoadObjectOptions.targetBtf or, unless noSystemBtf, the running kernel's
 * /sys/kernel/btf/vmlinux — read only when a program needs it.
 */
import type { Btf } from '../btf/btf.js';
import { CORE_RELO_KIND, type BtfCoreRelo } from '../btf/btf-ext.js';
import { applyCoreRelo, loadTargetBtf, resolveCoreRelo, VMLINUX_BTF_PATH } from '../btf/core.js';
import { CORE_RELO_KIND_NAMES } from '../btf/core-spec.js';
import { BpfError } from '../errors.js';
import { slotOffsets } from '../isa/insn.js';
import type { ExtInfoIndex } from './ext-info.js';
import { objError } from './functions.js';
import type { LinkedProgram } from './link.js';

export interface CoreOptions {
  file: string;
  targetBtf?: Btf;
  noSystemBtf: boolean;
}

/** The target BTF, found once per object load (lazily, only when some program needs it). */
export class CoreTarget {
  private btf: Btf | undefined;
  private problem: string | undefined;

  constructor(private readonly opts: CoreOptions) {
    this.btf = opts.targetBtf;
  }

  get(progName: string, count: number, example: string): Btf {
    if (this.btf) return this.btf;
    if (!this.problem) {
      if (this.opts.noSystemBtf) {
        this.problem = 'no target BTF was given';
      } else {
        try {
          this.btf = loadTargetBtf();
          return this.btf;
        } catch (e) {
          if (!(e instanceof BpfError)) throw e;
          this.problem = `the running kernel's BTF could not be used: ${e.message}`;
        }
      }
    }
    throw objError(
      this.opts.file,
      `prog '${progName}'`,
      `needs ${count} CO-RE relocation${count === 1 ? '' : 's'} (e.g. ${example}) but ${this.problem}: ` +
        `pass --btf FILE (LoadObjectOptions.targetBtf) or run where ${VMLINUX_BTF_PATH} exists`,
      'ENOENT',
    );
  }
}

export function applyCoreRelocations(linked: LinkedProgram, progName: string, btf: Btf, ext: ExtInfoIndex, target: CoreTarget, file: string): number {
  // Gather the relocations with their slot in the linked program first: patching can change the
  // number of instructions (a poisoned lddw becomes two calls), never the number of slots.
  const todo: { slot: number; relo: BtfCoreRelo; fn: string; section: string; insnInFn: number }[] = [];
  for (const p of linked.placed) {
    const fn = p.fn;
    for (const relo of ext.of(fn).coreRelos) {
      const insnInFn = relo.insnOff - fn.startSlot;
      todo.push({ slot: p.slot + insnInFn, relo, fn: fn.name, section: fn.section.name, insnInFn });
    }
  }
  if (todo.length === 0) return 0;
  const needTarget = todo.filter((t) => t.relo.kind !== CORE_RELO_KIND.TYPE_ID_LOCAL);
  const describe = (t: (typeof todo)[number]) => {
    const kind = CORE_RELO_KIND_NAMES[t.relo.kind] ?? `kind ${t.relo.kind}`;
    const type = btf.hasType(t.relo.typeId) ? btf.types[t.relo.typeId]! : undefined;
    return `<${kind}> ${type ? `${type.kind} ${type.name || '<anon>'}` : `[${t.relo.typeId}]`} ${t.relo.accessStr}`;
  };
  const targetBtf = needTarget.length > 0 ? target.get(progName, needTarget.length, describe(needTarget[0]!)) : btf;

  let index = new Map(slotOffsets(linked.insns).map((s, i) => [s, i]));
  for (const t of todo) {
    const where = `prog '${progName}': sec '${t.section}': function '${t.fn}' insn ${t.insnInFn}: CO-RE relo ${describe(t)}`;
    const i = index.get(t.slot);
    if (i === undefined) throw objError(file, where, `slot ${t.slot} is the second half of an lddw`, 'EINVAL', t.slot);
    let patched;
    try {
      const result = resolveCoreRelo(btf, { ...t.relo, insnOff: t.slot }, targetBtf, { progName });
      patched = applyCoreRelo(linked.insns[i]!, result, { where });
    } catch (e) {
      if (!(e instanceof BpfError)) throw e;
      throw new BpfError(e.code, e.message.startsWith(file) ? e.message : `${file}: ${e.message.includes(where) ? e.message : `${where}: ${e.message}`}`, { file, insn: t.slot });
    }
    linked.insns.splice(i, 1, ...patched);
    if (patched.length !== 1) {
      index = new Map(slotOffsets(linked.insns).map((s, k) => [s, k]));
      for (const p of linked.placed) p.insnIndex = index.get(p.slot)!;
    }
  }
  return todo.length;
}
