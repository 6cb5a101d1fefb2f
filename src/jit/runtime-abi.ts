/**
 * How compiled code calls out to JavaScript: through a funcref table each JitContext fills
 * (jit/context.ts), with `call_indirect` at a constant index, instead of one imported function per
 * helper. V8 compiles a wrapper for every function import a module has (~30-40 µs per signature
 * when the module is made, measured on Node 20): a table import costs ~2 µs, and the wrappers are
 * made once per context, when the context's runtime instance is.
 *
 * Entry i of the table has type RT_TYPES[i], which is also type index i of every program module.
 */
import { encodeModule, type FuncType } from './wasm/encoder.js';

export const RT = {
  /** map(hi, lo, size | write << 4, slot): make an access possible or throw its fault. */
  MAP: 0,
  /** fail(kind, slot): throw (FAIL.* in layout.ts). */
  FAIL: 1,
  /** ldpkt(k, size, slot) -> value: LD_ABS / LD_IND. */
  LDPKT: 2,
  /**
   * enter(depth) -> table index: after bpf_tail_call asked for a tail call in the frame at `depth`,
   * where the target's entry function is in the table (the caller then calls it in that frame and
   * returns what it returns), or -1 to leave the compiled code with the tail call pending (the JS
   * run loop takes it from there). From a subprogram (depth > 0) it marks the frames below with
   * their program (C_MARKED).
   */
  ENTER: 3,
  /**
   * HELPER + k: helper(slot, r1..rk) -> r0, the helper the running program calls at that slot,
   * with the k arguments its prototype has (each i64 crossing into JavaScript is a BigInt made).
   */
  HELPER: 4,
  /**
   * lookup(slot, mapLo, mapHi, keyLo, keyHi): bpf_map_lookup_elem of a verified call whose map
   * holds values (compile.ts compiledLookup) with its key of at most 8 bytes in two halves, r0 left
   * at CTRL + C_LOOKUPR0: no BigInt crosses.
   */
  LOOKUP: 10,
  /**
   * loop(what, n) -> i32: the bookkeeping of a bpf_loop the code runs itself whose callback calls
   * helpers (LOOP in layout.ts): START (1: go on, with room for n regions a call; 0: call the
   * helper instead), ROUND after each call of the callback, END after the last.
   */
  LOOP: 11,
  /**
   * each(what, a, b, c) -> i32: a bpf_for_each_map_elem the code runs itself (EACH in layout.ts):
   * START(map's halves, room) 1 to go on, 0 to call the helper instead; NEXT 1 with the next
   * element's key and value at C_EACH, 0 at the end; DONE after its callback; END -> the count.
   */
  EACH: 12,
} as const;

const HELPER_ARITIES = [0, 1, 2, 3, 4, 5] as const;

export const RT_NAMES = ['map', 'fail', 'ldpkt', 'enter', ...HELPER_ARITIES.map((k) => `helper${k}` as const), 'lookup', 'loop', 'each'] as const;

export const RT_TYPES: readonly FuncType[] = [
  { params: ['i32', 'i32', 'i32', 'i32'], results: [] },
  { params: ['i32', 'i32'], results: [] },
  { params: ['i32', 'i32', 'i32'], results: ['i64'] },
  { params: ['i32'], results: ['i32'] },
  ...HELPER_ARITIES.map((k): FuncType => ({ params: ['i32', ...new Array<'i64'>(k).fill('i64')], results: ['i64'] })),
  { params: ['i32', 'i32', 'i32', 'i32', 'i32'], results: [] },
  { params: ['i32', 'i32'], results: ['i32'] },
  { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] },
];

/** BPF_FUNC_tail_call: compiled as a call into the target's module when it can be. */
export const TAIL_CALL_HELPER = 12;

let runtime: WebAssembly.Module | undefined;

/** A table of the runtime's functions (RT in runtime-abi.ts) for compiled code to import as env.table. */
export function runtimeTable(rt: Record<(typeof RT_NAMES)[number], unknown>): WebAssembly.Table {
  const exports = new WebAssembly.Instance(runtimeModule(), { rt }).exports;
  const table = new WebAssembly.Table({ element: 'anyfunc', initial: RT_NAMES.length });
  RT_NAMES.forEach((name, i) => table.set(i, exports[name]));
  return table;
}

/**
 * The module that turns the runtime's JavaScript functions into table entries: it imports them and
 * exports them again, and an exported function is what a funcref table holds.
 */
function runtimeModule(): WebAssembly.Module {
  runtime ??= new WebAssembly.Module(encodeModule({
    imports: RT_NAMES.map((name, i) => ({ module: 'rt', name, type: RT_TYPES[i]! })),
    funcs: [],
    reexports: RT_NAMES.map((name, i) => ({ name, func: i })),
  }).bytes);
  return runtime;
}
