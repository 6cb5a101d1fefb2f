/**
 * The differential harness: one program, run in Linux (bpf(2) BPF_PROG_LOAD + BPF_PROG_TEST_RUN
 * through koffi) and in tsbpf's VM (Vm.loadProgram + testRun) on the same frames; the retval and
 * data_out must agree. A difference is shrunk (instructions deleted or replaced by `rX = 0` while the
 * kernel's verifier still accepts the program and the difference persists) and shown disassembled.
 */
import { encode, isLddw, type Insn } from '../../src/isa/insn.js';
import { ALU, CLASS, JMP, MODE, SIZE } from '../../src/isa/opcodes.js';
import { disassembleKernel } from '../../src/isa/disasm-kernel.js';
import { isKernelError } from '../../src/kernel/errors.js';
import { progLoad } from '../../src/kernel/prog-load.js';
import { progTestRun } from '../../src/kernel/test-run.js';
import { closeFd } from '../../src/kernel/syscall.js';
import { kernelHelpers } from '../../src/helpers/index.js';
import { testRun } from '../../src/progtypes/test-run.js';
import { Vm } from '../../src/vm/runtime.js';
import { deleteInsn } from './differential-gen.js';

const XDP = 6;

export type LoadResult = { fd: number } | { rejected: string };

/** Load into the kernel (privileged, GPL); a verifier rejection comes back with its reason. */
export function kernelLoad(insns: readonly Insn[], name = 'tsbpf_diff'): LoadResult {
  try {
    return { fd: progLoad({ type: XDP, insns: encode(insns), license: 'GPL', name }).fd };
  } catch (e) {
    if (isKernelError(e)) {
      const log = (e.log ?? '').trim().split('\n');
      return { rejected: `${e.code}: ${log.slice(-6).join(' | ')}` };
    }
    throw e;
  }
}

export interface Outcome {
  retval?: number;
  dataOut?: string;
  error?: string;
}

const hex = (b: Uint8Array | undefined): string | undefined => (b ? Buffer.from(b).toString('hex') : undefined);

export function kernelRun(fd: number, frame: Uint8Array): Outcome {
  try {
    const o = progTestRun(fd, { dataIn: frame });
    return { retval: o.retval, dataOut: hex(o.dataOut) };
  } catch (e) {
    return { error: isKernelError(e) ? e.code : String(e) };
  }
}

let vm: Vm | undefined;
let vmLoads = 0;

/** A VM for the runs, renewed now and then so its program table does not grow without end. */
function theVm(): Vm {
  if (!vm || vmLoads++ > 500) {
    vm = new Vm({ helpers: kernelHelpers() });
    vmLoads = 0;
  }
  return vm;
}

export function vmRun(insns: readonly Insn[], frame: Uint8Array): Outcome {
  try {
    const v = theVm();
    const prog = v.loadProgram({ name: 'tsbpf_diff', type: 'xdp', insns });
    try {
      const o = testRun(v, prog, { dataIn: frame });
      return { retval: o.retval, dataOut: hex(o.dataOut) };
    } finally {
      v.programs.delete(prog.id);
    }
  } catch (e) {
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

export function sameOutcome(a: Outcome, b: Outcome): boolean {
  return a.retval === b.retval && a.dataOut === b.dataOut && (a.error === undefined) === (b.error === undefined);
}

/** How the kernel and the VM differ on `frames`, or undefined when they agree; undefined too when the kernel refuses the program. */
export type VmSide = (insns: readonly Insn[], frame: Uint8Array) => Outcome;

export function compareOnFrames(insns: readonly Insn[], frames: readonly Uint8Array[], vmSide: VmSide = vmRun): { frame: number; kernel: Outcome; vm: Outcome } | undefined | 'rejected' {
  const l = kernelLoad(insns);
  if ('rejected' in l) return 'rejected';
  try {
    for (const [i, f] of frames.entries()) {
      const k = kernelRun(l.fd, f);
      const v = vmSide(insns, f);
      if (!sameOutcome(k, v)) return { frame: i, kernel: k, vm: v };
    }
    return undefined;
  } finally {
    closeFd(l.fd);
  }
}

/**
 * Shrink a program that shows a difference on `frame`: delete instructions (fixing jumps) or turn
 * them into `rX = 0`, keeping each change only when the kernel still loads the program and the
 * difference is still there. Returns the smallest program found.
 */
export function shrink(insns: readonly Insn[], frame: Uint8Array, maxTries = 4000, vmSide: VmSide = vmRun): Insn[] {
  let cur = [...insns];
  const differs = (p: Insn[]): boolean => {
    const r = compareOnFrames(p, [frame], vmSide);
    return r !== undefined && r !== 'rejected';
  };
  let tries = 0;
  let changed = true;
  while (changed && tries < maxTries) {
    changed = false;
    for (let i = cur.length - 1; i >= 0 && tries < maxTries; i--) {
      if (i >= cur.length) continue;
      tries++;
      const x = cur[i]!;
      // A 64-bit store to the stack may be what initialises a slot (privileged programs may read
      // uninitialised stack, whose contents are arbitrary): it becomes a store of 0, never goes.
      if ((x.code === (CLASS.STX | MODE.MEM | SIZE.DW) || x.code === (CLASS.ST | MODE.MEM | SIZE.DW)) && x.dst === 10) {
        if (x.code === (CLASS.ST | MODE.MEM | SIZE.DW) && x.imm === 0) continue;
        const z: Insn = { code: CLASS.ST | MODE.MEM | SIZE.DW, dst: 10, src: 0, off: x.off, imm: 0 };
        const rep = [...cur.slice(0, i), z, ...cur.slice(i + 1)];
        if (differs(rep)) {
          cur = rep;
          changed = true;
        }
        continue;
      }
      // Nor do the atomic adds that make the atomic slots unknown to the verifier (differential-gen.ts).
      if (x.code === (CLASS.STX | MODE.ATOMIC | SIZE.DW) && x.dst === 10 && x.imm === 0) continue;
      const del = deleteInsn(cur, i);
      if (differs(del)) {
        cur = del;
        changed = true;
        continue;
      }
      const cls = x.code & 7;
      if (cls === CLASS.JMP && (x.code === (CLASS.JMP | JMP.EXIT) || x.code === (CLASS.JMP | JMP.CALL))) continue;
      if ((cls === CLASS.ALU || cls === CLASS.ALU64 || cls === CLASS.LDX || isLddw(x)) && !(x.code === (CLASS.ALU64 | ALU.MOV) && x.imm === 0 && x.off === 0)) {
        const zero: Insn = { code: CLASS.ALU64 | ALU.MOV, dst: x.dst, src: 0, off: 0, imm: 0 };
        const rep = [...cur.slice(0, i), zero, ...cur.slice(i + 1)];
        // An lddw is two slots: fix the jumps by deleting through a 1-slot stand-in.
        const fixed = isLddw(x) ? deleteInsn([...cur.slice(0, i), zero, x, ...cur.slice(i + 1)], i + 1) : rep;
        tries++;
        if (differs(fixed)) {
          cur = fixed;
          changed = true;
        }
      }
    }
  }
  return cur;
}

export function listing(insns: readonly Insn[]): string {
  return disassembleKernel(insns);
}
