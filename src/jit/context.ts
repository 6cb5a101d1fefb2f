/**
 * Running compiled programs. A JitContext owns one linear memory (layout.ts) and the instances of
 * the programs run in it; a run takes a free context, so a run inside a run gets its own.
 *
 * The VM's regions stay the truth for everything outside a run's compiled code: a region is copied
 * into linear memory when the program first touches it (rt.map), written back when the program
 * wrote to it, before any helper that reads memory runs and when the run ends, and read again (or
 * dropped from the table, when the helper replaced it) after a helper that may have written it.
 * The stack frames are linear memory itself: their regions are views of it. So helpers, maps and
 * user space see exactly what the interpreter would show them.
 */
import { BpfError } from '../errors.js';
import {
  CallContext, execute, resume, MAX_CALL_FRAMES, STACK_SIZE, DEFAULT_BUDGET, UNLIMITED_BUDGET, SKF_LL_OFF, SKF_NET_OFF,
  PreparedProgram, type ExecOptions, type PacketView,
} from '../vm/interpreter.js';
import { LOW_BASE, Memory, RESIDENT_INDEX, RESIDENT_TAG, Region, TAG_BASE, high32 } from '../vm/memory.js';
import type { RunResult } from '../vm/api.js';
import { compile, type JitProgram } from './compile.js';
import { RT_NAMES, TAIL_CALL_HELPER, runtimeTable } from './runtime-abi.js';
import { KEY_ONLY, MAPS_ONLY, NO_REFRESH, NO_SYNC, RETURNS_REGION, howOf } from './helper-effects.js';
import { valueRegionOf } from '../helpers/maps.js';
import { MAP_FLAGS } from '../maps/types.js';
import { mapArg, placed, runOf } from '../helpers/support.js';
import { ITERABLE, MapWalk } from '../helpers/callbacks.js';
import type { RunContext, VmMap } from '../vm/runtime.js';
import { RESIDENT_BASE, RESIDENT_BYTES, SHARED_MEMORY, isResident, linearMemory, residentMemory } from '../vm/resident.js';
import {
  ARENA, CTRL, MAP_INDEX, UNMAPPED_BASE, WRITTEN, LOOKUPS, LOOKUP_ENTRIES, LOOKUP_SIZE, LOOP, EACH, C_EACH, C_BUDGET, C_CTX, C_CUR, C_GEN, C_LOOKUPR0, C_LOOPFULL, C_HELPED, C_PKTW, C_RUNS, C_TAILMISS, C_TAILR0, C_TAILS, C_ZERO, C_ZMASK, C_DEPTH, C_FP0, C_FRAMES, C_LEFT, C_BASE, C_MARKED, C_MAXDEPTH, C_PC, C_REGS, C_STATUS, ENTRY_SIZE, E_BASE, E_BIAS,
  E_RLIM, E_WLIM, FAIL, FRAME_RECORD, F_BASE, F_PROG, F_REGS, F_RET, INITIAL_PAGES, LOW_INDEX, PAGE, STACKS, STATUS, TABLE, TABLE_ENTRIES,
} from './layout.js';

/** A region copied into linear memory for the current run. */
interface Mapping {
  entry: number;
  region: Region;
  bytes: Uint8Array;
  /** bytes.buffer and bytes.byteOffset, read once (each read of a typed array's is a call). */
  buffer: ArrayBufferLike;
  offset: number;
  phys: number;
  dirty: boolean;
  /** The mapping whose copy this one lies inside (a region over the same bytes), if any. */
  owner: Mapping | undefined;
  /** Bytes in the resident window of this context's memory (vm/resident.ts): mapped where they are, never copied. */
  resident: boolean;
}

/** A compiled program instantiated in a context: run() for the JS loop, main for tail calls. */
interface Instance {
  run: (runs: number) => number;
  main: unknown;
  /** Its main's index in the context's table while it is a tail-call target (-1: none). */
  entry: number;
}

/** What the current run of a context works on. */
interface RunState {
  memory: Memory;
  call: CallContext;
  packet: PacketView;
  stacks: Region[];
}

const compiled = new WeakMap<PreparedProgram, JitProgram | string>();

/** Regions the calls of an inlined bpf_loop's callback may pile up before they are dropped (rt.loop). */
const LOOP_KEEP = 64;

const LOOKUP_NAME = 'bpf_map_lookup_elem';
/** The key of rt.lookup, as bytes: its halves written into 8, viewed at each key size compiled lookups take. */
const LOOKUP_BYTES = new ArrayBuffer(8);
const LOOKUP_KEY = new DataView(LOOKUP_BYTES);
const LOOKUP_KEYS = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => new Uint8Array(LOOKUP_BYTES, 0, n));

/** The compiled form of a program (compiled on first use), or why it runs on the interpreter. */
export function jitOf(prog: PreparedProgram): JitProgram | string {
  let j = compiled.get(prog);
  if (j === undefined) {
    try {
      const r = compile(prog);
      j = r.ok ? r.jit : r.reason;
    } catch (e) {
      // A module V8 refuses is a JIT bug; the program still runs, on the interpreter.
      j = (e as Error).message;
    }
    compiled.set(prog, j);
  }
  return j;
}

const NO_INPUT = new Uint8Array(0);

const STACK_NAMES = Array.from({ length: MAX_CALL_FRAMES }, (_, f) => `stack frame ${f}`);

export class JitContext {
  readonly memory: WebAssembly.Memory;
  /** Where copies start: past the resident window in the primary context's memory. */
  private readonly arenaBase: number;
  private buffer: ArrayBufferLike | undefined;
  u8!: Uint8Array;
  i32!: Int32Array;
  u64!: BigUint64Array;
  private instances = new WeakMap<JitProgram, Instance>();
  /** Instances made since the table was (renewTable). */
  private instantiated = 0;
  private state: RunState | undefined;
  private mapped: Mapping[] = [];
  /** The mappings that own their copy, by the buffer their bytes are in: a region inside one shares its copy (place). */
  private owners = new Map<ArrayBufferLike, { byOffset: Map<number, Mapping>; longest: number }>();
  /** The mapping of each table entry (a plain array: a Map costs more than a run of a short program). */
  private readonly byEntry: (Mapping | undefined)[] = new Array<Mapping | undefined>(TABLE_ENTRIES).fill(undefined);
  /** Map handles whose MAP_INDEX entry this execution set (noteIndex). */
  private indexed: number[] = [];
  /** The end of the copies in the arena (which resetArena empties when it has grown large). */
  private top: number;
  /** Deepest frame of the last run: its frames are zeroed before the next. */
  private lastDepth = 0;
  /** Where memory stood when each inlined bpf_loop running now started (rt.loop). */
  private loopMarks: number[] = [];
  /** The walks of the inlined bpf_for_each_map_elem running now, and where the element's regions start (rt.each). */
  private walks: { walk: MapWalk; mark: number }[] = [];
  /** Stack frames whose JS bytes hold data (they are zeroed when the run ends). */
  /**
   * The stack frames' regions are views of linear memory (STACKS): helpers and the interpreter (a
   * run handed over) read and write the frames the compiled code uses, with nothing to copy. A
   * grown memory is a new buffer: refresh makes new views and swaps the running set's regions.
   */
  private stackViews: Uint8Array[] = [];
  private readonly stackSets = new Map<number, Region[]>();
  /** Input regions of earlier runs by region index (inputRegion). */
  private readonly inputs = new Map<number, Region>();
  private readonly bare = new Memory();
  private bareInput: Region | undefined;
  private bareStacks: Region[] | undefined;
  /** Region index of frame 0 whose stack entries the table holds (kept between runs). */
  private stackBase = -1;
  private readonly call = new CallContext(this.bare, undefined);
  private readonly ownPacket: PacketView = { region: new Region(0, 'input', 'input', NO_INPUT, true), data: 0, end: 0, mac: 0, net: 0 };
  private readonly run: RunState = { memory: this.bare, call: this.call, packet: this.ownPacket, stacks: [] };
  private lastJit: JitProgram | undefined;
  /** The running code reads the packet directly: keep the low window mapped (ensureLow). */
  private wantLow = false;
  /**
   * The same for the context (ensureCtx), which is region ctxIndex (-1: r1 points at no region):
   * the running code that needs most of it.
   */
  private ctxNeed: JitProgram | undefined = undefined;
  private ctxIndex = -1;
  /** Helper calls since the run (of a repeat) started. */
  private helperCalls = 0;
  private lastInstance: Instance | undefined;

