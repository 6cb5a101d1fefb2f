/**
 * The userspace kernel: the maps and programs one VM holds, their addresses in its memory, and
 * runs of programs with the services helpers need. It plays the part bpf(2) plays in Linux:
 * objects get ids, programs reference maps by address after loading, and every run sees the maps
 * as they are, shared with user space.
 */
import { createHash } from 'node:crypto';
import { BpfError } from '../errors.js';
import { PSEUDO, PSEUDO_NAMES } from '../isa/opcodes.js';
import { type Insn, isLddw, lddwFromValue, slotOffsets } from '../isa/insn.js';
import { createMap, DEFAULT_NCPUS, type MapBase, type MapSpec } from '../maps/index.js';
import type { Btf } from '../btf/btf.js';
import { HelperRegistry } from '../helpers/registry.js';
import { Memory, Region } from './memory.js';
import { prepare, execute, type PreparedProgram, type PacketView, type TraceFn } from './interpreter.js';
import type { RunResult } from './api.js';
import type { RunServices } from './services.js';
import { hostEnv, type Env } from './env.js';
import { executeJit } from '../jit/context.js';
import { DEFAULT_ENGINE, type Engine } from '../jit/engine.js';
import type { ObjectSpec, ProgramSpec } from '../elf/object.js';
import { findProgType } from '../progtypes/table.js';
import { verifyProgram } from '../verifier/verify.js';
import { UNLIMITED_BUDGET } from './interpreter.js';
import type { ProvenFacts } from '../verifier/proven.js';

/**
 * Whether loading a program into the VM runs the verifier first, as bpf(BPF_PROG_LOAD) does. The
 * one switch for the default: `verify: false` (VmOptions, LoadProgramSpec) and the CLI's
 * `--no-verify` skip it for one VM or one load, for tests that run unsafe programs on purpose.
 */
export const VERIFY_ON_LOAD = true;

/** A map held by the VM. */
export interface VmMap {
  readonly id: number;
  readonly name: string;
  readonly map: MapBase;
  /** The address programs hold for this map (lddw of the map); not dereferenceable. */
  readonly handle: Region;
  readonly btf?: Btf;
  readonly btfKeyTypeId?: number;
  readonly btfValueTypeId?: number;
  /** The region of element 0 of an array map, for direct value access (global data). */
  valueRegion?: Region;
}

/** A program loaded into the VM. */
export interface VmProgram {
  readonly id: number;
  readonly name: string;
  /** Program type (kernel name, e.g. 'xdp', 'socket_filter'), or 'unspec' for bare programs. */
  readonly type: string;
  readonly section?: string;
  /** The instructions as given (map references still symbolic). */
  readonly insns: readonly Insn[];
  /** The instructions as they run: map references replaced by addresses. */
  readonly xlated: readonly Insn[];
  readonly prepared: PreparedProgram;
  readonly mapIds: readonly number[];
  readonly license: string;
  /** The kernel's tag: the first 8 bytes of the SHA-1 of the instructions, map references zeroed. */
  readonly tag: string;
  readonly loadedAt: Date;
  /** Source line of each slot, when the object has BTF line info. */
  readonly lineInfo?: readonly (SourceLineInfo | undefined)[];
  /** The function each part of the program comes from, by start slot. */
  readonly functions?: readonly { name: string; slot: number }[];
  /** Where function pointers (bpf_loop callbacks) of this program point: a region owned by it. */
  readonly code: Region;
  /** The engine its runs use unless a run says otherwise. */
  readonly engine: Engine;
}

export interface SourceLineInfo {
  fileName: string;
  line: number;
  col: number;
  lineText: string;
}

