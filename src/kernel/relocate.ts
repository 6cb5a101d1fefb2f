/**
 * A linked program's instructions as the kernel takes them. The ELF loader leaves map references
 * by index into the object's maps (BPF_PSEUDO_MAP_IDX / MAP_IDX_VALUE), which a kernel only
 * resolves through fd_array; libbpf instead writes the map fds into the instructions
 * (BPF_PSEUDO_MAP_FD imm=fd / BPF_PSEUDO_MAP_VALUE imm=fd imm2=offset), and so do we. The result
 * is also what the kernel hashes for the program's tag (with those immediates zeroed).
 */
import { BpfError } from '../errors.js';
import type { ProgramSpec } from '../elf/object.js';
import { encode, isLddw, type Insn } from '../isa/insn.js';
import { PSEUDO, PSEUDO_NAMES } from '../isa/opcodes.js';

/** The instructions of `prog` with map indices replaced by `mapFds[index]`. */
export function withMapFds(prog: ProgramSpec, mapFds: readonly number[], file: string): Insn[] {
  return prog.insns.map((insn, i) => {
    if (!isLddw(insn)) return insn;
    switch (insn.src) {
      case PSEUDO.IMM64:
      case PSEUDO.FUNC:
        return insn;
      case PSEUDO.MAP_IDX:
      case PSEUDO.MAP_IDX_VALUE: {
        const fd = mapFds[insn.imm];
        if (fd === undefined) {
          throw new BpfError('EINVAL', `${file}: program '${prog.name}': insn ${i} refers to map index ${insn.imm}, which the object does not have`, { file, insn: i });
        }
        return insn.src === PSEUDO.MAP_IDX
          ? { ...insn, src: PSEUDO.MAP_FD, imm: fd, imm2: 0 }
          : { ...insn, src: PSEUDO.MAP_VALUE, imm: fd };
      }
      default:
        throw new BpfError('EOPNOTSUPP', `${file}: program '${prog.name}': insn ${i} is an lddw with src=${insn.src} (${PSEUDO_NAMES[insn.src] ?? 'unknown'}), which the kernel loader does not resolve yet (kernel symbols need vmlinux BTF ids)`, { file, insn: i });
    }
  });
}

/** The encoded program for BPF_PROG_LOAD. */
export function kernelInsnBytes(prog: ProgramSpec, mapFds: readonly number[], file: string): Uint8Array {
  return encode(withMapFds(prog, mapFds, file));
}