  private table: WebAssembly.Table;
  /** The budget of the current run. */
  private budget = DEFAULT_BUDGET;
  /** Instances whose entry function has a table entry (enter), and their programs. */
  private entered: Instance[] = [];
  private enteredProgs: PreparedProgram[] = [];
  /** The program the run (or its continuation after a tail call the JS loop made) started in. */
  private current: PreparedProgram | undefined;

  /**
   * `primary`: the context whose memory is the resident one (vm/resident.ts), whose window holds
   * map values the code then reaches without copies. One at a time may run on that memory: the
   * others (a run inside a run) get memories of their own and copy those values as any region.
   */
  constructor(readonly primary = false) {
    this.memory = primary ? residentMemory() : linearMemory(INITIAL_PAGES);
    this.arenaBase = primary ? RESIDENT_BASE + RESIDENT_BYTES : ARENA;
    this.top = this.arenaBase;
    this.refresh();
    this.table = this.makeTable();
    // Caches start at generation 0 (the globals' value): never valid.
    this.i32[(CTRL + C_GEN) >> 2] = 1;
    for (let e = 0; e < TABLE_ENTRIES; e++) this.clearEntry(e);
    if (primary) this.residentEntry();
  }

  /**
   * Invalidate what the compiled code caches (tail-call targets, map lookups). Generation 0 is
   * the caches' initial value: after 2^32 generations the count skips it, and the lookup cache,
   * whose entries could now match an old generation again, is cleared.
   */
  private newGeneration(): void {
    const at = (CTRL + C_GEN) >> 2;
    const g = (this.i32[at]! + 1) | 0;
    if (g === 0) {
      this.u8.fill(0, LOOKUPS, LOOKUPS + LOOKUP_ENTRIES * LOOKUP_SIZE);
      this.i32[at] = 1;
    } else this.i32[at] = g;
  }

  private refresh(): void {
    const b = this.memory.buffer;
    if (b === this.buffer) return;
    this.buffer = b;
    this.u8 = new Uint8Array(b);
    this.i32 = new Int32Array(b);
    this.u64 = new BigUint64Array(b);
    this.stackViews = STACK_NAMES.map((_, f) => this.u8.subarray(STACKS + f * STACK_SIZE, STACKS + (f + 1) * STACK_SIZE));
    // The running set (kept sets are checked by intact() before reuse).
    const st = this.state;
    if (st === undefined) return;
    st.stacks.forEach((old, f) => {
      const r = new Region(old.index, old.name, 'stack', this.stackViews[f]!, true);
      st.stacks[f] = r;
      st.memory.regions[old.index] = r;
    });
  }

  private instance(jit: JitProgram): Instance {
    let inst = this.instances.get(jit);
    if (inst !== undefined) return inst;
    const i = new WebAssembly.Instance(jit.module, { env: { memory: this.memory, table: this.table } });
    inst = { run: i.exports.run as (runs: number) => number, main: i.exports.main, entry: -1 };
    this.instantiated++;
    this.instances.set(jit, inst);
    return inst;
  }

  /**
   * rt.enter: the table index of the entry function of the program bpf_tail_call just chose, for
   * the compiled caller to call; -1 leaves the tail call to the run loop (a target that is not
   * compiled, or needs a packet this run does not have). Targets get table entries for the run
   * (released in finish, so the table holds no unloaded program).
   */
  private enter(depth: number): number {
    const call = this.call;
    const target = call.tail;
    if (target === undefined) return -1;
    const tj = jitOf(target);
    if (typeof tj === 'string' || !this.canRun(tj) || (tj.directPacket && !this.ensureLow()) || (tj.directCtx && !this.ensureCtx(tj))) return -1;
    if (tj.directValues) this.ensureGlobals(tj);
    const inst = this.instance(tj);
    if (inst.entry < 0) {
      inst.entry = RT_NAMES.length + this.entered.length;
      if (inst.entry >= this.table.length) this.table.grow(1);
      this.table.set(inst.entry, inst.main);
      this.entered.push(inst);
      this.enteredProgs.push(target);
    }
    call.tail = undefined;
    // (The compiled callers call it again from their caches, without coming here, in this execution.)
    if (tj.writesStack) this.stackMayBeWritten();
    const i32 = this.i32;
    if (depth > 0) {
      // The frames below the subprogram stay their programs' (the interpreter's keepCallers).
      const cur = i32[(CTRL + C_CUR) >> 2]!, base = i32[(CTRL + C_BASE) >> 2]!;
      for (let f = i32[(CTRL + C_MARKED) >> 2]!; f < depth; f++) {
        i32[(CTRL + C_FRAMES + f * FRAME_RECORD + F_PROG) >> 2] = cur;
        i32[(CTRL + C_FRAMES + f * FRAME_RECORD + F_BASE) >> 2] = base;
      }
      i32[(CTRL + C_MARKED) >> 2] = depth;
    }
    i32[(CTRL + C_BASE) >> 2] = depth;
    i32[(CTRL + C_STATUS) >> 2] = STATUS.DONE;
    i32[(CTRL + C_CUR) >> 2] = inst.entry;
    if (tj.directPacket) this.wantLow = true;
    // (A target needing more of the context than the caller was checked against it above.)
    if (tj.directCtx && (this.ctxNeed === undefined || tj.ctxExtent > this.ctxNeed.ctxExtent || tj.ctxWrites)) this.ctxNeed = tj;
    return inst.entry;
  }

  /** The table compiled code calls JavaScript through (runtime-abi.ts), bound to this context. */
  private makeTable(): WebAssembly.Table {
    const rt: Record<(typeof RT_NAMES)[number], unknown> = {
      map: (hi: number, lo: number, desc: number, pc: number) => this.map(hi, lo, desc, pc),
      fail: (kind: number, pc: number) => { throw failure(kind, pc); },
      ldpkt: (k: number, size: number, pc: number) => this.ldpkt(k, size, pc),
      enter: (depth: number) => this.enter(depth),
      helper0: (pc: number) => this.helper(pc, 0n, 0n, 0n, 0n, 0n),
      helper1: (pc: number, a: bigint) => this.helper(pc, a, 0n, 0n, 0n, 0n),
      helper2: (pc: number, a: bigint, b: bigint) => this.helper(pc, a, b, 0n, 0n, 0n),
      helper3: (pc: number, a: bigint, b: bigint, c: bigint) => this.helper(pc, a, b, c, 0n, 0n),
      helper4: (pc: number, a: bigint, b: bigint, c: bigint, d: bigint) => this.helper(pc, a, b, c, d, 0n),
      helper5: (pc: number, a: bigint, b: bigint, c: bigint, d: bigint, e: bigint) => this.helper(pc, a, b, c, d, e),
      lookup: (pc: number, mapLo: number, mapHi: number, keyLo: number, keyHi: number) => this.lookup(pc, mapLo, mapHi, keyLo, keyHi),
      loop: (what: number, n: number) => this.loop(what, n),
      each: (what: number, a: number, b: number, c: number) => this.each(what, a, b, c),
    };
    return runtimeTable(rt);
  }

  // ---- the region table ----

  /** An entry of no region: no access passes its limits, and its base is UNMAPPED_BASE. */
  private clearEntry(entry: number): void {
    this.setEntry(entry, UNMAPPED_BASE, 0, 0, 0);
  }

