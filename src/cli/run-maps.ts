/**
 * The maps of a VM after a run, for `prog run --json`: map name → [{"key": hex, "value": hex}]
 * (per-CPU maps: "values", one hex string per CPU). Array maps list only elements that are not all
 * zero, so a 256-slot counter array shows the counters that moved. prog_array and map-of-maps
 * values are shown as the ids the user knows (store ids for pinned objects).
 */
import { perCpuValues } from '../maps/index.js';
import type { QueueStackMap } from '../maps/queue-stack.js';
import type { Vm, VmMap } from '../vm/runtime.js';
import type { JsonValue } from './json.js';

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

function elements(m: VmMap, display: (m: VmMap, v: Uint8Array) => Uint8Array): JsonValue[] {
  const map = m.map;
  const type = map.spec.type;
  if (type === 'queue' || type === 'stack') {
    const out: JsonValue[] = [];
    const taken: Uint8Array[] = [];
    for (let v = map.lookupAndDelete(new Uint8Array(0)); v !== undefined; v = map.lookupAndDelete(new Uint8Array(0))) taken.push(v);
    for (const v of taken) out.push({ value: hex(v) });
    // Put them back as they were (oldest first), so the map is unchanged for a write-back.
    for (const v of type === 'stack' ? taken.reverse() : taken) (map as QueueStackMap).push(v, 0);
    return out;
  }
  const skipZero = type === 'array' || type === 'percpu_array';
  const out: JsonValue[] = [];
  for (const [k, v0] of map.entries()) {
    if (skipZero && v0.every((b) => b === 0)) continue;
    const v = display(m, v0);
    out.push(map.perCpu ? { key: hex(k), values: perCpuValues(map, v).map(hex) } : { key: hex(k), value: hex(v) });
  }
  return out;
}

export function mapsJson(vm: Vm, display: (m: VmMap, v: Uint8Array) => Uint8Array = (_m, v) => v): { [name: string]: JsonValue } {
  const out: { [name: string]: JsonValue } = {};
  for (const m of vm.maps.values()) {
    let els: JsonValue[];
    try {
      els = elements(m, display);
    } catch {
      continue; // types without user-space iteration (ringbuf, perf_event_array, bloom_filter)
    }
    const name = out[m.name] === undefined ? m.name : `${m.name}#${m.id}`;
    out[name] = els;
  }
  return out;
}
