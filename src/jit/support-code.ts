/**
 * The two functions every compiled module has besides the program's own (compile.ts): run(n), the
 * export the runtime calls, and refill, which finds the region entry an address needs for a base
 * register's cache of a checked access. They do not depend on the program, so they are made once.
 */
import {
  CTRL, C_BUDGET, C_HELPED, C_LEFT, C_MAXDEPTH, C_REGS, C_RUNS, C_STATUS, C_TAILS, C_CUR, C_ZERO, C_ZMASK,
  ENTRY_SIZE, E_BASE, E_BIAS, E_RLIM, E_WLIM, STACKS, STATUS, TABLE, TABLE_ENTRIES,
} from './layout.js';
import { RT } from './runtime-abi.js';
import { TAG_BASE } from '../vm/memory.js';
import { Code } from './wasm/code.js';
import type { FuncDef, FuncType } from './wasm/encoder.js';
import { OP } from './wasm/opcodes.js';

const RUN_TYPE: FuncType = { params: ['i32'], results: ['i32'] };
const REFILL: FuncType = { params: ['i64', 'i32', 'i32'], results: ['i64', 'i32', 'i64'] };

let support: { entry: number; funcs: FuncDef[] } | undefined;

/** run and refill, the same in every module (made once: their bodies are only read). */
export function supportFunctions(entry: number): readonly FuncDef[] {
  if (support?.entry !== entry) support = { entry, funcs: [runFunction(entry), refillFunction()] };
  return support.funcs;
}

/**
 * run(n) -> status: up to n runs back to back, each from the registers in CTRL (r0 0, budget
 * C_BUDGET), the entry function at depth 0, r0 and the budget left back to CTRL. It returns after
 * the n-th run, after a run that did not end in the code (status), or after one that called a
 * helper that touches memory (C_HELPED: the runtime resets what that run added first); C_RUNS
 * counts the runs started.
 */
function runFunction(entry: number): FuncDef {
  const c = new Code();
  const N = 0, R0 = 1, LEFT = 2;
  c.loop();
  // A run starts with zeroed stack frames (those the last run used, if it could write them); memset
  // in wasm is far cheaper than a fill from JS, but still a call: skipped when there is nothing.
  c.i32(CTRL).load(OP.i32_load, C_ZERO);
  c.if();
  c.i32(STACKS).i32(0).i32(CTRL).load(OP.i32_load, C_ZERO).memoryFill();
  c.end();
  c.i32(CTRL).i32(0).store(OP.i32_store, C_MAXDEPTH);
  c.i32(CTRL).i32(CTRL).load(OP.i32_load, C_RUNS).i32(1).op(OP.i32_add).store(OP.i32_store, C_RUNS);
  for (let r = 0; r <= 9; r++) c.i32(CTRL).load(OP.i64_load, C_REGS + 8 * r);
  c.i32(CTRL).load(OP.i64_load, C_LEFT).i32(0).call(entry);
  c.set(LEFT);
  for (let r = 5; r >= 1; r--) c.op(OP.drop);
  c.set(R0);
  c.i32(CTRL).load(OP.i32_load, C_STATUS);
  c.if();
  c.i32(CTRL).load(OP.i32_load, C_STATUS).ret();
  c.end();
  c.i32(CTRL).get(R0).store(OP.i64_store, C_REGS);
  c.i32(CTRL).get(LEFT).store(OP.i64_store, C_LEFT);
  c.get(N).i32(1).op(OP.i32_sub).tee(N).i32(0).op(OP.i32_le_s);
  c.i32(CTRL).load(OP.i32_load, C_HELPED).op(OP.i32_or);
  c.if();
  c.i32(STATUS.DONE).ret();
  c.end();
  // The next run: r1-r9 are still as given (a run that ends in the code writes back only r0).
  c.i32(CTRL).i32(CTRL).load(OP.i32_load, C_MAXDEPTH).i32(1).op(OP.i32_add).i32(9).op(OP.i32_shl);
  c.i32(CTRL).load(OP.i32_load, C_ZMASK).op(OP.i32_and).store(OP.i32_store, C_ZERO);
  c.i32(CTRL).i64(0).store(OP.i64_store, C_REGS);
  c.i32(CTRL).i32(CTRL).load(OP.i64_load, C_BUDGET).store(OP.i64_store, C_LEFT);
  c.i32(CTRL).i32(0).store(OP.i32_store, C_TAILS);
  c.i32(CTRL).i32(0).store(OP.i32_store, C_CUR);
  c.br(0);
  c.end();
  c.unreachable();
  return { name: 'run', type: RUN_TYPE, locals: ['i64', 'i64'], body: c, export: 'run' };
}

/**
 * refill(address, size | write << 4, slot) -> the region entry of the address, for a register's
 * cache. When the table does not allow the access (region not mapped yet, not written yet, or the
 * access is bad), rt.map maps the region or throws the fault.
 */
function refillFunction(): FuncDef {
  const c = new Code();
  const A = 0, DESC = 1, SLOT = 2, IDX = 3, E = 4, LIM = 5, L64 = 6;
  // rt.map(upper half, lower half, desc, slot): maps the region or throws the access's fault.
  const callMap = (): void => {
    c.get(A).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64).get(A).op(OP.i32_wrap_i64).get(DESC).get(SLOT).i32(RT.MAP).callIndirect(RT.MAP);
  };
  c.get(A).i64(32).op(OP.i64_shr_u).op(OP.i32_wrap_i64).i32(TAG_BASE).op(OP.i32_sub).tee(IDX);
  c.i32(TABLE_ENTRIES).op(OP.i32_ge_u);
  c.if();
  callMap();
  c.unreachable();
  c.end();
  c.get(IDX).i32(ENTRY_SIZE).op(OP.i32_mul).i32(TABLE).op(OP.i32_add).set(E);
  // LIM: the limit for this kind of access
  const limit = (): void => {
    c.get(DESC).i32(16).op(OP.i32_and);
    c.if('i32');
    c.get(E).load(OP.i32_load, E_WLIM);
    c.else();
    c.get(E).load(OP.i32_load, E_RLIM);
    c.end();
    c.set(LIM);
  };
  limit();
  c.get(A).op(OP.i32_wrap_i64).get(E).load(OP.i32_load, E_BIAS).op(OP.i32_sub).op(OP.i64_extend_i32_u);
  c.get(DESC).i32(15).op(OP.i32_and).op(OP.i64_extend_i32_u).op(OP.i64_add);
  c.get(LIM).op(OP.i64_extend_i32_u).op(OP.i64_gt_u);
  c.if();
  callMap();
  // (as rt.map left the table)
  limit();
  c.end();
  // start: the address's upper half and the region's bias
  c.get(A).i64(32).op(OP.i64_shr_u).i64(32).op(OP.i64_shl).get(E).load(OP.i64_load32_u, E_BIAS).op(OP.i64_or);
  c.get(E).load(OP.i32_load, E_BASE);
  // lim: limit - size + 1 for this kind of access, at least 0
  c.get(LIM).op(OP.i64_extend_i32_u);
  c.get(DESC).i32(15).op(OP.i32_and).op(OP.i64_extend_i32_u).op(OP.i64_sub).i64(1).op(OP.i64_add).tee(L64);
  c.i64(0).get(L64).i64(0).op(OP.i64_gt_s).op(OP.select);
  return { name: 'refill', type: REFILL, locals: ['i32', 'i32', 'i32', 'i64'], body: c };
}