  /** Tell the code where the keys of the map whose handle is region `handle` are (MAP_INDEX), for this execution. */
  private noteIndex(handle: number, at: number): void {
    const w = (MAP_INDEX + 4 * handle) >> 2;
    if (this.i32[w] === at) return;
    this.i32[w] = at;
    this.indexed.push(handle);
  }

  /** Forget the maps' key indexes (another execution's handles may be other maps'). */
  private dropIndexes(): void {
    for (const handle of this.indexed) this.i32[(MAP_INDEX + 4 * handle) >> 2] = 0;
    this.indexed = [];
  }

  /** The primary context's table entry of the resident window: the window where it is, read and write. */
  private residentEntry(): void {
    this.setEntry(RESIDENT_INDEX, RESIDENT_BASE, 0, RESIDENT_BYTES, RESIDENT_BYTES);
  }

  private setEntry(entry: number, base: number, bias: number, rlim: number, wlim: number): void {
    const w = (TABLE + entry * ENTRY_SIZE) >> 2;
    this.i32[w + E_BASE / 4] = base;
    this.i32[w + E_BIAS / 4] = bias;
    this.i32[w + E_RLIM / 4] = rlim;
    this.i32[w + E_WLIM / 4] = wlim;
  }

  private alloc(len: number): number {
    const phys = (this.top + 7) & ~7;
    this.top = phys + Math.max(len, 8);
    if (this.top > this.u8.length) {
      this.memory.grow(Math.ceil((this.top - this.u8.length) / PAGE));
      this.refresh();
    }
    return phys;
  }

  /** rt.map: make an access possible or throw the interpreter's fault for it. */
  private map(hi: number, lo: number, desc: number, pc: number): void {
    const st = this.state!;
    const size = desc & 15, write = (desc & 16) !== 0;
    const memory = st.memory;
    const idx = (hi - TAG_BASE) >>> 0;
    if (idx === RESIDENT_INDEX && this.primary) {
      // The resident window: its entry maps it where it is for good (set when the context is
      // made), never through a mapping, whose drop would clear it under the values the code
      // still reaches; an access that comes here is past the window.
      if ((lo >>> 0) + size > RESIDENT_BYTES) throw memory.fault(hi, lo, size, write, pc);
      this.residentEntry();
      return;
    }
    // The same lookup as Memory.check: the region at the index, else the low window.
    let r = memory.regions[idx];
    let bias = 0, entry = idx;
    if (r === undefined || (lo >>> 0) + size > r.bytes.length || (write && !r.writable)) {
      const w = memory.low;
      if (hi === 0 && w !== undefined && ((lo - LOW_BASE) >>> 0) + size <= w.bytes.length && (!write || w.writable)) {
        r = w;
        bias = LOW_BASE;
        entry = LOW_INDEX;
      } else {
        throw memory.fault(hi, lo, size, write, pc);
      }
    }
    if (entry >= TABLE_ENTRIES) {
      throw new BpfError('ELIMIT', `insn ${pc}: ${r.name} is memory region ${idx}, past the ${TABLE_ENTRIES - 1} regions the JIT can address`, { insn: pc });
    }
    const m = this.mapRegion(entry, r, bias);
    if (write) {
      (m.owner ?? m).dirty = true;
      const w = (TABLE + entry * ENTRY_SIZE + E_WLIM) >> 2;
      this.i32[w] = r.bytes.length;
    }
  }

  private place(entry: number, r: Region, bias: number): Mapping {
    const bytes = r.bytes;
    if (this.primary && isResident(bytes)) {
      // Already in this memory: the table points at the bytes themselves (regions over the same
      // bytes share them without an owner), and nothing is copied in or out.
      const m: Mapping = { entry, region: r, bytes, buffer: bytes.buffer, offset: bytes.byteOffset, phys: bytes.byteOffset, dirty: false, owner: undefined, resident: true };
      this.mapped.push(m);
      this.byEntry[entry] = m;
      this.setEntry(entry, m.phys, bias, bytes.length, 0);
      return m;
    }
    let phys = -1;
    let owner: Mapping | undefined;
    const buffer = bytes.buffer, offset = bytes.byteOffset;
    const over = this.owners.get(buffer);
    let same: Mapping | undefined;
    if (over !== undefined) {
      same = over.byOffset.get(offset);
      if (same !== undefined && bytes.length <= same.bytes.length) owner = same;
      else if (over.longest > bytes.length) {
        // (Values of one map share a buffer and all have its size: only a longer one can hold another.)
        for (const a of over.byOffset.values()) {
          const o = offset - a.offset;
          if (o >= 0 && o + bytes.length <= a.bytes.length) {
            owner = a;
            break;
          }
        }
      }
      if (owner !== undefined) phys = owner.phys + (offset - owner.offset);
    }
    if (owner === undefined) {
      // A new place each time: regions stay mapped from run to run (betweenRuns), and the arena
      // starts again when it has grown large.
      phys = this.alloc(bytes.length);
      copyIn(this.u8, bytes, phys);
    }
    const m: Mapping = { entry, region: r, bytes, buffer, offset, phys, dirty: false, owner, resident: false };
    this.mapped.push(m);
    if (owner === undefined) {
      if (over === undefined) {
        // (Not `new Map([[offset, m]])`: a Map made from an iterable costs more than a short run.)
        const byOffset = new Map<number, Mapping>();
        byOffset.set(offset, m);
        this.owners.set(buffer, { byOffset, longest: bytes.length });
      } else if (same === undefined) {
        over.byOffset.set(offset, m);
        if (bytes.length > over.longest) over.longest = bytes.length;
      }
    }
    this.byEntry[entry] = m;
    this.setEntry(entry, phys, bias, bytes.length, 0);
    return m;
  }

  private unmap(m: Mapping): void {
    if (m.entry === LOW_INDEX || m.entry === this.ctxIndex) this.takeDirectWrites();
    if (m.dirty && ownsCopy(m)) copyOut(this.u8, m);
    this.drop(m);
    const i = this.mapped.indexOf(m);
    if (i >= 0) this.mapped.splice(i, 1);
  }

  /**
   * Write back every region the program wrote to since the last time, and take writing away again
   * in the table, so that the next write comes through rt.map and marks the region anew. (The
   * compiled code forgets its cached limits after every helper, the only caller besides the end.)
   */
  private syncOut(): void {
    this.takeDirectWrites();
    if (this.mapped.length === 0) return;
    for (const m of this.mapped) {
      if (m.dirty && ownsCopy(m)) {
        copyOut(this.u8, m);
        m.dirty = false;
      }
      this.i32[(TABLE + m.entry * ENTRY_SIZE + E_WLIM) >> 2] = 0;
    }
  }

  /**
   * Direct (verified, unchecked) stores to the packet, the context and map values leave a flag in
   * CTRL (bytes C_PKTW, C_CTXW and C_VALW of one word) rather than going through rt.map.
   */
  private takeDirectWrites(): void {
    const at = (CTRL + C_PKTW) >> 2;
    const w = this.i32[at]!;
    if (w === 0) return;
    this.i32[at] = 0;
    const pkt = (w & 0xff) !== 0 ? this.byEntry[LOW_INDEX] : undefined;
    if (pkt !== undefined) (pkt.owner ?? pkt).dirty = true;
    const ctx = (w & 0xff00) !== 0 && this.ctxIndex >= 0 ? this.byEntry[this.ctxIndex] : undefined;
    if (ctx !== undefined) (ctx.owner ?? ctx).dirty = true;
    if ((w & 0xff0000) !== 0) {
      const u8 = this.u8;
      for (const m of this.mapped) {
        if (u8[WRITTEN + m.entry] !== 0) {
          u8[WRITTEN + m.entry] = 0;
          (m.owner ?? m).dirty = true;
        }
      }
    }
  }

