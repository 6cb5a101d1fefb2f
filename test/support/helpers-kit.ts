/**
 * What the helper tests share: compiling test/c/helpers_*.c and loading it into a VM with the
 * kernel helpers and a fixed environment, runs with a tracing-style context, small PacketOps for
 * XDP and tc runs (until src/progtypes provides the real ones), and BPF_PROG_TEST_RUN through
 * bpftool for comparing with the kernel.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadObjectSpec } from '../../src/elf/object.js';
import { kernelHelpers } from '../../src/helpers/index.js';
import { fixedEnv, type Env } from '../../src/vm/env.js';
import { loadObjectIntoVm, type VmObject } from '../../src/vm/load-object.js';
import { LOW_BASE, type Region } from '../../src/vm/memory.js';
import { PACKET_OPS, type PacketOps } from '../../src/vm/packet-ops.js';
import { Vm, type RunContext, type VmProgram } from '../../src/vm/runtime.js';
import type { RunResult } from '../../src/vm/api.js';
import { clangMissing, compileObject, elfTools } from './elf-tools.js';

export { clangMissing };

export interface Loaded {
  vm: Vm;
  obj: VmObject;
  path: string;
  prog(name: string): VmProgram;
  /** A u64 (little-endian, signed) from an array or hash map whose key is a u32. */
  value(map: string, key: number): bigint | undefined;
  /** The raw value bytes of a u32 key. */
  bytes(map: string, key: number): Uint8Array | undefined;
  /** The current bytes of a global variable (.bss, .data or .rodata), found through BTF. */
  global(name: string): Uint8Array;
  /** A global char array up to its NUL. */
  globalString(name: string): string;
}

export function u32Key(k: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, k >>> 0, true);
  return b;
}

export function u64Bytes(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

/** Compile test/c/<name>.c and load it into a fresh VM with every kernel helper. */
export function loadHelpersObject(name: string, opts: { env?: Env; nCpus?: number } = {}): Loaded {
  const compiled = compileObject(name);
  const spec = loadObjectSpec(compiled.bytes, { file: `${name}.o` });
  const vm = new Vm({ helpers: kernelHelpers(), env: opts.env ?? fixedEnv(), nCpus: opts.nCpus });
  const obj = loadObjectIntoVm(vm, spec);
  const mapOf = (m: string) => {
    const vmMap = obj.maps.get(m) ?? vm.mapByName(m);
    if (!vmMap) throw new Error(`no map ${m} in ${name} (maps: ${[...obj.maps.keys()].join(', ')})`);
    return vmMap.map;
  };
  return {
    vm, obj, path: compiled.path,
    prog(p) {
      const prog = obj.programs.get(p);
      if (!prog) throw new Error(`no program ${p} in ${name} (programs: ${[...obj.programs.keys()].join(', ')})`);
      return prog;
    },
    bytes: (m, key) => mapOf(m).lookup(u32Key(key)),
    global(v) {
      for (const om of spec.maps) {
        if (!['.bss', '.data', '.rodata'].includes(om.section)) continue;
        const found = spec.btf?.datasec(om.section)?.vars.find((x) => x.name === v);
        if (found) return mapOf(om.name).lookup(u32Key(0))!.subarray(found.offset, found.offset + found.size);
      }
      throw new Error(`no global variable ${v} in ${name}`);
    },
    globalString(v) {
      const b = this.global(v);
      const nul = b.indexOf(0);
      return new TextDecoder().decode(nul < 0 ? b : b.subarray(0, nul));
    },
    value(m, key) {
      const v = mapOf(m).lookup(u32Key(key));
      return v === undefined ? undefined : new DataView(v.buffer, v.byteOffset, v.byteLength).getBigInt64(0, true);
    },
  };
}

/** Little-endian u64 words as the bytes of a tracing-style context. */
export function ctxWords(...words: (bigint | number)[]): Uint8Array {
  const b = new Uint8Array(Math.max(64, words.length * 8));
  const dv = new DataView(b.buffer);
  words.forEach((w, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(w)), true));
  return b;
}

export interface Ran {
  result: RunResult;
  /** r0 as the program's int return value. */
  ret: number;
  run: RunContext;
  ctx: Region;
}

/** Run a program with r1 pointing at a context region holding `ctx` (what a kprobe's pt_regs would be). */
export function runCtx(vm: Vm, prog: VmProgram, ctx: Uint8Array = ctxWords(), setup?: (run: RunContext) => void, cpu?: number): Ran {
  let region: Region | undefined;
  const { result, run } = vm.run(prog, (r) => {
    region = r.addRegion('ctx', 'ctx', ctx, false);
    setup?.(r);
    return { r1: region.addr(0) };
  }, { cpu });
  return { result, ret: Number(BigInt.asIntN(32, result.r0)), run, ctx: region! };
}

const ETH_HLEN = 14;
/** sizeof(struct xdp_frame): the kernel keeps it at the start of the headroom. */
const XDP_FRAME_SIZE = 40;

/**
 * An XDP packet as the kernel lays out an xdp_buff: headroom, data, tailroom, in one buffer in the
 * low window, with an xdp_md context whose data/data_end/data_meta follow the helpers' moves. The
 * checks of bpf_xdp_adjust_head/tail/meta are the kernel's (net/core/filter.c).
 */
export class TestXdp implements PacketOps {
  readonly buf: Uint8Array;
  data: number;
  end: number;
  meta: number;
  private ctx: Region | undefined;

  constructor(packet: Uint8Array, readonly headroom = 256, readonly tailroom = 320) {
    this.buf = new Uint8Array(headroom + packet.length + tailroom);
    this.buf.set(packet, headroom);
    this.data = this.meta = headroom;
    this.end = headroom + packet.length;
  }