export interface LoadProgramSpec {
  name: string;
  type?: string;
  section?: string;
  insns: readonly Insn[];
  license?: string;
  /** What PSEUDO.MAP_IDX / MAP_IDX_VALUE indices refer to (the object's maps, in order). */
  maps?: readonly VmMap[];
  lineInfo?: readonly (SourceLineInfo | undefined)[];
  functions?: readonly { name: string; slot: number }[];
  file?: string;
  /** The engine that runs it (default: the VM's). */
  engine?: Engine;
  /** Run the verifier first (default: the VM's setting). Programs without a type are not verified. */
  verify?: boolean;
  /** What the verifier reads beyond the instructions: BTF line and function info, the object's BTF. */
  program?: ProgramSpec;
  object?: ObjectSpec;
}

export interface VmOptions {
  /** CPUs the per-CPU maps have (default 2). */
  nCpus?: number;
  env?: Env;
  helpers?: HelperRegistry;
  /** The engine programs loaded into this VM run on (default DEFAULT_ENGINE). */
  engine?: Engine;
  /** Verify every program loaded (default VERIFY_ON_LOAD). */
  verify?: boolean;
}

export interface RunSetup {
  /** r1 at entry: usually the context's address. */
  r1: bigint;
  r2?: bigint;
  packet?: PacketView;
}

export interface VmRunOptions {
  budget?: number;
  trace?: TraceFn;
  /** The CPU the run is on (default: env.cpu). */
  cpu?: number;
  /** The engine of this run (default: the program's). Traced runs always use the interpreter. */
  engine?: Engine;
}

/**
 * One run's services for helpers (see vm/services.ts): the VM, the program, the CPU, and what the
 * program type set up (context, packet). Values of maps get addresses here, for the run only.
 */
export class RunContext implements RunServices {
  readonly kind = 'tsbpf-run-services' as const;
  /** Set by the program type: what a run's context and packet are. */
  ctx: Region | undefined = undefined;
  packet: PacketView | undefined = undefined;
  /** Program-type state helpers may change (an XDP redirect target, a tc classid...). */
  readonly state: Record<string, unknown> = {};
  /**
   * The region last made for each map value (a live view from a map), in any run: one still in
   * memory is the value's address for this run too (the same view gets the same address, as a run
   * needs). Weak: a deleted element's value goes. (Memory.add brings back one a run's end dropped.)
   */
  private static readonly valueRegions = new WeakMap<Uint8Array, Region>();

  constructor(readonly vm: Vm, readonly program: VmProgram, readonly cpu: number) {}

  get memory(): Memory {
    return this.vm.memory;
  }

  get env(): Env {
    return this.vm.env;
  }

  /** The map whose handle `addr` is, or undefined. */
  mapAt(addr: bigint): VmMap | undefined {
    const region = this.vm.memory.regionAt(addr);
    if (region === undefined || region.kind !== 'map') return undefined;
    return region.owner as VmMap;
  }

  /** The address at which a map value (a live view from a map) is visible to this run. */
  addressOf(view: Uint8Array, writable: boolean, name: string): bigint {
    return this.valueRegion(view, writable, name).addr(0);
  }

  /** The region of a map value (a live view from a map) in this run (addressOf's). */
  valueRegion(view: Uint8Array, writable: boolean, name: string): Region {
    const memory = this.vm.memory;
    const r = RunContext.valueRegions.get(view);
    if (r !== undefined && (memory.regions[r.index] === r || memory.readd(r, name, 'map_value', view, writable))) return r;
    const added = memory.add(name, 'map_value', view, writable);
    if (added !== r) RunContext.valueRegions.set(view, added);
    return added;
  }

  /** Give any bytes an address for this run (ringbuf records, scratch buffers). */
  addRegion(name: string, kind: Region['kind'], bytes: Uint8Array, writable = true): Region {
    return this.vm.memory.add(name, kind, bytes, writable);
  }