  /**
   * Map the run's context (the region r1 points to at the start) for code with direct context
   * accesses, and tell the code where it is; false when r1 points at no region's start.
   */
  private ensureCtx(need: JitProgram | undefined = this.ctxNeed): boolean {
    const idx = this.ctxIndex;
    const r = idx < 0 ? undefined : this.state!.memory.regions[idx];
    if (r === undefined || need === undefined || r.size < need.ctxExtent || (need.ctxWrites && !r.writable)) return false;
    this.i32[(CTRL + C_CTX) >> 2] = this.mapRegion(idx, r, 0).phys;
    return true;
  }

  /**
   * Map the low window (the packet) for code with direct packet accesses, which reads its place
   * from the table without a check; false when the run has no packet there.
   */
  private ensureLow(): boolean {
    const low = this.state!.memory.low;
    if (low === undefined) return false;
    this.mapRegion(LOW_INDEX, low, LOW_BASE);
    return true;
  }

  /**
   * Map the global data a program's code reaches without a check (its lddw of map values), before
   * the code runs: those regions are the VM's, below every run's mark, so they stay mapped until
   * the end of the execution (or an arena reset, which starts a new generation of the caches).
   */
  private ensureGlobals(jit: JitProgram): void {
    const regions = this.state!.memory.regions;
    for (const tag of jit.valueTags) {
      const idx = (tag - TAG_BASE) >>> 0;
      const r = regions[idx];
      if (r !== undefined && r.kind === 'global') this.mapRegion(idx, r, 0);
    }
  }

  /**
   * Map the map value or record a helper returned (the code may reach it without a check): false
   * when its region is past those the table can address (the run then goes on in the interpreter).
   */
  private mapValue(addr: bigint): boolean {
    const r = this.state!.memory.regions[(high32(addr) - TAG_BASE) >>> 0];
    return r === undefined || this.mapReturned(r);
  }

  /** mapValue of the region itself. */
  private mapReturned(r: Region): boolean {
    if (r.index >= LOW_INDEX) return false;
    this.mapRegion(r.index, r, 0);
    return true;
  }

  /** The mapping of region `r` at `entry`: the one there, or a new one (replacing another region's). */
  private mapRegion(entry: number, r: Region, bias: number): Mapping {
    const m = this.byEntry[entry];
    if (m !== undefined && m.region === r && m.bytes === r.bytes) return m;
    if (m !== undefined) this.unmap(m);
    return this.place(entry, r, bias);
  }

  /**
   * After a helper: copy every mapped region in again (the helper may have written it, as
   * map_update_elem writes a value the program holds a pointer to), and drop the mappings whose
   * region the helper replaced or removed. Cheaper than mapping them again on the next access.
   */
  private refreshAll(mapsOnly: boolean): void {
    if (this.mapped.length === 0) return;
    const memory = this.state!.memory;
    const keep: Mapping[] = [];
    for (const m of this.mapped) {
      const current = m.entry === LOW_INDEX ? memory.low : memory.regions[m.entry];
      if (current === m.region && m.region.bytes === m.bytes && this.ownerKept(m)) {
        const kind = m.region.kind;
        if (ownsCopy(m) && (!mapsOnly || kind === 'map_value' || kind === 'global')) copyIn(this.u8, m.bytes, m.phys);
        keep.push(m);
      } else this.drop(m);
    }
    // (A new array: setting an array's length is a runtime call in V8, slower than a short run.)
    if (keep.length !== this.mapped.length) this.mapped = keep;
  }

  /** Drop the mappings of regions at index `mark` and above (after syncOut), and those inside them. */
  private unmapFrom(mark: number): void {
    const keep: Mapping[] = [];
    for (const m of this.mapped) {
      if ((m.entry < mark || m.entry === LOW_INDEX) && this.ownerKept(m)) keep.push(m);
      else this.drop(m);
    }
    if (keep.length !== this.mapped.length) this.mapped = keep;
  }

  /** Drop every mapping but the stack frames (after syncOut). */
  private unmapAll(): void {
    if (this.mapped.length === 0) return;
    for (const m of this.mapped) {
      this.clearEntry(m.entry);
      this.byEntry[m.entry] = undefined;
    }
    this.mapped = [];
    // (A new Map: clear, or a delete that shrinks the table, costs more than a short run.)
    if (this.owners.size !== 0) this.owners = new Map();
  }

  /**
   * Forget a mapping (the caller takes it out of `mapped`). A mapping inside another goes with it:
   * owners come first in `mapped`, so whether the owner stays is known by then (ownerKept).
   */
  private drop(m: Mapping): void {
    this.clearEntry(m.entry);
    this.byEntry[m.entry] = undefined;
    if (!ownsCopy(m)) return;
    const over = this.owners.get(m.buffer);
    if (over === undefined || over.byOffset.get(m.offset) !== m) return;
    over.byOffset.delete(m.offset);
    if (over.byOffset.size === 0) this.owners.delete(m.buffer);
  }

  /** Whether an address is in one of the run's stack frames (which are linear memory: never copied). */
  private inStack(addr: bigint): boolean {
    return this.stackBase >= 0 && ((high32(addr) - TAG_BASE - this.stackBase) >>> 0) < MAX_CALL_FRAMES;
  }

  private ownerKept(m: Mapping): boolean {
    return m.owner === undefined || this.byEntry[m.owner.entry] === m.owner;
  }

  // ---- calls out of the compiled code ----

  /** The program running now: the run's, or the one a tail call moved it to (C_CUR). */
  private running(): PreparedProgram {
    return this.programAt(this.i32[(CTRL + C_CUR) >> 2]!);
  }

  /** The program at a table entry (C_CUR, F_PROG): 0 is the run's. */
  private programAt(entry: number): PreparedProgram {
    return entry === 0 ? this.current! : this.enteredProgs[entry - RT_NAMES.length]!;
  }

  private helper(pc: number, a: bigint, b: bigint, c: bigint, d: bigint, e: bigint): bigint {
    const h = this.running().helpers[pc]!;
    const how = howOf(h);
    // The JS API hands i64 over as signed BigInts; helpers take registers as the interpreter gives
    // them, unsigned.
    if (a < 0n) a = BigInt.asUintN(64, a);
    if (b < 0n) b = BigInt.asUintN(64, b);
    if (c < 0n) c = BigInt.asUintN(64, c);
    if (d < 0n) d = BigInt.asUintN(64, d);
    if (e < 0n) e = BigInt.asUintN(64, e);
    const st = this.state!;
    // run(n) hands every run that called a helper back to JS (its call state is per run); those
    // that touch no memory (a tail call, the time) leave nothing for betweenRuns to reset.
    this.i32[(CTRL + C_HELPED) >> 2] = 1;
    if ((how & NO_SYNC) === 0) {
      this.helperCalls++;
      if ((how & KEY_ONLY) === 0 || !this.inStack(b)) this.syncOut();
    }
    const call = st.call;
    call.pc = pc;
    // The count the compiled fast path of tail calls keeps, and the caches it trusts.
    call.tailCalls = this.i32[(CTRL + C_TAILS) >> 2]!;
    // A helper that may write maps (or prog arrays) ends what the compiled code cached of them.
    if ((how & NO_REFRESH) === 0) this.newGeneration();
    let r0: bigint;
    try {
      r0 = h.impl(call, a, b, c, d, e);
    } catch (err) {
      this.unmapAll();
      if (err instanceof BpfError) throw err;
      throw new BpfError('EHELPER', `insn ${pc}: helper ${h.name}#${h.id} failed: ${(err as Error).message}`, { insn: pc });
    }
    this.noteLoopRegions();
    // A map value or ring buffer record the code may reach without a check is mapped before the
    // code gets its address.
    if ((how & RETURNS_REGION) !== 0 && r0 !== 0n && !this.mapValue(r0)) {
      this.i32[(CTRL + C_STATUS) >> 2] = STATUS.DEOPT;
    }
    if ((how & NO_REFRESH) === 0) {
      this.refreshAll((how & MAPS_ONLY) !== 0);
      if (this.wantLow) this.ensureLow();
      if (this.ctxNeed !== undefined) this.ensureCtx();
    }
    if (h.id === TAIL_CALL_HELPER) {
      // A tail call that counted and found no program: the call site may cache the failure.
      const miss = call.tail === undefined && call.tailCalls > this.i32[(CTRL + C_TAILS) >> 2]!;
      this.i32[(CTRL + C_TAILMISS) >> 2] = miss ? 1 : 0;
      if (miss) this.u64[(CTRL + C_TAILR0) >> 3] = r0;
    }
    this.i32[(CTRL + C_TAILS) >> 2] = call.tailCalls;
    if (call.stop) this.i32[(CTRL + C_STATUS) >> 2] = STATUS.STOP;
    else if (call.tail !== undefined) this.i32[(CTRL + C_STATUS) >> 2] = STATUS.TAIL;
    return r0;
  }

