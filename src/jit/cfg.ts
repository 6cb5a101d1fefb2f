/**
 * The control flow of a program as the JIT sees it: basic blocks, the functions (the entry and
 * every bpf-to-bpf call target, each with the blocks it reaches), and for each function a
 * structured nesting of wasm `block`s and `loop`s that turns its gotos into `br`s.
 *
 * The nesting follows the "stackifier" idea: blocks keep their program order; a back edge u -> h
 * makes a `loop` opened before h and closed after the last block that jumps back to it; a forward
 * jump to t needs a `block` that closes just before t and opens before every jump to t. Intervals
 * are widened until they nest. Control flow that cannot be nested this way (a jump into the middle
 * of a loop, loops that overlap without nesting) is irreducible: `stackify` says so and the
 * program runs on the interpreter instead.
 */
import type { Insn, InsnForm } from '../isa/insn.js';

export interface BasicBlock {
  readonly id: number;
  /** Instruction indices [first, last]. */
  readonly first: number;
  readonly last: number;
  /** Slot of the first instruction. */
  readonly slot: number;
  /** Block jumped to by the last instruction, if it is a jump. */
  readonly target: number | undefined;
  /** Whether control can continue past the last instruction (to block id + 1, or off the end). */
  readonly falls: boolean;
  /** The instructions of this block, counted as the budget counts them. */
  readonly count: number;
}

export interface Cfg {
  readonly blocks: readonly BasicBlock[];
  /** Block starting at each slot (leaders only; -1 elsewhere). */
  readonly blockAtSlot: Int32Array;
  /** Slots of function entries: 0 first, then every local call target in slot order. */
  readonly functions: readonly number[];
  /** Instruction index of each slot that starts an instruction (-1 for the second half of lddw). */
  readonly insnAtSlot: Int32Array;
}

/** Instructions after which a new block starts. */
function ends(form: InsnForm): boolean {
  return form.kind === 'jcond' || form.kind === 'ja' || form.kind === 'exit' || form.kind === 'call' || form.kind === 'ldpkt';
}

/** `entries`: slots that start functions besides the call targets (callbacks the code calls itself). */
export function buildCfg(insns: readonly Insn[], forms: readonly InsnForm[], slots: readonly number[], targets: readonly (number | undefined)[], entries: readonly number[] = []): Cfg {
  const n = insns.length;
  const nSlots = n === 0 ? 0 : slots[n - 1]! + (forms[n - 1]!.kind === 'lddw' ? 2 : 1);
  const insnAtSlot = new Int32Array(nSlots + 1).fill(-1);
  for (let i = 0; i < n; i++) insnAtSlot[slots[i]!] = i;
  const leader = new Array<boolean>(n).fill(false);
  leader[0] = true;
  const functions = new Set<number>([0]);
  for (const s of entries) {
    const i = insnAtSlot[s];
    if (i === undefined || i < 0) continue;
    leader[i] = true;
    functions.add(s);
  }
  for (let i = 0; i < n; i++) {
    const f = forms[i]!;
    const t = targets[i];
    if (t !== undefined) {
      leader[insnAtSlot[t]!] = true;
      if (f.kind === 'call') functions.add(t);
    }
    if (ends(f) && i + 1 < n) leader[i + 1] = true;
  }
  const blocks: BasicBlock[] = [];
  const blockAtSlot = new Int32Array(nSlots + 1).fill(-1);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && !leader[j + 1]) j++;
    const lastForm = forms[j]!;
    const id = blocks.length;
    blockAtSlot[slots[i]!] = id;
    const falls = !(lastForm.kind === 'exit' || lastForm.kind === 'ja');
    blocks.push({ id, first: i, last: j, slot: slots[i]!, target: undefined, falls, count: j - i + 1 });
    i = j + 1;
  }
  for (const b of blocks) {
    const f = forms[b.last]!;
    if (f.kind === 'jcond' || f.kind === 'ja') (b as { target: number | undefined }).target = blockAtSlot[targets[b.last]!]!;
  }
  return { blocks, blockAtSlot, functions: [...functions].sort((a, b) => a - b), insnAtSlot };
}

/** The blocks a function starting at block `entry` reaches, in program order. */
export function functionBlocks(cfg: Cfg, entry: number): number[] {
  const seen = new Set<number>();
  const work = [entry];
  while (work.length) {
    const b = work.pop()!;
    if (seen.has(b)) continue;
    seen.add(b);
    const blk = cfg.blocks[b]!;
    if (blk.target !== undefined) work.push(blk.target);
    if (blk.falls && b + 1 < cfg.blocks.length) work.push(b + 1);
  }
  return [...seen].sort((a, b) => a - b);
}

/**
 * The blocks of a function in reverse postorder from its entry, fall-through successors visited
 * last so that they tend to follow their predecessor. Every forward edge of an acyclic part goes
 * forward in this order, which program order does not promise (a jump back to a block that only
 * exits is not a loop).
 */
