/**
 * Map elements as `bpftool map dump/lookup` prints them: plain hex (`key: 01 00 00 00  value: ...`)
 * or, when BTF describes the value, typed through formatValue (text: bpftool's pretty JSON; --json:
 * hex arrays plus a "formatted" member).
 */
import { formatValue } from '../btf/value-format.js';
import { perCpuValues } from '../maps/index.js';
import type { VmMap } from '../vm/runtime.js';
import { hexArray, type JsonValue } from './json.js';

export interface Element {
  /** Undefined for maps without keys (queue, stack). */
  key?: Uint8Array;
  /** The user-space value (per-CPU maps: all CPUs). */
  value: Uint8Array;
}

const isPerCpu = (m: VmMap): boolean => m.map.perCpu;

/** True when BTF types the value, so dumps are formatted. */
export function isTyped(m: VmMap): boolean {
  return m.btf !== undefined && (m.btfValueTypeId ?? 0) !== 0;
}

/** bpftool's fprint_hex: 16 bytes a line, an extra space between groups of 8. */
export function fprintHex(bytes: Uint8Array): string {
  let s = '';
  bytes.forEach((b, i) => {
    if (i === 0) s += '';
    else if (i % 16 === 0) s += '\n';
    else if (i % 8 === 0) s += '  ';
    else s += ' ';
    s += b.toString(16).padStart(2, '0');
  });
  return s;
}

/** One element in bpftool's plain text (no trailing newline). */
export function elementText(m: VmMap, e: Element): string {
  const { keySize, valueSize, type } = m.map.spec;
  if (!isPerCpu(m)) {
    const breakNames = keySize > 16 || valueSize > 16;
    const singleLine = keySize + valueSize <= 24 && !breakNames;
    let s = '';
    if (keySize && e.key) s += `key:${breakNames ? '\n' : ' '}${fprintHex(e.key)}${singleLine ? '  ' : '\n'}`;
    if (valueSize) {
      if (type === 'prog_array') s += `id:${breakNames ? '\n' : ' '}${new DataView(e.value.buffer, e.value.byteOffset).getUint32(0, true)} `;
      else s += `value:${breakNames ? '\n' : ' '}${fprintHex(e.value)}`;
    }
    return s;
  }
  const lines = [`key:`, fprintHex(e.key ?? new Uint8Array(0))];
  perCpuValues(m.map, e.value).forEach((v, cpu) => {
    lines.push(`value (CPU ${String(cpu).padStart(2, '0')}):${valueSize > 16 ? '\n' : ' '}${fprintHex(v)}`);
  });
  return lines.join('\n');
}

/** The formatted (typed) form of an element: {key?, value} or {key?, values: [{cpu, value}]}. */
export function elementFormatted(m: VmMap, e: Element): JsonValue {
  const btf = m.btf!;
  const out: { [k: string]: JsonValue } = {};
  if (e.key && m.btfKeyTypeId) out.key = formatValue(btf, m.btfKeyTypeId, e.key) as JsonValue;
  const vt = m.btfValueTypeId!;
  if (!isPerCpu(m)) out.value = formatValue(btf, vt, e.value) as JsonValue;
  else out.values = perCpuValues(m.map, e.value).map((v, cpu) => ({ cpu, value: formatValue(btf, vt, v) as JsonValue }));
  return out;
}

/** One element as bpftool's --json: hex arrays, plus "formatted" when typed. */
export function elementJson(m: VmMap, e: Element): JsonValue {
  const out: { [k: string]: JsonValue } = {};
  if (e.key) out.key = hexArray(e.key);
  if (!isPerCpu(m)) out.value = hexArray(e.value);
  else out.values = perCpuValues(m.map, e.value).map((v, cpu) => ({ cpu, value: hexArray(v) }));
  if (isTyped(m)) out.formatted = elementFormatted(m, e);
  return out;
}