  /**
   * rt.lookup: a compiled bpf_map_lookup_elem the lookup cache did not answer, of a map the
   * verifier proved at the call (one holding values: compile.ts compiledLookup), with the key's
   * bytes as the code read them. What the helper does, without its BigInts: the key needs no copy
   * written back first, and the value's region is mapped for the code before it gets the address.
   */
  private lookup(pc: number, mapLo: number, mapHi: number, keyLo: number, keyHi: number): void {
    const st = this.state!;
    const call = st.call;
    call.pc = pc;
    const found = this.mapAt(mapLo, mapHi);
    if (found === undefined) {
      // Not what the verifier proved: the helper's own checks say what is wrong.
      const addr = (BigInt(mapHi >>> 0) << 32n) | BigInt(mapLo >>> 0);
      mapArg(call, LOOKUP_NAME, addr);
      runOf(call, LOOKUP_NAME);
      throw new BpfError('EHELPER', `insn ${pc}: ${LOOKUP_NAME}: 0x${addr.toString(16)} is not the map the verifier proved (a JIT bug)`, { insn: pc });
    }
    const { m, run } = found;
    if (this.primary) {
      // The map's keys in the window: the code's next lookups of it walk them itself (probeLookup).
      const ix = m.map.residentIndex;
      if (ix !== undefined && ix.valid) this.noteIndex((mapHi - TAG_BASE) >>> 0, ix.at);
    }
    LOOKUP_KEY.setInt32(0, keyLo, true);
    LOOKUP_KEY.setInt32(4, keyHi, true);
    let view: Uint8Array | undefined;
    try {
      view = m.map.lookupView(LOOKUP_KEYS[m.map.spec.keySize]!, run.cpu);
    } catch (e) {
      throw placed(call, LOOKUP_NAME, e);
    }
    if (view === undefined) {
      this.put64(CTRL + C_LOOKUPR0, 0, 0);
      return;
    }
    if (this.primary && isResident(view) && (m.map.spec.flags & MAP_FLAGS.RDONLY_PROG) === 0) {
      // A value in the resident window: its address in the window, which the table maps where it
      // is; no region is added, nothing written back, and the runs of a repeat go on in the code.
      this.put64(CTRL + C_LOOKUPR0, view.byteOffset - RESIDENT_BASE, RESIDENT_TAG);
      return;
    }
    this.i32[(CTRL + C_HELPED) >> 2] = 1;
    this.helperCalls++;
    const r = valueRegionOf(run, m, view);
    this.noteLoopRegions();
    if (!this.mapReturned(r)) this.i32[(CTRL + C_STATUS) >> 2] = STATUS.DEOPT;
    this.put64(CTRL + C_LOOKUPR0, r.lo(0), r.tag);
  }

  /**
   * rt.loop: an inlined bpf_loop whose callback calls helpers. What the callback's calls add to
   * memory (the values they look up) goes, as RunContext.callFunction drops it after each call
   * of the helper's: here after the loop, and whenever the calls have added LOOP_KEEP regions
   * (the copies written back, the regions dropped, and with them what the lookup cache knew), so
   * that the values the calls share stay mapped for the next calls. (Their addresses are not the
   * interpreter's, whose callback runs in frames of its own: a program sees the difference only
   * by taking a pointer for a number.)
   */
  private loop(what: number, n: number): number {
    const memory = this.state!.memory;
    if (what === LOOP.START) {
      if (!this.roomFor(n)) return 0;
      this.loopMarks.push(memory.mark());
      return 1;
    }
    const mark = what === LOOP.END ? this.loopMarks.pop()! : this.loopMarks[this.loopMarks.length - 1]!;
    if (memory.regions.length > (what === LOOP.END ? mark : mark + LOOP_KEEP)) this.dropSince(mark);
    this.noteLoopRegions();
    return 1;
  }

  /**
   * Drop the regions added since `mark` (by a loop's callbacks), as RunContext.callFunction does:
   * their copies written back, and what the caches knew of them gone.
   */
  private dropSince(mark: number): void {
    this.syncOut();
    this.unmapFrom(mark);
    this.state!.memory.truncate(mark);
    this.newGeneration();
  }

  /** The map whose handle is at (lo, hi), with the run's services, or undefined (not a map's handle). */
  private mapAt(lo: number, hi: number): { m: VmMap; run: RunContext } | undefined {
    const st = this.state!;
    const handle = st.memory.regions[(hi - TAG_BASE) >>> 0];
    const run = st.call.services as RunContext | undefined;
    if (handle === undefined || handle.kind !== 'map' || handle.lo(0) !== lo || run?.kind !== 'tsbpf-run-services') return undefined;
    return { m: handle.owner as VmMap, run };
  }

  /**
   * rt.each: a bpf_for_each_map_elem the code runs itself, through the helper's own walk (MapWalk):
   * each element's key and value are mapped for the callback, and written back and dropped after
   * it. START takes the map's handle in halves and the regions a call of the callback may add;
   * anything the code cannot run (not a map it may walk, no room in the region table) it leaves to
   * the helper, which says what is wrong.
   */
  private each(what: number, a: number, b: number, c: number): number {
    if (what === EACH.START) {
      const found = this.mapAt(a, b);
      // (Each element adds its key's and its value's region.)
      if (found === undefined || !ITERABLE.has(found.m.map.spec.type) || !this.roomFor(2 + c)) return 0;
      this.walks.push({ walk: new MapWalk(found.run, found.m), mark: -1 });
      return 1;
    }
    const top = this.walks[this.walks.length - 1]!;
    if (what === EACH.NEXT) {
      const e = top.walk.next();
      if (e === undefined) return 0;
      top.mark = e.mark;
      this.mapRegion(e.key.index, e.key, 0);
      this.mapRegion(e.value.index, e.value, 0);
      this.put64(CTRL + C_EACH, e.key.lo(0), e.key.tag);
      this.put64(CTRL + C_EACH + 8, e.value.lo(0), e.value.tag);
      return 1;
    }
    if (what === EACH.DONE) {
      // As the helper after each callback: what the element and the callback added goes.
      this.dropSince(top.mark);
      return 0;
    }
    this.walks.pop();
    return top.walk.count;
  }

  /**
   * Whether the region table can address the regions a call of a loop's callback adds (`n`) on
   * top of those a loop keeps (LOOP_KEEP): the code reaches them without a check.
   */
  private roomFor(n: number): boolean {
    return this.state!.memory.regions.length + n + LOOP_KEEP < LOW_INDEX;
  }

  /** C_LOOPFULL: whether the inlined bpf_loop running now has more regions than it keeps. */
  private noteLoopRegions(): void {
    const marks = this.loopMarks;
    if (marks.length === 0) return;
    this.i32[(CTRL + C_LOOPFULL) >> 2] = this.state!.memory.regions.length > marks[marks.length - 1]! + LOOP_KEEP ? 1 : 0;
  }

