/**
 * What the helper tests share: compiling test/c/helpers_*.c and loading it into a VM with the
 * kernel helpers and a fixed environment, runs with a tracing-style context, and packets for XDP
 * runs (the program type's own test-run buffer) and tc runs (a small PacketOps). The kernel's side
 * of the comparisons is kernel-oracle.ts.
 */
import { loadObjectSpec } from '../../src/elf/object.js';
import { u32Bytes } from '../../src/maps/bytes.js';
import { kernelHelpers } from '../../src/helpers/index.js';
import { fixedEnv, type Env } from '../../src/vm/env.js';
import { loadObjectIntoVm, type VmObject } from '../../src/vm/load-object.js';
import type { Region } from '../../src/vm/memory.js';
import { XdpTestBuffer } from '../../src/progtypes/xdp.js';
import { PACKET_OPS, type PacketOps } from '../../src/vm/packet-ops.js';
import { Vm, type RunContext, type VmProgram } from '../../src/vm/runtime.js';
import type { RunResult } from '../../src/vm/api.js';
import { clangMissing, compileObject } from './elf-tools.js';

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

/** A u32 map key (little-endian). */
export const u32Key = u32Bytes;

export function u64Bytes(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

/**
 * Programs of the test objects that the kernel's verifier refuses, kept to check what the VM's
 * helpers do at run time with what a verifier would stop (they load without tsbpf's verifier).
 */
export const UNSAFE_ON_PURPOSE: Record<string, readonly string[]> = {
  helpers_control: ['lock_twice'], // takes a spin lock twice: the VM's run-time check fails the run
  helpers_events: ['rb_output'], // reserves with bad flags and leaks the record: -EINVAL path of ringbuf_reserve
  helpers_maps: ['bloom_op', 'bad_key'], // pop on a bloom filter (EOPNOTSUPP), a scalar as key pointer (EFAULT)
  helpers_redirect: ['xdp_redirect_map'], // bpf_redirect_map on an array: the miss path of the flags
  helpers_trace: ['clock'], // a kprobe calling bpf_ktime_get_coarse_ns, which kprobes may not
};

/** Compile test/c/<name>.c and load it into a fresh VM with every kernel helper. */
export function loadHelpersObject(name: string, opts: { env?: Env; nCpus?: number } = {}): Loaded {
  const compiled = compileObject(name);
  const spec = loadObjectSpec(compiled.bytes, { file: `${name}.o` });
  const vm = new Vm({ helpers: kernelHelpers(), env: opts.env ?? fixedEnv(), nCpus: opts.nCpus });
  const obj = loadObjectIntoVm(vm, spec, { unverified: UNSAFE_ON_PURPOSE[name] ?? [] });
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

/**
 * An XDP packet as BPF_PROG_TEST_RUN lays it out (the program type's own buffer: headroom, data,
 * tailroom in one page), installed with an xdp_md context whose data/data_end/data_meta follow the
 * helpers' moves.
 */
export class TestXdp extends XdpTestBuffer {
  constructor(packet: Uint8Array) {
    super(packet, {});
  }

  install(run: RunContext): { r1: bigint } {
    return this.setup(run);
  }

  packet(): Uint8Array {
    return this.bytes().slice();
  }

  /** What BPF_PROG_TEST_RUN gives back for XDP: the metadata and the packet. */
  testRunOutput(): Uint8Array {
    return this.dataOut();
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
