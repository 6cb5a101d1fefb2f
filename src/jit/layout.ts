/**
 * The JIT's linear memory, shared by every compiled program of one context (jit/context.ts):
 *
 *   TABLE   one 16-byte entry per region index (the upper half of an address minus TAG_BASE):
 *           base (where its bytes are in linear memory), bias (LOW_BASE for the low window, else
 *           0), read limit and write limit (its size, or 0 while unmapped / not yet written)
 *   CTRL    the control block: how a run ended, where, the budget left, registers, call frames
 *   STACKS  the eight 512-byte stack frames, at fixed places
 *   LOOKUPS the map-lookup cache of the compiled code: (map, key) -> what bpf_map_lookup_elem
 *           returned, valid in one generation (C_GEN)
 *   WRITTEN one byte per region index: set by verified code that wrote the region without a check
 *           (map values, global data), so that only those are written back
 *   MAP_INDEX one i32 per region index: a map handle's resident key index, for compiled probes
 *   ARENA   copies of the other regions a run touches, mapped on first access
 *
 * The upper half 0 (the low window) lands on entry LOW_INDEX, so the table needs no special case.
 */
import { TAG_BASE } from '../vm/memory.js';
import { MAX_CALL_FRAMES, STACK_SIZE } from '../vm/interpreter.js';

export const ENTRY_SIZE = 16;
/**
 * The base of an entry whose region is not mapped: past the end of any linear memory the JIT
 * makes, so that an access compiled without a check (verified code) through a pointer the runtime
 * failed to map traps instead of touching other bytes.
 */
export const UNMAPPED_BASE = 0xf0000000 | 0;
export const E_BASE = 0;
export const E_BIAS = 4;
export const E_RLIM = 8;
export const E_WLIM = 12;

/** Entry of the low window: (0 - TAG_BASE) as an unsigned index. */
export const LOW_INDEX = (0 - TAG_BASE) >>> 0;
/** Where the low window's entry is (its base: the packet's place in linear memory). */
export const LOW_ENTRY = LOW_INDEX * ENTRY_SIZE;
/** Entries in the table: every region index below the low window's, and the low window. */
export const TABLE_ENTRIES = LOW_INDEX + 1;
export const TABLE = 0;

export const CTRL = align(TABLE + TABLE_ENTRIES * ENTRY_SIZE, 64);
export const C_STATUS = 0;
export const C_PC = 4;
export const C_DEPTH = 8;
export const C_MAXDEPTH = 12;
export const C_LEFT = 16;
/** r10 of frame 0: the stack's tag in the upper half, STACK_SIZE in the lower. */
export const C_FP0 = 24;
export const C_REGS = 32;
export const C_FRAMES = C_REGS + 11 * 8;
/**
 * A caller's frame record: return slot (i32), the frame's program (i32: its table entry, 0 the
 * run's; kept for frames below C_MARKED), r6..r9, the frame that program started in (i32, C_BASE).
 */
export const FRAME_RECORD = 48;
export const F_RET = 0;
export const F_PROG = 4;
export const F_REGS = 8;
export const F_BASE = 40;
/** Bytes of stack to zero from STACKS when a run starts (the frames the last run used). */
export const C_ZERO = C_FRAMES + MAX_CALL_FRAMES * FRAME_RECORD;
/** Set (a byte) by compiled code that wrote the packet directly (unchecked, verified stores). */
export const C_PKTW = C_ZERO + 4;
/** The same for the context. */
export const C_CTXW = C_ZERO + 5;
/** The same for map values (and global data). */
export const C_VALW = C_ZERO + 6;
/** Where the run's context is in linear memory, for verified context accesses (i32). */
export const C_CTX = C_ZERO + 8;
/** Runs the last call of run(n) started (i32): it runs them back to back while nothing needs JS. */
export const C_RUNS = C_ZERO + 12;
/** Set by the runtime when a helper that touches memory ran: run(n) stops after that run (i32). */
export const C_HELPED = C_ZERO + 16;
/** The budget each run of run(n) starts with (i64). */
export const C_BUDGET = C_ZERO + 24;
/** Tail calls made in the run (i32; the helper's count, kept here for the compiled fast path). */
export const C_TAILS = C_ZERO + 32;
/** The running program when a tail call moved the run to another: its table entry (i32, 0: none). */
export const C_CUR = C_ZERO + 36;
/** Generation of the tail-call caches (i32): a cache filled in an older one is not used. */
export const C_GEN = C_ZERO + 40;
/** Set by the runtime when bpf_tail_call found the slot empty: the call site may cache that (i32). */
export const C_TAILMISS = C_ZERO + 44;
/** What bpf_tail_call returned then (i64). */
export const C_TAILR0 = C_ZERO + 48;
/**
 * Ands the stack bytes a run of a repeat zeroes for the next (i32): 0 for a program that writes no
 * stack (its frames stay as zeroed), -1 otherwise.
 */