  /** The program and slot a function pointer (lddw of a function) stands for. */
  functionAt(addr: bigint): { program: VmProgram; slot: number } | undefined {
    const hi = Number((addr >> 32n) & 0xffffffffn) | 0;
    const region = this.vm.memory.regionOf(hi);
    if (region === undefined || region.kind !== 'code') return undefined;
    const program = region.owner as VmProgram | undefined;
    const slot = Number(addr & 0xffffffffn);
    return program !== undefined && slot < program.prepared.slots ? { program, slot } : undefined;
  }

  /**
   * Call a BPF function of the running program (a bpf_loop or for_each_map_elem callback) with up
   * to five arguments, in the same memory; returns its r0.
   */
  callFunction(fn: bigint, args: readonly bigint[], budget?: number): { r0: bigint; insns: number } {
    const target = this.functionAt(fn);
    if (target === undefined) throw new BpfError('EINVAL', `0x${fn.toString(16)} is not the address of a BPF function`);
    const mark = this.vm.memory.mark();
    try {
      const r = execute(target.program.prepared, {
        memory: this.vm.memory, services: this, entry: target.slot, budget,
        r1: args[0], r2: args[1] ?? 0n, r3: args[2], r4: args[3], r5: args[4], packet: this.packet,
      });
      return { r0: r.r0, insns: r.insns };
    } finally {
      // Everything the callback added goes (its stack frames, the values it looked up), so a
      // million-iteration bpf_loop does not pile up regions; a callback returns scalars.
      this.releaseSince(mark);
    }
  }

  /**
   * Between the runs of a repeat on one set-up: drop what the last run added to memory (from
   * `mark`) and give the run state back what the set-up left in it (a redirect target, a held
   * lock... are one run's).
   */
  resetRun(mark: number, state: Readonly<Record<string, unknown>>): void {
    this.releaseSince(mark);
    const s = this.state;
    for (const k of Object.keys(s)) if (!(k in state)) delete s[k];
    Object.assign(s, state);
  }

  private releaseSince(mark: number): void {
    this.vm.memory.truncate(mark);
  }

  /** Read a NUL-terminated string of at most `max` bytes (the NUL not counted) at `addr`. */
  readCString(addr: bigint, max: number, what: string): string {
    const at = this.vm.memory.resolve(addr);
    if (at === undefined) this.vm.memory.view(addr, 1, false, what); // throws the EFAULT
    const { region, offset } = at!;
    const end = Math.min(region.size, offset + max);
    const bytes = region.bytes.subarray(offset, end);
    const nul = bytes.indexOf(0);
    return new TextDecoder().decode(nul < 0 ? bytes : bytes.subarray(0, nul));
  }
}

/** A code region's bytes: none (a program's code is not memory a program can read). */
const NO_CODE = new Uint8Array(0);

export class Vm {
  readonly memory = new Memory();
  /** Indices of code regions of unloaded programs (codeRegion). */
  private readonly freeCode: number[] = [];
  readonly maps = new Map<number, VmMap>();
  readonly programs = new Map<number, VmProgram>();
  readonly nCpus: number;
  env: Env;
  helpers: HelperRegistry;
  /** The engine of programs loaded without one. */
  engine: Engine;
  /** Programs are verified when loaded (VmOptions.verify). */
  verify: boolean;
  /** trace_printk output, formatted like the lines of trace_pipe. */
  readonly traceLog: string[] = [];
  private nextMapId = 1;
  private nextProgId = 1;

  constructor(opts: VmOptions = {}) {
    this.nCpus = opts.nCpus ?? DEFAULT_NCPUS;
    this.env = opts.env ?? hostEnv();
    this.helpers = opts.helpers ?? new HelperRegistry();
    this.engine = opts.engine ?? DEFAULT_ENGINE;
    this.verify = opts.verify ?? VERIFY_ON_LOAD;
    this.memory.reuseStacks = true;
  }