export function reversePostorder(cfg: Cfg, entry: number): number[] {
  const post: number[] = [];
  const seen = new Set<number>([entry]);
  const stack: { b: number; next: number[] }[] = [];
  const succ = (b: number): number[] => {
    const blk = cfg.blocks[b]!;
    const out: number[] = [];
    if (blk.target !== undefined) out.push(blk.target);
    if (blk.falls && b + 1 < cfg.blocks.length) out.push(b + 1);
    return out;
  };
  stack.push({ b: entry, next: succ(entry) });
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const s = top.next.shift();
    if (s === undefined) {
      post.push(top.b);
      stack.pop();
    } else if (!seen.has(s)) {
      seen.add(s);
      stack.push({ b: s, next: succ(s) });
    }
  }
  return post.reverse();
}

/** A wasm `block` (forward jumps to position `close`) or `loop` (back edges to position `open`). */
export interface Construct {
  readonly kind: 'block' | 'loop';
  /** Opened before the block at this position of the function's order. */
  open: number;
  /** Closed before the block at this position (order.length: at the end). */
  readonly close: number;
}

export interface Nesting {
  /** Block ids in the order they are emitted. */
  readonly order: readonly number[];
  readonly constructs: readonly Construct[];
  /** Per position: constructs opened there, outermost first. */
  readonly opens: readonly Construct[][];
  /** The loop whose header is at a position, and the block that closes before a position. */
  readonly loopAt: ReadonlyMap<number, Construct>;
  readonly blockTo: ReadonlyMap<number, Construct>;
}

/** Nest the gotos of one function, or say why they cannot be nested. */
export function stackify(cfg: Cfg, order: readonly number[]): Nesting | string {
  const pos = new Map<number, number>();
  order.forEach((b, i) => pos.set(b, i));
  const loopEnd = new Map<number, number>();
  const firstSource = new Map<number, number>();
  const edge = (u: number, v: number): void => {
    if (v <= u) loopEnd.set(v, Math.max(loopEnd.get(v) ?? -1, u));
    else firstSource.set(v, Math.min(firstSource.get(v) ?? u, u));
  };
  order.forEach((b, u) => {
    const blk = cfg.blocks[b]!;
    if (blk.target !== undefined) edge(u, pos.get(blk.target)!);
    // Falling through needs a branch when the next block is not emitted next.
    const next = blk.falls ? pos.get(b + 1) : undefined;
    if (next !== undefined && next !== u + 1) edge(u, next);
  });
  const loops: Construct[] = [...loopEnd].map(([h, e]) => ({ kind: 'loop', open: h, close: e + 1 }));
  loops.sort((a, b) => a.open - b.open);
  for (let i = 0; i < loops.length; i++) {
    for (let j = i + 1; j < loops.length; j++) {
      const a = loops[i]!, b = loops[j]!;
      if (b.open < a.close && b.close > a.close) return `loops at positions ${a.open} and ${b.open} overlap without nesting`;
    }
  }
  const blocks: Construct[] = [...firstSource].map(([v, s]) => ({ kind: 'block', open: s, close: v }));
  // Widen block intervals until everything nests: a block that starts inside a construct closing
  // before it must start before that construct. Only constructs that close earlier can widen a
  // block, so one pass in the order of closing reaches the fixpoint: minOpen[p] is the earliest
  // opening of a construct (final by then) that closes at p, and a block scans the positions it
  // spans backwards, moving its opening before any construct that straddles it.
  const minOpen = new Array<number>(order.length + 1).fill(Infinity);
  for (const l of loops) minOpen[l.close] = Math.min(minOpen[l.close]!, l.open);
  blocks.sort((a, b) => a.close - b.close);
  for (const b of blocks) {
    let o = b.open;
    let m = Infinity;
    for (let p = b.close - 1; p > o; p--) {
      if (minOpen[p]! < m) m = minOpen[p]!;
      if (m < o) o = m;
    }
    b.open = o;
    minOpen[b.close] = Math.min(minOpen[b.close]!, o);
  }
  for (const b of blocks) {
    for (const l of loops) {
      if (b.open < l.open && l.open < b.close && b.close < l.close) return `a jump enters the loop at position ${l.open} from outside, not through its header`;
    }
  }
  const constructs = [...loops, ...blocks];
  const opens: Construct[][] = order.map(() => []);
  for (const c of constructs) opens[c.open]!.push(c);
  // Outermost (closing last) first; of a loop and a block with the same interval, the block outside.
  for (const o of opens) o.sort((a, b) => b.close - a.close || (a.kind === 'block' ? -1 : 1));
  return {
    order, constructs, opens,
    loopAt: new Map(loops.map((l) => [l.open, l])),
    blockTo: new Map(blocks.map((b) => [b.close, b])),
  };
}