export const C_ZMASK = C_ZERO + 56;
/** What rt.lookup found (i64: r0 of bpf_map_lookup_elem), for the compiled code to load. */
export const C_LOOKUPR0 = C_ZERO + 64;
/**
 * Set (i32) by the runtime when the calls of the inlined bpf_loop running now have added more
 * regions than it keeps: the loop then has rt.loop drop them after the call.
 */
export const C_LOOPFULL = C_ZERO + 72;
/** The key's and the value's address (two i64) of the element rt.each gives a compiled bpf_for_each_map_elem. */
export const C_EACH = C_ZERO + 80;
/**
 * Frames 0..C_MARKED-1 have their program in F_PROG (i32): a tail call from a subprogram put
 * another program in the frame above them (context.ts enter); the frames from C_MARKED up are
 * the running program's (C_CUR).
 */
export const C_MARKED = C_ZERO + 96;
/**
 * The frame the running program started in (i32): a tail call from a subprogram starts its target
 * in the subprogram's frame, and a program nests MAX_CALL_FRAMES frames from its own first.
 */
export const C_BASE = C_ZERO + 100;
export const CTRL_SIZE = C_ZERO + 104;

export const STACKS = align(CTRL + CTRL_SIZE, 512);
export const LOOKUPS = align(STACKS + MAX_CALL_FRAMES * STACK_SIZE, 64);
/** Entries of the lookup cache (a power of two), each: generation (i32, padded), map (i64), key (i64), r0 (i64). */
export const LOOKUP_ENTRIES = 64;
export const LOOKUP_SIZE = 32;
export const K_GEN = 0, K_MAP = 8, K_KEY = 16, K_R0 = 24;
export const WRITTEN = LOOKUPS + LOOKUP_ENTRIES * LOOKUP_SIZE;
/**
 * By the region index of a map's handle: where its keys are in the resident window (i32, 0: the
 * runtime answers its lookups), set by the primary context for the run (maps/resident-index.ts).
 */
export const MAP_INDEX = align(WRITTEN + TABLE_ENTRIES, 4);
export const ARENA = align(MAP_INDEX + TABLE_ENTRIES * 4, 4096);
export const PAGE = 65536;
export const INITIAL_PAGES = Math.ceil(ARENA / PAGE) + 8;

/** How a run left the compiled code (CTRL status). */
export const STATUS = {
  /** Exited normally. */
  DONE: 0,
  /** A helper asked the program to stop (HelperCall.exit), or LD_ABS/LD_IND read past the packet. */
  STOP: 1,
  /** A helper asked for a tail call. */
  TAIL: 2,
  /** The budget ran out within the next block: the interpreter finishes the run exactly. */
  DEOPT: 3,
} as const;

/** Reasons the compiled code gives `rt.fail`. LOOP: an inlined bpf_loop's callback left the code (a JIT bug). */
export const FAIL = { FALLOFF: 1, CALL_DEPTH: 2, LOOP: 3 } as const;

/** What `rt.loop` is asked (runtime-abi.ts). */
export const LOOP = { START: 0, ROUND: 1, END: 2 } as const;

/** What `rt.each` is asked (runtime-abi.ts). */
export const EACH = { START: 0, NEXT: 1, DONE: 2, END: 3 } as const;

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}