  createMap(spec: MapSpec, meta: { btf?: Btf; btfKeyTypeId?: number; btfValueTypeId?: number } = {}): VmMap {
    const map = createMap(spec, {
      nCpus: this.nCpus,
      resolveMap: (id) => this.maps.get(id)?.map.spec,
    }) as MapBase;
    const id = this.nextMapId++;
    const handle = this.memory.add(`map '${spec.name}'`, 'map', new Uint8Array(0), false);
    const entry: VmMap = { id, name: spec.name, map, handle, ...meta };
    handle.owner = entry;
    this.maps.set(id, entry);
    return entry;
  }

  /**
   * Unload a program: its id goes, and nothing in the VM keeps it or its compiled code alive (its
   * empty code region stays, so that the addresses of later regions do not move). False when there
   * is no such program.
   */
  unloadProgram(id: number): boolean {
    const p = this.programs.get(id);
    if (p === undefined) return false;
    this.programs.delete(id);
    p.code.owner = undefined;
    this.freeCode.push(p.code.index);
    return true;
  }

  /**
   * A region for a program's code (function pointers are addresses in it): at the index of an
   * unloaded program's when there is one, so loading and unloading programs does not grow memory.
   */
  private codeRegion(name: string): Region {
    const at = this.freeCode.pop();
    if (at === undefined) return this.memory.add(name, 'code', NO_CODE, false);
    const r = new Region(at, name, 'code', NO_CODE, false);
    this.memory.regions[at] = r;
    return r;
  }

  mapByName(name: string): VmMap | undefined {
    for (const m of this.maps.values()) if (m.name === name) return m;
    return undefined;
  }

  /** The persistent region of element 0 of an array map (direct value access, global data). */
  private valueRegion(m: VmMap, where: string): Region {
    if (m.valueRegion) return m.valueRegion;
    const t = m.map.spec.type;
    if (t !== 'array') {
      throw new BpfError('EINVAL', `${where}: direct value access needs an array map, and map '${m.name}' is a ${t} map`);
    }
    const view = m.map.lookupView(new Uint8Array(4), 0);
    if (!view) throw new BpfError('EINVAL', `${where}: map '${m.name}' has no element 0`);
    const readOnly = (m.map.spec.flags & (1 << 7)) !== 0; // BPF_F_RDONLY_PROG
    m.valueRegion = this.memory.add(`map '${m.name}' value`, 'global', view, !readOnly);
    return m.valueRegion;
  }