  install(run: RunContext): { r1: bigint } {
    run.memory.setLow('xdp packet', 'packet', this.buf);
    this.ctx = run.addRegion('xdp_md', 'ctx', new Uint8Array(24), false);
    this.sync();
    run.state[PACKET_OPS] = this;
    return { r1: this.ctx.addr(0) };
  }

  private sync(): void {
    const dv = this.ctx!.dv;
    dv.setUint32(0, LOW_BASE + this.data, true);
    dv.setUint32(4, LOW_BASE + this.end, true);
    dv.setUint32(8, LOW_BASE + this.meta, true);
    dv.setUint32(12, 1, true); // ingress_ifindex
  }

  packet(): Uint8Array {
    return this.buf.slice(this.data, this.end);
  }

  /** What BPF_PROG_TEST_RUN gives back for XDP: the metadata and the packet. */
  testRunOutput(): Uint8Array {
    return this.buf.slice(this.meta, this.end);
  }

  bytes(): Uint8Array {
    return this.buf.subarray(this.data, this.end);
  }

  length(): number {
    return this.end - this.data;
  }

  adjustHead(delta: number): number {
    const metalen = this.data - this.meta;
    const data = this.data + delta;
    if (data < XDP_FRAME_SIZE + metalen || data > this.end - ETH_HLEN) return -22;
    if (metalen) this.buf.copyWithin(this.meta + delta, this.meta, this.data);
    this.meta += delta;
    this.data = data;
    this.sync();
    return 0;
  }

  adjustTail(delta: number): number {
    const end = this.end + delta;
    if (end > this.buf.length || end < this.data + ETH_HLEN) return -22;
    if (delta > 0) this.buf.fill(0, this.end, end);
    this.end = end;
    this.sync();
    return 0;
  }

  adjustMeta(delta: number): number {
    const meta = this.meta + delta;
    const metalen = this.data - meta;
    if (meta < XDP_FRAME_SIZE || meta > this.data) return -22;
    if (metalen & 3 || metalen > 32) return -13; // xdp_metalen_invalid: -EACCES
    this.meta = meta;
    this.sync();
    return 0;
  }
}

/** A tc packet: skb->data is the Ethernet header; the helpers only need the bytes. */
export class TestSkb implements PacketOps {
  /** `ctx`: a struct __sk_buff to start from (as bpftool's ctx_in), len filled in. */
  constructor(readonly buf: Uint8Array, readonly ctx: Uint8Array = new Uint8Array(192)) {}
  install(run: RunContext): { r1: bigint } {
    const ctx = run.addRegion('__sk_buff', 'ctx', this.ctx.slice(), false);
    ctx.dv.setUint32(0, this.buf.length, true); // len
    run.state[PACKET_OPS] = this;
    return { r1: ctx.addr(0) };
  }
  bytes(): Uint8Array {
    return this.buf;
  }
  length(): number {
    return this.buf.length;
  }
  adjustHead(): number {
    return -95;
  }
  adjustMeta(): number {
    return -95;
  }
  adjustTail(): number {
    return -95;
  }
}

/** Run an XDP-style or tc-style program over `pkt`. */
export function runPacket(vm: Vm, prog: VmProgram, pkt: TestXdp | TestSkb): { ret: number; run: RunContext } {
  const { result, run } = vm.run(prog, (r) => pkt.install(r));
  return { ret: Number(BigInt.asIntN(32, result.r0)), run };
}

// ---- the kernel as an oracle: BPF_PROG_TEST_RUN through bpftool -----------------------------------

/** Why programs cannot be run in the kernel here, or undefined when they can. */
export function kernelMissing(): string | undefined {
  if (!elfTools.bpftool) return 'bpftool is not installed';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'BPF_PROG_TEST_RUN needs root';
  if (!existsSync('/sys/fs/bpf')) return 'bpffs is not mounted at /sys/fs/bpf';
  return undefined;
}

const pinDirs: string[] = [];

/**
 * Load every program of an object into the kernel, pinned under /sys/fs/bpf/tsbpf-test-*. The maps
 * are pinned too: a prog_array loses its slots when the last user-space reference goes.
 */
export function kernelLoad(objPath: string, tag: string): string {
  const dir = `/sys/fs/bpf/tsbpf-test-${tag}-${process.pid}`;
  const maps = `${dir}-maps`;
  for (const d of [dir, maps]) rmSync(d, { recursive: true, force: true });
  pinDirs.push(dir, maps);
  execFileSync(elfTools.bpftool!, ['prog', 'loadall', objPath, dir, 'pinmaps', maps], { stdio: ['ignore', 'pipe', 'pipe'] });
  return dir;
}

/** bpftool prog run: the program's return value and the packet it leaves (XDP: from data_meta). */
export function kernelRun(pinned: string, dataIn: Uint8Array, ctxIn?: Uint8Array): { ret: number; data: Uint8Array } {
  const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-testrun-'));
  try {
    writeFileSync(join(tmp, 'in'), dataIn);
    const args = ['prog', 'run', 'pinned', pinned, 'data_in', join(tmp, 'in'), 'data_out', join(tmp, 'out')];
    if (ctxIn) {
      writeFileSync(join(tmp, 'ctx'), ctxIn);
      args.push('ctx_in', join(tmp, 'ctx'));
    }
    const out = execFileSync(elfTools.bpftool!, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const m = /Return value: (\d+)/.exec(out);
    if (!m) throw new Error(`bpftool prog run said: ${out}`);
    return { ret: Number(m[1]) | 0, data: new Uint8Array(readFileSync(join(tmp, 'out'))) };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Remove what kernelLoad pinned. */
export function kernelCleanup(): void {
  for (const d of pinDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
