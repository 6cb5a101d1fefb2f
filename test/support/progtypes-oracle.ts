/**
 * What the program-type tests share: test/c/progtypes_*.c compiled with clang and loaded into tsbpf
 * (with the kernel helpers) and into Linux, pinned by kernel-oracle.ts, which also runs the
 * kernel's side.
 */
import { loadObjectSpec } from '../../src/elf/object.js';
import { loadObjectIntoVm, type VmObject } from '../../src/vm/load-object.js';
import { Vm } from '../../src/vm/runtime.js';
import { HelperRegistry, type HelperDef } from '../../src/helpers/registry.js';
import { PACKET_OPS, type PacketOps } from '../../src/vm/packet-ops.js';
import type { RunContext } from '../../src/vm/runtime.js';
import { fixedEnv } from '../../src/vm/env.js';
import { kernelLoad } from './kernel-oracle.js';
import { compileObject, type CompiledObject } from './tools.js';

/** Compile test/c/progtypes_<name>.c for BPF; the object's bytes and path. */
export function compileProgtypes(name: string): CompiledObject {
  return compileObject(`progtypes_${name}`);
}

/**
 * Helpers the differential tests need, until src/helpers provides kernelHelpers(): the XDP
 * adjustments go straight to the program type's PacketOps, as the real helpers will.
 */
function packetShim(): HelperRegistry {
  const ops = (call: { services: unknown }): PacketOps => (call.services as RunContext).state[PACKET_OPS] as PacketOps;
  const int = (r: bigint): number => Number(BigInt.asIntN(32, r));
  const ret = (n: number): bigint => BigInt.asUintN(64, BigInt(n));
  const def = (id: number, name: string, f: (o: PacketOps, delta: number) => number): HelperDef => ({
    id, name, args: ['ptr_to_ctx', 'anything'], ret: 'integer', impl: (call, _r1, r2) => ret(f(ops(call), int(r2))),
  });
  // bpf_skb_change_tail(skb, new_len, flags) and bpf_skb_change_head(skb, head_room, flags):
  // the helper checks its flags, the program type's buffer its sizes.
  const EINVAL = -22;
  const skbDef = (id: number, name: string, f: (o: PacketOps, arg: number) => number): HelperDef => ({
    id, name, args: ['ptr_to_ctx', 'anything', 'anything'], ret: 'integer',
    impl: (call, _r1, r2, r3) => ret(r3 !== 0n ? EINVAL : f(ops(call), Number(r2 & 0xffffffffn))),
  });
  return new HelperRegistry([
    def(44, 'bpf_xdp_adjust_head', (o, d) => o.adjustHead(d)),
    def(54, 'bpf_xdp_adjust_meta', (o, d) => o.adjustMeta(d)),
    def(65, 'bpf_xdp_adjust_tail', (o, d) => o.adjustTail(d)),
    skbDef(38, 'bpf_skb_change_tail', (o, newLen) => o.adjustTail(newLen - o.length())),
    skbDef(43, 'bpf_skb_change_head', (o, room) => o.adjustHead(-room)),
  ]);
}

/**
 * src/helpers' kernelHelpers(), with the shim's helpers added for ids it does not have yet
 * (`from` says which came from where); only the shim when src/helpers has no kernelHelpers.
 */
export async function testHelpers(): Promise<{ registry: HelperRegistry; from: string }> {
  const shim = packetShim();
  let registry: HelperRegistry | undefined;
  try {
    const url = new URL('../../src/helpers/index.js', import.meta.url).href;
    const mod = (await import(url)) as { kernelHelpers?: () => HelperRegistry };
    if (typeof mod.kernelHelpers === 'function') registry = mod.kernelHelpers();
  } catch {
    // not there yet
  }
  if (!registry) return { registry: shim, from: 'the test shim' };
  const added = shim.all().filter((d) => !registry!.get(d.id));
  for (const d of added) registry.register(d);
  return { registry, from: added.length ? `src/helpers, with the test shim for ${added.map((d) => d.name).join(', ')}` : 'src/helpers' };
}

/** A VM with `name`'s object loaded. */
export async function loadVm(name: string, opts: { nCpus?: number } = {}): Promise<{ vm: Vm; obj: VmObject }> {
  const { path, bytes } = compileProgtypes(name);
  const { registry } = await testHelpers();
  const vm = new Vm({ helpers: registry, env: fixedEnv(), ...(opts.nCpus !== undefined ? { nCpus: opts.nCpus } : {}) });
  const obj = loadObjectIntoVm(vm, loadObjectSpec(bytes, { file: path }));
  return { vm, obj };
}

/** Load `name`'s object into the kernel; the pin directory (one pinned program per function). */
export function pinProgtypes(name: string): string {
  return kernelLoad(compileProgtypes(name).path, `pt-${name}`);
}
