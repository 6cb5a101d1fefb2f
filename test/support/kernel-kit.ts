/**
 * What the kernel backend tests share: why they cannot run here (no bpf(2), not root, no clang),
 * compiled test/c objects parsed with the ELF loader, and bpffs pin paths under
 * /sys/fs/bpf/tsbpf-kt-<pid>-* that are all removed when the test file ends.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadObjectSpec, type ObjectSpec } from '../../src/elf/object.js';
import type { KernelObject } from '../../src/kernel/load-object.js';
import { kernelAvailable } from '../../src/kernel/syscall.js';
import { C_DIR, compileObject, noClang, tempDir, tools } from './tools.js';

/** Why bpf(2) cannot be used here, or undefined when it can. */
export function noKernel(): string | undefined {
  const a = kernelAvailable();
  return a.ok ? undefined : a.reason;
}

/** Why a test that compiles C and loads it cannot run here. */
export function noKernelObjects(): string | undefined {
  return noKernel() ?? noClang;
}

/** test/c/<name>.c compiled for BPF and parsed (no CO-RE: these objects have no relocations). */
export function kernelObject(name: string): ObjectSpec {
  const obj = compileObject(name);
  return loadObjectSpec(obj.bytes, { file: `${name}.o`, noSystemBtf: true });
}

const BPFFS = '/sys/fs/bpf';
const pins = new Set<string>();

/** A fresh pin path for this process, removed by removePins(). */
export function pinPath(name: string): string {
  const p = `${BPFFS}/tsbpf-kt-${process.pid}-${name}`;
  pins.add(p);
  return p;
}

export function bpffsMounted(): boolean {
  return existsSync(BPFFS);
}

/** Unlink every pin this process made (a pin is a file in bpffs). */
export function removePins(): void {
  for (const p of pins) rmSync(p, { force: true });
  pins.clear();
}

/** A little-endian u32 as 4 bytes. */
export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

export const hex = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('hex'));

/** A u64 value of a kernel map, read little-endian; 0n when the key is absent. */
export function u64At(obj: KernelObject, map: string, key: Uint8Array): bigint {
  const v = obj.maps.get(map)!.lookup(key);
  return v ? Buffer.from(v).readBigUInt64LE() : 0n;
}

/** A command name as a 16-byte, NUL-padded map key (TASK_COMM_LEN). */
export function comm(name: string): Uint8Array {
  const b = new Uint8Array(16);
  b.set(Buffer.from(name));
  return b;
}

/** Run /bin/true `n` times; the pids. */
export function runTrue(n = 1): number[] {
  const pids: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = spawnSync('/bin/true');
    assert.equal(r.status, 0);
    pids.push(r.pid!);
  }
  return pids;
}

/** Why test/c/attach_target.c (with its USDT probe) cannot be built here, or undefined when it can. */
export function noProbeTarget(): string | undefined {
  return (tools.gcc ? undefined : 'gcc is not installed')
    ?? (existsSync('/usr/include/x86_64-linux-gnu/sys/sdt.h') || existsSync('/usr/include/sys/sdt.h') ? undefined : '<sys/sdt.h> is missing (apt-get install systemtap-sdt-dev)');
}

/** The slots of test/c/attach_probes.c's `counts` array. */
export const PROBE_COUNT = { UPROBE: 0, URETPROBE: 1, USDT: 2, USDT_ARG_SUM: 3, SAMPLES: 4, FENTRY: 5, TP_BTF: 6, KPROBE: 7 } as const;

/** test/c/attach_target.c built with gcc into the temp dir; its path. */
export function buildProbeTarget(): string {
  const target = join(tempDir(), 'attach_target');
  execFileSync(tools.gcc!, ['-O1', '-g', '-o', target, join(C_DIR, 'attach_target.c')]);
  return target;
}

/** Run the built attach_target so that it makes `n` probed calls. */
export function runProbeTarget(target: string, n: number): void {
  const r = spawnSync(target, [String(n)]);
  assert.equal(r.status, 0, String(r.stderr));
}
