/**
 * tsbpf's public API: what a program using tsbpf as a library needs, from assembling instructions
 * to loading a clang-compiled object, running its programs and reading its maps, and sharing maps
 * and programs with other processes through the pin store.
 *
 *   import { loadObjectSpec, Vm, loadObjectIntoVm, kernelHelpers, testRun } from 'tsbpf';
 *   const vm = new Vm({ helpers: kernelHelpers() });
 *   const obj = loadObjectIntoVm(vm, loadObjectSpec(bytes, { file: 'xdp.o' }));
 *   const r = testRun(vm, obj.programs.get('xdp_prog')!, { dataIn: frame });
 */

// Errors: every failure is a BpfError with an errno-like code.
export { BpfError, isBpfError, type BpfErrorCode, type BpfErrorPlace } from './errors.js';

// Instructions: the codec, both assembly syntaxes and the disassemblers.
export { decode, encode, classify, validateProgram, slotOffsets, type Insn, type InsnForm } from './isa/insn.js';
export { assemble, detectSyntax, type AsmSyntax } from './isa/asm.js';
export { disassembleKernel, formatKernelInsn, type KernelListingOptions } from './isa/disasm-kernel.js';
export { disassembleUbpf } from './isa/disasm-ubpf.js';
export { helperName, helperId } from './isa/helper-names.js';

import { disassembleKernel as kernelText } from './isa/disasm-kernel.js';
import { disassembleUbpf as ubpfText } from './isa/disasm-ubpf.js';
import type { AsmSyntax as Syntax } from './isa/asm.js';
import type { Insn as Instruction } from './isa/insn.js';

/** Disassemble in either syntax (kernel/LLVM by default): the inverse of assemble. */
export function disassemble(insns: readonly Instruction[], syntax: Syntax = 'kernel'): string {
  return syntax === 'ubpf' ? ubpfText([...insns]) : kernelText(insns);
}

// The bare interpreter (no maps, no helpers beyond those given).
export { run, execute, prepare, DEFAULT_BUDGET } from './vm/interpreter.js';
export type { RunOptions, RunResult } from './vm/api.js';

// The JIT: programs compiled to WebAssembly; the same options and results as the interpreter.
export { executeJit, compile as compileJit, jitOf, wasmText, DEFAULT_ENGINE, DEFAULT_RAW_ENGINE, ENGINES, type Engine, type JitProgram } from './jit/index.js';

// The verifier: verdicts, kernel-format logs, and rejections explained (reason, fix, source line, branch path).
export { verifyProgram, VerifierError, isVerifierError, explainRejection, type VerifyOptions, type VerifyResult, type Explanation, type BranchDecision } from './verifier/index.js';

// Objects: ELF + BTF loading, with no runtime attached.
export { loadObjectSpec, type LoadObjectOptions, type ObjectSpec, type ProgramSpec, type SourceLine, type ObjectMap } from './elf/index.js';
export { parseBtf, Btf, dumpC, dumpRaw, formatValue, formatValueJson, type FormattedValue } from './btf/index.js';
export { loadTargetBtf } from './btf/core.js';

// Maps: one interface for every type, usable without a VM.
export { createMap, perCpuValues, joinPerCpuValues, DEFAULT_NCPUS, isSupportedMapType } from './maps/index.js';
export { MAP_TYPE, MAP_FLAGS, UPDATE, type BpfMap, type MapSpec, type MapTypeName, type BatchResult } from './maps/types.js';
export { QueueStackMap } from './maps/queue-stack.js';

// The runtime: a VM holds maps and programs with ids, as the kernel does.
export { Vm, RunContext, programTag, type VmMap, type VmProgram, type VmOptions, type LoadProgramSpec } from './vm/runtime.js';
export { loadObjectIntoVm, type VmObject } from './vm/load-object.js';
export { hostEnv, fixedEnv, type Env } from './vm/env.js';
export { kernelHelpers, KERNEL_HELPERS, HelperRegistry, type HelperDef } from './helpers/index.js';

// Program types: BPF_PROG_TEST_RUN and runs on hand-built contexts.
export {
  testRun, runWithContext, progTypeInfo, PROG_TYPES, type TestRunOptions, type TestRunResult, type ContextRunOptions,
  type ContextRunResult, type ProgTypeInfo, type Verdict,
} from './progtypes/index.js';

// The pin store (bpffs-like directory shared between processes).
export { PinStore, StoreSession, defaultStoreDir, writeFileAtomic, type MapRecord, type ProgRecord } from './pin/index.js';

// The Linux backend: the same objects in the real kernel through bpf(2) (koffi, loaded lazily).
export { kernelAvailable, loadObjectIntoKernel, KernelMap, KernelProgram, KernelError } from './kernel/index.js';
export {
  attachProgram, attachAll, attachTracepoint, attachRawTracepoint, attachKprobe, attachUprobe, attachUsdt,
  attachPerfEvent, attachXdp, attachTcx, attachCgroupSkb, readUsdtProbes, RingBufferReader, PerfBufferReader,
  readTraceLog, parseTraceLine, tracefsRoot, type Attachment, type ObjectAttachment,
} from './kernel/index.js';

// One object model over both targets: load(file, { target: 'vm' | 'kernel' }) → BpfObject, whose
// programs test-run and whose maps read and write the same way in the VM and in the kernel.
export {
  load, loadSpec, type ObjectLoadOptions, type BpfObject, type Program, type LoadedMap, type Target,
  type ProgramRunOptions, type ProgramRunResult,
} from './object/index.js';
