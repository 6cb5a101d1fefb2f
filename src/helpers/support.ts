/**
 * What every helper implementation needs: the run it belongs to, its map and memory arguments read
 * the way the kernel's prototypes promise them, and errors that name the helper and the call's
 * instruction. Arguments a verifier would have checked (map pointers, memory of a constant size)
 * fail the run cleanly with a BpfError when they are wrong, since the VM may run unverified code;
 * arguments the kernel itself checks at run time give the kernel's -errno.
 */
import { BpfError, type BpfErrorCode } from '../errors.js';
import { helperId } from '../isa/helper-names.js';
import type { RunContext, VmMap } from '../vm/runtime.js';
import { low32 } from '../vm/memory.js';
import type { MapBase } from '../maps/index.js';
import type { HelperArgKind, HelperCall, HelperDef, HelperImpl, HelperRetKind } from './registry.js';

export interface HelperSpec {
  /** The kernel's bpf_func_proto the prototype comes from. */
  proto: string;
  args: readonly HelperArgKind[];
  ret: HelperRetKind;
  gplOnly?: boolean;
  impl: HelperImpl;
}

/** One table row: the id comes from the UAPI numbering (isa/helper-names.ts), by name. */
export function helper(name: string, spec: HelperSpec): HelperDef {
  const id = helperId(name);
  if (id === undefined) throw new Error(`no kernel helper is named ${name}`);
  return { id, name: `bpf_${name}`, args: spec.args, ret: spec.ret, impl: spec.impl, proto: spec.proto, gplOnly: spec.gplOnly ?? false };
}

/** A BpfError naming the instruction and the helper. */
export function helperError(call: HelperCall, name: string, code: BpfErrorCode, message: string): BpfError {
  return new BpfError(code, `insn ${call.pc}: ${name}: ${message}`, { insn: call.pc });
}

/** Re-throw a BpfError from a map or the memory with the helper's place in front of its message. */
export function withPlace<T>(call: HelperCall, name: string, op: () => T): T {
  try {
    return op();
  } catch (e) {
    throw placed(call, name, e);
  }
}

/** What withPlace throws for `e` (hot paths catch themselves rather than make a closure per call). */
export function placed(call: HelperCall, name: string, e: unknown): unknown {
  return e instanceof BpfError && e.place.insn === undefined ? helperError(call, name, e.code, e.message) : e;
}

/** The VM run a helper is called from (helpers that need maps, the environment or the context). */
export function runOf(call: HelperCall, name: string): RunContext {
  const s = call.services as (RunContext | undefined);
  if (s === undefined || s.kind !== 'tsbpf-run-services') {
    throw helperError(call, name, 'EHELPER', 'needs the VM runtime (run the program with Vm.run, not a bare interpreter run)');
  }
  return s;
}

/** The map an ARG_CONST_MAP_PTR argument points at. */
export function mapArg(call: HelperCall, name: string, addr: bigint): VmMap {
  const m = runOf(call, name).mapAt(addr);
  if (m === undefined) throw helperError(call, name, 'EINVAL', `0x${addr.toString(16)} is not a map (ARG_CONST_MAP_PTR)`);
  return m;
}

/** The map when it is a `cls`, else a clean failure (the verifier's check_map_func_compatibility would refuse the call). */
export function mapOfClass<M extends MapBase>(call: HelperCall, name: string, m: VmMap, cls: abstract new (...a: never[]) => M, what: string): M {
  if (!(m.map instanceof cls)) throw helperError(call, name, 'EINVAL', `map '${m.name}' is a ${m.map.spec.type} map, not ${what}`);
  return m.map;
}

/** `len` bytes of BPF memory at `addr` (live), or a clean EFAULT naming the helper's argument. */
export function mem(call: HelperCall, name: string, addr: bigint, len: number, write: boolean, what: string): Uint8Array {
  try {
    return call.memory.view(addr, len, write, what);
  } catch (e) {
    throw placed(call, name, e);
  }
}

/**
 * The bytes of the NUL-terminated string at `addr` (NUL excluded); exactly `max` bytes when no NUL
 * comes within `max` bytes; undefined when the string runs off its region (a fault).
 */
export function cStringBytes(call: HelperCall, addr: bigint, max = Infinity): Uint8Array | undefined {
  const at = call.memory.resolve(addr);
  if (at === undefined) return undefined;
  const end = Math.min(at.region.size, at.offset + max);
  const bytes = at.region.bytes.subarray(at.offset, end);
  const nul = bytes.indexOf(0);
  if (nul >= 0) return bytes.subarray(0, nul);
  return end - at.offset >= max ? bytes : undefined;
}

/** The helper's u32 argument (the kernel's BPF_CALL_x with a u32 parameter truncates). */
export function u32(v: bigint): number {
  return low32(v) >>> 0;
}

/** The helper's int argument. */
export function s32(v: bigint): number {
  return low32(v);
}

/**
 * Fill a helper's output buffer: `src` copied into `dst` and 0, or, when there is nothing to copy,
 * `dst` zeroed and `failure` (a -errno): the kernel leaves no stale bytes in a buffer it could not fill.
 */
export function copyOut(dst: Uint8Array, src: Uint8Array | undefined, failure: bigint): bigint {
  if (src === undefined) {
    dst.fill(0);
    return failure;
  }
  dst.set(src);
  return 0n;
}

/** A helper result as r0 holds it. */
export function ret(v: number | bigint): bigint {
  return BigInt.asUintN(64, BigInt(v));
}

/** Per-run state a helper keeps in RunContext.state (ringbuf records, held locks). */
export function runState<T>(run: RunContext, key: string, init: () => T): T {
  let v = run.state[key] as T | undefined;
  if (v === undefined) {
    v = init();
    run.state[key] = v;
  }
  return v;
}