  /**
   * Load a program: resolve its map and function references to addresses (the kernel's
   * resolve_pseudo_ldimm64), check every instruction, and give it an id.
   */
  loadProgram(spec: LoadProgramSpec): VmProgram {
    // A type the VM has no context for cannot be verified (nor run); it may still be loaded to be listed.
    let proven: ProvenFacts | undefined;
    if ((spec.verify ?? this.verify) && spec.type !== undefined && findProgType(spec.type)) {
      try {
        proven = verifyProgram(spec.insns, {
          progType: spec.type, maps: (spec.maps ?? []).map((m) => m.map.spec), helpers: this.helpers,
          ...(spec.program ? { program: spec.program } : {}), ...(spec.object ? { object: spec.object } : {}),
        }).proven;
      } catch (e) {
        if (e instanceof BpfError) e.message = `${spec.file ? spec.file + ': ' : ''}program '${spec.name}': ${e.message}`;
        throw e;
      }
    }
    const id = this.nextProgId++;
    const code = this.codeRegion(`code of '${spec.name}'`);
    const offsets = slotOffsets(spec.insns);
    const mapIds = new Set<number>();
    const where = (i: number): string => `${spec.file ? spec.file + ': ' : ''}program '${spec.name}': insn ${offsets[i]}`;
    const mapOf = (i: number, insn: Insn): VmMap => {
      const byIdx = insn.src === PSEUDO.MAP_IDX || insn.src === PSEUDO.MAP_IDX_VALUE;
      const m = byIdx ? spec.maps?.[insn.imm] : this.maps.get(insn.imm);
      if (!m) {
        throw new BpfError('EINVAL', `${where(i)}: lddw refers to ${byIdx ? 'map index' : 'map id'} ${insn.imm}, which does not exist`, { insn: offsets[i] });
      }
      mapIds.add(m.id);
      return m;
    };
    const xlated = spec.insns.map((insn, i): Insn => {
      if (!isLddw(insn) || insn.src === PSEUDO.IMM64) return insn;
      switch (insn.src) {
        case PSEUDO.MAP_FD:
        case PSEUDO.MAP_IDX:
          return lddwFromValue(insn.dst, mapOf(i, insn).handle.addr(0));
        case PSEUDO.MAP_VALUE:
        case PSEUDO.MAP_IDX_VALUE: {
          const m = mapOf(i, insn);
          const r = this.valueRegion(m, where(i));
          const off = (insn.imm2 ?? 0) >>> 0;
          if (off >= r.size) {
            throw new BpfError('EINVAL', `${where(i)}: offset ${off} is outside the ${r.size}-byte value of map '${m.name}'`, { insn: offsets[i] });
          }
          return lddwFromValue(insn.dst, r.addr(off));
        }
        case PSEUDO.FUNC: {
          const target = offsets[i]! + 1 + insn.imm;
          return lddwFromValue(insn.dst, (BigInt(code.tag >>> 0) << 32n) | BigInt(target >>> 0));
        }
        default:
          throw new BpfError('EINVAL', `${where(i)}: lddw with src=${insn.src} (${PSEUDO_NAMES[insn.src] ?? 'unknown'}) is not supported by the VM`, { insn: offsets[i] });
      }
    });
    const prepared = prepare(xlated, { helpers: this.helpers, file: spec.file ? `${spec.file}: program '${spec.name}'` : `program '${spec.name}'` });
    prepared.proven = proven;
    const prog: VmProgram = {
      id, name: spec.name, type: spec.type ?? 'unspec', section: spec.section,
      insns: spec.insns, xlated, prepared, mapIds: [...mapIds], license: spec.license ?? '',
      tag: programTag(spec.insns), loadedAt: new Date(), lineInfo: spec.lineInfo, functions: spec.functions, code,
      engine: spec.engine ?? this.engine,
    };
    code.owner = prog;
    this.programs.set(id, prog);
    return prog;
  }

  /**
   * Run a program `n` times on one set-up, as BPF_PROG_TEST_RUN's repeat does: the context and the
   * packet carry over from run to run, and what a run adds (map values it looked up, a redirect
   * target) is dropped before the next. The JIT keeps its copies of the regions across the runs
   * (and the map values a run looked up, for its lookup cache), so a run costs little more than the
   * program; the interpreter runs them one by one. Returns
   * the last run's result.
   */
  runRepeat(prog: VmProgram, setup: (run: RunContext) => RunSetup, n: number, opts: VmRunOptions = {}): { result: RunResult; run: RunContext } {
    const engine = opts.trace === undefined ? opts.engine ?? prog.engine : 'interp';
    if (engine === 'jit' || n <= 1) return this.runOn(prog, setup, Math.max(1, n), opts);
    let last = this.run(prog, setup, opts);
    for (let i = 1; i < n; i++) last = this.run(prog, setup, opts);
    return last;
  }

  /**
   * Run a program once. `setup` makes the run's context and packet (program types do this) and
   * says what r1 is; everything it and the run add to memory is released afterwards.
   */
  run(prog: VmProgram, setup: (run: RunContext) => RunSetup, opts: VmRunOptions = {}): { result: RunResult; run: RunContext } {
    return this.runOn(prog, setup, 1, opts);
  }

