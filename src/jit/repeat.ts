/**
 * `tsbpf run --repeat N` (and its bench): a raw program run N times, each run on the input block
 * as given. A program that can write nothing but its own stack frames leaves the input as it was,
 * so on the JIT its runs go back to back inside the compiled code (executeJit's repeat) with
 * nothing to reset between them; any other program, and the interpreter, get the input copied
 * back before each run.
 */
import { slotOffsets } from '../isa/insn.js';
import { execute, type PreparedProgram } from '../vm/interpreter.js';
import type { RunResult } from '../vm/api.js';
import { writesR10 } from './compile.js';
import { executeJit } from './context.js';
import { writesMemory } from './helper-effects.js';
import type { Engine } from './engine.js';

/**
 * Whether every store of `prog` goes through r10, which it never changes (so into a stack frame),
 * and every helper it calls writes no memory: the input block then never changes in a run.
 */
export function writesOnlyStack(prog: PreparedProgram): boolean {
  const { insns, forms, helpers } = prog;
  if (writesR10(insns, forms)) return false;
  const slots = slotOffsets(insns);
  return forms.every((f, i) => {
    if (f.kind === 'st' || f.kind === 'stx' || f.kind === 'atomic') return insns[i]!.dst === 10;
    if (f.kind !== 'call' || f.callKind !== 'helper') return true;
    const h = helpers[slots[i]!];
    return h !== undefined && !writesMemory(h);
  });
}

/** `repeat` runs of `prog` on `mem` (not changed: runs use a copy), timed as a whole. */
export function runRepeated(prog: PreparedProgram, mem: Uint8Array, engine: Engine, repeat: number, budget: number): { result: RunResult; ns: number } {
  const input = mem.slice();
  let result: RunResult | undefined;
  // The loop is timed as a whole, so that the clock is not part of a short run's time.
  const t0 = process.hrtime.bigint();
  if (engine === 'jit' && repeat > 1 && writesOnlyStack(prog)) {
    result = executeJit(prog, { mem: input, budget, repeat });
  } else {
    const run = engine === 'jit' ? executeJit : execute;
    for (let i = 0; i < repeat; i++) {
      if (i > 0) input.set(mem);
      result = run(prog, { mem: input, budget });
    }
  }
  return { result: result!, ns: Number(process.hrtime.bigint() - t0) };
}