  /**
   * A program of this execution may write a stack frame (the entry program, a tail call's target,
   * the interpreter after a hand-over): from now until the execution ends each run zeroes the
   * frames the run before used (C_ZMASK), where they otherwise stay as zeroed.
   */
  private stackMayBeWritten(): void {
    this.i32[(CTRL + C_ZMASK) >> 2] = -1;
  }

  /** LD_ABS / LD_IND: a big-endian read from the packet view; past its end the program stops with 0. */
  private ldpkt(k: number, size: number, _pc: number): bigint {
    const p = this.state!.packet;
    const o = k >= 0 ? p.data + k : k >= SKF_NET_OFF ? p.net + (k - SKF_NET_OFF) : k >= SKF_LL_OFF ? p.mac + (k - SKF_LL_OFF) : -1;
    if (o < 0 || o + size > p.end) {
      this.i32[(CTRL + C_STATUS) >> 2] = STATUS.STOP;
      return 0n;
    }
    // The bytes as the program sees them now: its copy, when the region is mapped.
    let bytes = p.region.bytes, at = o;
    for (const m of this.mapped) {
      if (m.region === p.region && m.bytes === bytes) {
        bytes = this.u8;
        at = m.phys + o;
        break;
      }
    }
    const st = this.state!;
    if (bytes === p.region.bytes) {
      const f = st.stacks.indexOf(p.region);
      if (f >= 0) { bytes = this.u8; at = STACKS + f * STACK_SIZE + o; }
    }
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + bytes[at + i]!;
    return BigInt(v);
  }

  // ---- runs ----

  /**
   * The run's memory when the caller gives none: one kept Memory holding the input region and the
   * stack frames, reused as they are while nothing changed them.
   */
  private bareMemory(mem: Uint8Array): Memory {
    const memory = this.bare;
    if (memory.low !== undefined) memory.low = undefined;
    let input = this.bareInput;
    if (input === undefined || input.bytes !== mem || !input.writable) {
      input = new Region(0, 'input', 'input', mem, true);
      this.bareInput = input;
    }
    const regions = memory.regions;
    const stacks = this.bareStacks;
    let same = regions.length === 1 + MAX_CALL_FRAMES && stacks !== undefined && this.intact(stacks);
    for (let f = 0; same && f < MAX_CALL_FRAMES; f++) same = regions[1 + f] === stacks![f];
    if (same) {
      regions[0] = input;
    } else {
      memory.truncate(0);
      regions.push(input);
      this.bareStacks = this.addStacks(memory);
    }
    return memory;
  }

  private addStacks(memory: Memory): Region[] {
    const first = memory.regions.length;
    let set = this.stackSets.get(first);
    if (set === undefined || !this.intact(set)) {
      set = STACK_NAMES.map((name, f) => new Region(first + f, name, 'stack', this.stackViews[f]!, true));
      if (this.stackSets.size > 64) this.stackSets.clear();
      this.stackSets.set(first, set);
    }
    for (const r of set) memory.regions.push(r);
    return set;
  }

  /**
   * The run's input region, added to `memory` as Memory.add would add it: a Region made for the
   * same index and bytes in an earlier run is reused (making one, with its DataView, costs more
   * than a short run), unless something changed it since.
   */
  private inputRegion(memory: Memory, bytes: Uint8Array): Region {
    const index = memory.regions.length;
    let r = this.inputs.get(index);
    if (r === undefined || r.bytes !== bytes || !r.writable || r.owner !== undefined) {
      r = new Region(index, 'input', 'input', bytes, true);
      if (this.inputs.size > 64) this.inputs.clear();
      this.inputs.set(index, r);
    }
    memory.regions.push(r);
    return r;
  }

  /** Whether a kept set of stack regions is still ours as made (a helper could have changed one). */
  private intact(set: Region[]): boolean {
    for (let f = 0; f < MAX_CALL_FRAMES; f++) {
      const r = set[f]!;
      if (!r.writable || r.bytes !== this.stackViews[f]) return false;
    }
    return true;
  }

  /** A 64-bit register or counter in CTRL, from its halves (no BigInt on the way in). */
  private put64(at: number, lo: number, hi: number): void {
    this.i32[at >> 2] = lo;
    this.i32[(at >> 2) + 1] = hi;
  }

  private putBig(at: number, v: bigint): void {
    this.u64[at >> 3] = v;
  }

  /**
   * A table keeps every instance that imports it alive (V8 records each importer, to update it
   * when an entry changes): after TABLE_INSTANCES instances, between runs, the context starts a new
   * table, and the instances of the old one (of programs since unloaded) can go.
   */
  private renewTable(): void {
    this.table = this.makeTable();
    this.instances = new WeakMap();
    this.instantiated = 0;
    this.lastJit = undefined;
    this.lastInstance = undefined;
  }

  execute(prog: PreparedProgram, jit: JitProgram, opts: ExecOptions): RunResult {
    if (this.instantiated >= TABLE_INSTANCES) this.renewTable();
    if (this.primary) this.dropIndexes();
    let memory: Memory, input: Region, stacks: Region[];
    if (opts.memory !== undefined) {
      memory = opts.memory;
      // The table addresses regions below the resident window's index; past that, the interpreter.
      if (memory.regions.length + 1 + MAX_CALL_FRAMES > RESIDENT_INDEX) return interpretAll(prog, opts);
      input = this.inputRegion(memory, opts.mem ?? NO_INPUT);
      stacks = this.addStacks(memory);
    } else {
      memory = this.bareMemory(opts.mem ?? NO_INPUT);
      input = this.bareInput!;
      stacks = this.bareStacks!;
    }
    const stack0 = stacks[0]!;
    let packet = opts.packet;
    if (packet === undefined) {
      packet = this.ownPacket;
      packet.region = input;
      packet.end = input.size;
    }
    const call = this.call;
    call.memory = memory;
    call.services = opts.services;
    call.pc = 0;
    call.stop = false;
    call.tail = undefined;
    call.tailCalls = 0;
    const st = this.run;
    st.memory = memory;
    st.call = call;
    st.packet = packet;
    st.stacks = stacks;
    this.state = st;
    if (this.stackBase !== stack0.index) {
      if (this.stackBase >= 0) for (let f = 0; f < MAX_CALL_FRAMES; f++) this.clearEntry(this.stackBase + f);
      for (let f = 0; f < MAX_CALL_FRAMES; f++) this.setEntry(stack0.index + f, STACKS + f * STACK_SIZE, 0, STACK_SIZE, STACK_SIZE);
      this.stackBase = stack0.index;
    }
    const repeat = opts.repeat ?? 1;
    const base = memory.regions.length;
    let mark = base;
    this.budget = opts.budget ?? DEFAULT_BUDGET;
    try {
      this.startRun(opts, input, stack0);
      for (let done = 0; ;) {
        const handed = this.runOnce(prog, jit, opts, input, repeat - done);
        // The compiled code ran this many back to back (at least the one handed over, if any).
        done += Math.max(1, this.i32[(CTRL + C_RUNS) >> 2]!);
        if (done >= repeat) {
          // The regions are written back (finish) before the caller sees the result.
          return handed ?? { r0: this.u64[(CTRL + C_REGS) >> 3]!, insns: this.executed(), mem: input.bytes };
        }
        const clean = this.i32[(CTRL + C_STATUS) >> 2] === STATUS.DONE && handed === undefined;
        mark = this.betweenRuns(opts, base, mark);
        // A run that ended in the code left r1-r9 in CTRL as given (whatever its helpers did).
        if (clean) this.restartRun();
        else this.startRun(opts, input, stack0);
      }
    } finally {
      this.finish();
    }
  }