  /** `n` runs on one set-up (more than one only on the JIT, which resets each run's state itself). */
  private runOn(prog: VmProgram, setup: (run: RunContext) => RunSetup, n: number, opts: VmRunOptions): { result: RunResult; run: RunContext } {
    const ctx = new RunContext(this, prog, opts.cpu ?? this.env.cpu);
    const mark = this.memory.mark();
    try {
      const s = setup(ctx);
      ctx.packet = s.packet ?? ctx.packet;
      const engine = opts.trace === undefined ? opts.engine ?? prog.engine : 'interp';
      const state = n > 1 ? { ...ctx.state } : undefined;
      const result = (engine === 'jit' ? executeJit : execute)(prog.prepared, {
        memory: this.memory, services: ctx, r1: s.r1, r2: s.r2 ?? 0n, packet: ctx.packet,
        budget: opts.budget ?? (prog.prepared.proven ? UNLIMITED_BUDGET : undefined), trace: opts.trace,
        ...(state !== undefined ? { repeat: n, between: (m: number) => ctx.resetRun(m, state) } : {}),
      });
      return { result, run: ctx };
    } catch (e) {
      throw withSourceLine(e, prog);
    } finally {
      this.memory.truncate(mark);
      this.memory.low = undefined;
    }
  }
}

/**
 * Name the program and, where BTF line info says, the source line of the instruction an error
 * points at: `program 'count': insn 7: invalid read ... (at prog.c:12: x = *p;)`.
 */
export function withSourceLine(e: unknown, prog: VmProgram): unknown {
  if (!(e instanceof BpfError)) return e;
  const slot = e.place.insn;
  const line = slot === undefined ? undefined : sourceLineAt(prog, slot);
  const named = e.message.startsWith('program ') || e.message.includes(`program '${prog.name}'`) ? e.message : `program '${prog.name}': ${e.message}`;
  const msg = line ? `${named} (at ${line.fileName.replace(/^.*\//, '')}:${line.line}: ${line.lineText.trim()})` : named;
  if (msg === e.message) return e;
  const out = new BpfError(e.code, msg, e.place);
  out.stack = e.stack;
  return out;
}

/** The source line of a slot: the closest line-info record at or before it. */
export function sourceLineAt(prog: VmProgram, slot: number): SourceLineInfo | undefined {
  const li = prog.lineInfo;
  if (!li) return undefined;
  for (let s = Math.min(slot, li.length - 1); s >= 0; s--) if (li[s]) return li[s];
  return undefined;
}

/**
 * The kernel's program tag (bpf_prog_calc_tag): a hash over the instructions as libbpf hands them
 * to the kernel, with both immediates of every map reference zeroed; the first 8 bytes, in hex.
 * Map references by index (src 5/6) are what libbpf turns into fd references (src 1/2) first.
 */
export function programTag(insns: readonly Insn[], hash: 'sha256' | 'sha1' = 'sha256'): string {
  // Linux hashes with SHA-256 since 6.18 (for signed programs) and with SHA-1 before.
  const h = createHash(hash);
  const buf = new Uint8Array(8);
  const dv = new DataView(buf.buffer);
  const put = (code: number, dst: number, src: number, off: number, imm: number): void => {
    dv.setUint8(0, code); dv.setUint8(1, (dst & 0xf) | ((src & 0xf) << 4)); dv.setInt16(2, off, true); dv.setInt32(4, imm, true);
    h.update(buf);
  };
  for (const insn of insns) {
    if (!isLddw(insn)) {
      put(insn.code, insn.dst, insn.src, insn.off, insn.imm);
      continue;
    }
    const src = insn.src === PSEUDO.MAP_IDX ? PSEUDO.MAP_FD : insn.src === PSEUDO.MAP_IDX_VALUE ? PSEUDO.MAP_VALUE : insn.src;
    const isMap = src === PSEUDO.MAP_FD || src === PSEUDO.MAP_VALUE;
    put(insn.code, insn.dst, src, insn.off, isMap ? 0 : insn.imm);
    put(0, 0, 0, 0, isMap ? 0 : insn.imm2 ?? 0);
  }
  return h.digest('hex').slice(0, 16);
}
