/**
 * What the kernel backend tests share: why they cannot run here (no bpf(2), not root, no clang),
 * compiled test/c objects parsed with the ELF loader, and bpffs pin paths under
 * /sys/fs/bpf/tsbpf-kt-<pid>-* that are all removed when the test file ends.
 */
import { existsSync, rmSync } from 'node:fs';
import { loadObjectSpec, type ObjectSpec } from '../../src/elf/object.js';
import { kernelAvailable } from '../../src/kernel/syscall.js';
import { compileObject, noClang } from './tools.js';

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