  /**
   * Between the runs of a repeat: the copies in linear memory stay (nothing outside the compiled
   * code touched the regions since), unless the run called a helper that touches memory or added
   * regions: then the copies are written back, those of the regions the run added dropped, and
   * the caller resets its per-run state. Regions that are all values of map elements stay, with
   * their copies, as the lookup cache may give their addresses to the next runs (up to
   * KEPT_VALUES since the first run's start, `base`): returns the mark the next run's regions
   * start at.
   */
  private betweenRuns(opts: ExecOptions, base: number, mark: number): number {
    const memory = this.state!.memory;
    this.lastDepth = Math.max(this.i32[(CTRL + C_MAXDEPTH) >> 2]!, 0);
    const regions = memory.regions;
    if (this.helperCalls === 0 && regions.length === mark) return mark;
    this.helperCalls = 0;
    let keep: number;
    if (this.top - this.arenaBase <= ARENA_KEEP && regions.length - base <= KEPT_VALUES && onlyMapValues(regions, mark)) {
      // Nothing is written back: the copies stay the code's until a helper or the end needs them.
      keep = regions.length;
    } else {
      this.syncOut();
      // The regions the runs added go; those of the set-up stay mapped, unless the arena grew large.
      if (this.top - this.arenaBase > ARENA_KEEP) {
        this.unmapAll();
        this.resetArena();
      } else this.unmapFrom(base);
      // (The caches may hold addresses in the regions dropped, and a cached tail-call target may
      // need a packet or context the next run maps again: enter.)
      this.newGeneration();
      keep = base;
    }
    if (opts.between !== undefined) opts.between(keep);
    else memory.truncate(keep);
    return keep;
  }

  /**
   * The next run of a repeat after one that ended in the compiled code and called no helper: the
   * run function left r1-r9 in CTRL as they were given (it writes back only r0 and the budget).
   */
  private restartRun(): void {
    const i32 = this.i32;
    const budget = this.budget;
    i32[(CTRL + C_MAXDEPTH) >> 2] = 0;
    i32[(CTRL + C_RUNS) >> 2] = 0;
    i32[(CTRL + C_HELPED) >> 2] = 0;
    i32[(CTRL + C_TAILS) >> 2] = 0;
    i32[(CTRL + C_CUR) >> 2] = 0;
    i32[(CTRL + C_ZERO) >> 2] = ((this.lastDepth + 1) * STACK_SIZE) & i32[(CTRL + C_ZMASK) >> 2]!;
    this.put64(CTRL + C_LEFT, budget >>> 0, Math.floor(budget / 4294967296));
    this.put64(CTRL + C_REGS, 0, 0);
  }

  /** A run's registers, budget and control block, from `opts`. */
  private startRun(opts: ExecOptions, input: Region, stack0: Region): void {
    const i32 = this.i32;
    const budget = this.budget;
    this.ctxIndex = opts.r1 === undefined ? input.index
      : (opts.r1 & 0xffffffffn) === 0n ? (Number(opts.r1 >> 32n) - TAG_BASE) >>> 0 : -1;
    i32[(CTRL + C_STATUS) >> 2] = STATUS.DONE;
    i32[(CTRL + C_DEPTH) >> 2] = 0;
    i32[(CTRL + C_MAXDEPTH) >> 2] = 0;
    i32[(CTRL + C_RUNS) >> 2] = 0;
    i32[(CTRL + C_HELPED) >> 2] = 0;
    i32[(CTRL + C_TAILS) >> 2] = 0;
    i32[(CTRL + C_CUR) >> 2] = 0;
    this.put64(CTRL + C_LEFT, budget >>> 0, Math.floor(budget / 4294967296));
    this.put64(CTRL + C_BUDGET, budget >>> 0, Math.floor(budget / 4294967296));
    this.put64(CTRL + C_FP0, STACK_SIZE, stack0.tag);
    const regs = CTRL + C_REGS;
    this.put64(regs, 0, 0);
    if (opts.r1 === undefined) this.put64(regs + 8, input.lo(0), input.tag); else this.putBig(regs + 8, opts.r1);
    if (opts.r2 === undefined) this.put64(regs + 16, input.size, 0); else this.putBig(regs + 16, opts.r2);
    for (let r = 3; r <= 5; r++) {
      const v = r === 3 ? opts.r3 : r === 4 ? opts.r4 : opts.r5;
      if (v === undefined) this.put64(regs + 8 * r, 0, 0); else this.putBig(regs + 8 * r, v);
    }
    for (let r = 6; r <= 9; r++) this.put64(regs + 8 * r, 0, 0);
    // r10 as the compiled code makes it, for a run handed to the interpreter before it starts.
    this.put64(regs + 80, STACK_SIZE, stack0.tag);
    i32[(CTRL + C_ZERO) >> 2] = (this.lastDepth + 1) * STACK_SIZE;
  }

  /**
   * One run from the control block, through any tail calls: undefined when it ended in the
   * compiled code (r0 and the budget left are in CTRL), else the interpreter's result for a run it
   * finished.
   */
  private runOnce(prog: PreparedProgram, jit: JitProgram, opts: ExecOptions, input: Region, runs: number): RunResult | undefined {
    const call = this.call;
    call.pc = 0;
    call.stop = false;
    call.tail = undefined;
    call.tailCalls = 0;
    this.i32[(CTRL + C_MARKED) >> 2] = 0;
    this.i32[(CTRL + C_BASE) >> 2] = 0;
    let cur = prog, curJit = jit;
    for (;;) {
      let inst = this.lastInstance;
      if (curJit !== this.lastJit || inst === undefined) {
        inst = this.instance(curJit);
        this.lastJit = curJit;
        this.lastInstance = inst;
      }
      this.wantLow = curJit.directPacket;
      this.ctxNeed = curJit.directCtx ? curJit : undefined;
      if (curJit.writesStack) this.stackMayBeWritten();
      this.current = cur;
      // Direct packet accesses need the packet in the low window (where the context's data pointers
      // point), direct context accesses a context; a run without them goes to the interpreter.
      if ((curJit.directPacket && !this.ensureLow()) || (curJit.directCtx && !this.ensureCtx(curJit))) {
        return this.handOver(cur, opts, input, 0, this.executed(), 0);
      }
      if (curJit.directValues) this.ensureGlobals(curJit);
      let status: number;
      try {
        status = inst.run(runs);
      } catch (e) {
        // Compiled code has no trap a program can reach: one would be a JIT bug, reported as such.
        if (e instanceof WebAssembly.RuntimeError) throw new BpfError('EFAULT', `the JIT's code for this program trapped (${e.message}); this is a bug in tsbpf's JIT: --engine interp runs it`);
        throw e;
      }
      if (status === STATUS.DONE || status === STATUS.STOP) return undefined;
      // Where the run left: in the program a tail call (enter) may have moved it to.
      cur = this.running();
      const depth = this.i32[(CTRL + C_DEPTH) >> 2]!;
      let pc = this.i32[(CTRL + C_PC) >> 2]!;
      let caller: PreparedProgram | undefined;
      if (status === STATUS.TAIL) {
        const target = call.tail!;
        call.tail = undefined;
        this.i32[(CTRL + C_STATUS) >> 2] = STATUS.DONE;
        const tj = depth === 0 ? jitOf(target) : 'a tail call from a subprogram';
        if (typeof tj !== 'string' && this.canRun(tj)) {
          cur = target;
          curJit = tj;
          // The same run goes on in the target's module: one run of it, not counted again.
          runs = 1;
          this.i32[(CTRL + C_RUNS) >> 2]--;
          this.i32[(CTRL + C_CUR) >> 2] = 0;
          continue;
        }
        // From a subprogram, the target takes its place: the callers' frames stay the program's.
        if (depth > 0) caller = cur;
        cur = target;
        pc = 0;
      }
      return this.handOver(cur, opts, input, pc, this.executed(), depth, caller);
    }
  }

  /** Whether this run's budget is one the code enforces (code without checks needs no budget). */
  private canRun(jit: JitProgram): boolean {
    return jit.budgeted || this.budget >= UNLIMITED_BUDGET;
  }

