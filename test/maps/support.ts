/** Small helpers for the map tests. */
import assert from 'node:assert/strict';
import { isBpfError, type BpfErrorCode } from '../../src/errors.js';
import type { MapSpec, MapTypeName } from '../../src/maps/index.js';

export function spec<T extends MapTypeName>(type: T, keySize: number, valueSize: number, maxEntries: number, flags = 0, more: Partial<MapSpec> = {}): MapSpec & { type: T } {
  return { name: 'm', keySize, valueSize, maxEntries, flags, ...more, type };
}

export function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

export function u64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}

export function readU32(b: Uint8Array | undefined, off = 0): number | undefined {
  return b === undefined ? undefined : new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, true);
}

export function bytes(...v: number[]): Uint8Array {
  return Uint8Array.from(v);
}

export function fromHex(h: string): Uint8Array {
  return Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
}

export function toHex(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Assert that fn throws a BpfError with this code, and that its message contains every fragment. */
export function throwsCode(fn: () => unknown, code: BpfErrorCode, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected ${code}, nothing was thrown`);
  assert.ok(isBpfError(caught), `expected a BpfError, got ${String(caught)}`);
  assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`);
  for (const f of fragments) assert.ok(caught.message.includes(f), `message "${caught.message}" lacks "${f}"`);
}