  /** Instructions the run has executed: the budget less what is left in CTRL (below 2^53, so its halves make it a number exactly). */
  private executed(): number {
    return this.budget - ((this.i32[(CTRL + C_LEFT) >> 2]! >>> 0) + this.i32[((CTRL + C_LEFT) >> 2) + 1]! * 4294967296);
  }

  /** Continue the run on the interpreter from the state the compiled code left in CTRL. */
  private handOver(prog: PreparedProgram, opts: ExecOptions, input: Region, pc: number, count: number, depth: number, caller?: PreparedProgram): RunResult {
    const st = this.state!;
    handOvers++;
    // Frames below C_MARKED are their programs'; the others `caller`'s (a tail call from a
    // subprogram the compiled code did not take) or `prog`'s.
    const i32 = this.i32;
    const marked = Math.min(i32[(CTRL + C_MARKED) >> 2]!, depth);
    let callers: (PreparedProgram | undefined)[] | undefined;
    const bases: number[] = [];
    if (marked > 0 || caller !== undefined) {
      callers = [];
      for (let f = 0; f < depth; f++) {
        const at = CTRL + C_FRAMES + f * FRAME_RECORD;
        callers.push(f < marked ? this.programAt(i32[(at + F_PROG) >> 2]!) : caller);
        bases.push(f < marked ? i32[(at + F_BASE) >> 2]! : i32[(CTRL + C_BASE) >> 2]!);
      }
    }
    // (The target of a tail call the code did not take starts in the frame of the call.)
    const base = caller !== undefined ? depth : i32[(CTRL + C_BASE) >> 2]!;
    this.stackMayBeWritten();
    this.syncOut();
    this.unmapAll();
    // The interpreter's helper calls may write maps without the context knowing.
    this.newGeneration();
    const regs: bigint[] = [];
    for (let r = 0; r <= 10; r++) regs.push(this.u64[((CTRL + C_REGS) >> 3) + r]!);
    const saved: { ret: number; regs: bigint[] }[] = [];
    for (let k = 0; k < depth; k++) {
      const at = CTRL + C_FRAMES + k * FRAME_RECORD;
      const r: bigint[] = [];
      for (let j = 0; j < 4; j++) r.push(this.u64[(at + F_REGS + 8 * j) >> 3]!);
      saved.push({ ret: this.i32[(at + F_RET) >> 2]!, regs: r });
    }
    return resume(prog, { ...opts, memory: st.memory, packet: st.packet }, st.memory, input, {
      pc, count, frame: depth, regs, saved, tailCalls: st.call.tailCalls, callers, bases, base,
    });
  }

  private resetArena(): void {
    this.top = this.arenaBase;
  }

  /** After every run, however it ended: regions written back, the table and the arena empty. */
  private finish(): void {
    const st = this.state;
    if (st === undefined) return;
    this.syncOut();
    this.unmapAll();
    this.resetArena();
    this.helperCalls = 0;
    this.loopMarks = [];
    this.walks = [];
    this.i32[(CTRL + C_LOOPFULL) >> 2] = 0;
    this.i32[(CTRL + C_ZMASK) >> 2] = 0;
    this.dropIndexes();
    this.wantLow = false;
    this.ctxNeed = undefined;
    this.current = undefined;
    if (this.entered.length !== 0) {
      for (const inst of this.entered) {
        this.table.set(inst.entry, null);
        inst.entry = -1;
      }
      this.entered = [];
      this.enteredProgs = [];
    }
    // The table entries are gone and the maps may change before the next execution.
    this.newGeneration();
    this.lastDepth = Math.max(this.i32[(CTRL + C_MAXDEPTH) >> 2]!, 0);
    this.state = undefined;
  }

  get busy(): boolean {
    return this.state !== undefined;
  }
}

/**
 * Copies between a region and its copy. Most regions a run maps are map values of a few bytes, for
 * which a loop beats set(), which with a subarray allocates a view.
 */
function copyIn(u8: Uint8Array, bytes: Uint8Array, at: number): void {
  const n = bytes.length;
  if (n > 64) u8.set(bytes, at);
  else for (let i = 0; i < n; i++) u8[at + i] = bytes[i]!;
}

/** Whether a mapping has a copy of its own in the arena (not inside another's, not resident). */
function ownsCopy(m: Mapping): boolean {
  return m.owner === undefined && !m.resident;
}

function copyOut(u8: Uint8Array, m: Mapping): void {
  const bytes = m.bytes, at = m.phys, n = bytes.length;
  if (n > 64) bytes.set(u8.subarray(at, at + n));
  else for (let i = 0; i < n; i++) bytes[i] = u8[at + i]!;
}

function failure(kind: number, pc: number): BpfError {
  if (kind === FAIL.LOOP) return new BpfError('EHELPER', `insn ${pc}: bpf_loop: the callback left the compiled code mid-loop (a JIT bug)`, { insn: pc });
  if (kind === FAIL.CALL_DEPTH) return new BpfError('ELIMIT', `insn ${pc}: the call stack is too deep: more than ${MAX_CALL_FRAMES} frames`, { insn: pc });
  return new BpfError('EFAULT', `insn ${pc}: execution fell off the end of the program (the last instruction is not exit or a jump)`, { insn: pc });
}

/** The runs of `opts` (its repeat) on the interpreter, each cleaned up after as the JIT does. */
function interpretAll(prog: PreparedProgram, opts: ExecOptions): RunResult {
  const repeat = opts.repeat ?? 1;
  for (let i = 1; ; i++) {
    const mark = opts.memory?.regions.length ?? 0;
    const r = execute(prog, opts);
    if (i >= repeat) return r;
    if (opts.between !== undefined) opts.between(mark);
    else opts.memory?.truncate(mark);
  }
}

// The resident window lies between the fixed areas and the primary context's arena.
if (ARENA > RESIDENT_BASE) throw new Error(`jit: the fixed areas (${ARENA} bytes) reach into the resident window at ${RESIDENT_BASE}`);

/** The context on the resident memory, and others for runs inside its runs. */
let primary: JitContext | undefined;
const pool: JitContext[] = [];

let handOvers = 0;

/** How many times compiled code has handed a run to the interpreter in this process (tests and benchmarks watch it). */
export function interpreterHandOvers(): number {
  return handOvers;
}
/** Instances a context's table may collect before the context makes a new one (renewTable). */
const TABLE_INSTANCES = 256;
/** Arena bytes a repeat may fill with copies before betweenRuns starts it again. */
const ARENA_KEEP = 1 << 20;
/** Regions of map values the runs of a repeat may keep (betweenRuns): as many as the lookup cache can name. */
const KEPT_VALUES = LOOKUP_ENTRIES;

function onlyMapValues(regions: readonly Region[], from: number): boolean {
  for (let i = from; i < regions.length; i++) if (regions[i]!.kind !== 'map_value') return false;
  return true;
}

/**
 * Run a prepared program compiled to WebAssembly, with the interpreter's options and results.
 * Traced runs, runs from another entry point (callbacks) and programs the compiler cannot nest
 * run on the interpreter.
 */
export function executeJit(prog: PreparedProgram, opts: ExecOptions = {}): RunResult {
  if (opts.trace !== undefined || (opts.entry !== undefined && opts.entry !== 0)) return interpretAll(prog, opts);
  const jit = jitOf(prog);
  if (typeof jit === 'string' || (!jit.budgeted && (opts.budget ?? DEFAULT_BUDGET) < UNLIMITED_BUDGET)) return interpretAll(prog, opts);
  // (Without shared memories nothing is resident: the first context is like the others.)
  let ctx: JitContext = (primary ??= new JitContext(SHARED_MEMORY));
  if (ctx.busy) {
    const pooled = pool.pop();
    ctx = pooled === undefined || pooled.busy ? new JitContext() : pooled;
  }
  try {
    return ctx.execute(prog, jit, opts);
  } finally {
    if (ctx !== primary && pool.length < 4) pool.push(ctx);
  }
}
