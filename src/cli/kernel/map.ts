/**
 * The `map` verbs with --target kernel: show, dump, lookup, getnext, update, delete, freeze on the
 * kernel's maps by id N, pinned PATH (bpffs) or name NAME, printed as the store form prints them
 * (bpftool's layout). Values are typed through the map's BTF when the kernel has it.
 */
import { readFileSync } from 'node:fs';
import { parseBtf, type Btf } from '../../btf/btf.js';
import { BpfError } from '../../errors.js';
import { KernelMap } from '../../kernel/kernel-map.js';
import { btfInfo, getFdById, listIds, mapInfo, type KernelMapInfo } from '../../kernel/objects.js';
import { closeFd } from '../../kernel/syscall.js';
import { mapTypeName, UPDATE } from '../../maps/types.js';
import type { VmMap } from '../../vm/runtime.js';
import type { Output } from '../command.js';
import { UsageError } from '../io.js';
import { jsonText, type JsonValue } from '../json.js';
import { elementFormatted, elementJson, elementText, fprintHex, isTyped, type Element } from '../map-view.js';
import { parseCommand } from '../options.js';
import { parseData, parseRef, Tokens } from '../tokens.js';
import { emit, mapValue, parseKey } from '../commands/map-common.js';
import { memlockOf, openRef, requireKernel, withFd } from './target.js';

function fdinfoFrozen(fd: number): boolean {
  try {
    return /^frozen:\s*1/m.test(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
  } catch {
    return false;
  }
}

/** bpftool's show_map_close_json members, in its order. */
export function kernelMapJson(info: KernelMapInfo, fd: number): { [k: string]: JsonValue } {
  const o: { [k: string]: JsonValue } = {
    id: info.id, type: mapTypeName(info.type) ?? `type ${info.type}`, name: info.name, flags: info.flags,
    bytes_key: info.keySize, bytes_value: info.valueSize, max_entries: info.maxEntries,
  };
  const memlock = memlockOf(fd);
  if (memlock) o.bytes_memlock = memlock;
  o.frozen = fdinfoFrozen(fd) ? 1 : 0;
  if (info.btfId) o.btf_id = info.btfId;
  return o;
}

export function kernelMapText(o: { [k: string]: JsonValue }): string {
  const lines = [
    `${o.id}: ${o.type}  ${o.name ? `name ${o.name}  ` : ''}flags 0x${(o.flags as number).toString(16)}`,
    `\tkey ${o.bytes_key}B  value ${o.bytes_value}B  max_entries ${o.max_entries}${o.bytes_memlock !== undefined ? `  memlock ${o.bytes_memlock}B` : ''}`,
  ];
  const extra = [o.btf_id !== undefined ? `btf_id ${o.btf_id}` : '', o.frozen ? 'frozen' : ''].filter((x) => x);
  if (extra.length) lines.push('\t' + extra.join('  '));
  return lines.join('\n');
}

/** The map's BTF from the kernel, for typed dumps (undefined when it has none or it cannot be read). */
function mapBtf(info: KernelMapInfo): Btf | undefined {
  if (!info.btfId || !info.btfValueTypeId) return undefined;
  try {
    return withFd(getFdById('btf', info.btfId), (fd) => {
      const b = btfInfo(fd, { bytes: true });
      return b.bytes && !b.kernelBtf ? parseBtf(b.bytes, { name: `btf id ${info.btfId}` }) : undefined;
    });
  } catch {
    return undefined;
  }
}

/** A VmMap-shaped view of a kernel map, so the store form's printers (map-view.ts) print it. */
function view(m: KernelMap, info: KernelMapInfo): VmMap {
  const btf = mapBtf(info);
  const v: Record<string, unknown> = { id: info.id, name: info.name, map: m };
  if (btf) Object.assign(v, { btf, btfKeyTypeId: info.btfKeyTypeId, btfValueTypeId: info.btfValueTypeId });
  return v as unknown as VmMap;
}

export function kernelMapShow(argv: string[], out: Output): number {
  const { positionals, common } = parseCommand(argv, {}, { kernel: true });
  requireKernel();
  const t = new Tokens(positionals);
  if (t.done) {
    const all: { [k: string]: JsonValue }[] = [];
    for (const id of listIds('map')) {
      let fd: number;
      try {
        fd = getFdById('map', id);
      } catch {
        continue;
      }
      all.push(withFd(fd, (f) => kernelMapJson(mapInfo(f), f)));
    }
    emit(out, common, all, () => all.map(kernelMapText).join('\n'));
    return 0;
  }
  const ref = parseRef(t, 'map');
  t.end();
  const o = withFd(openRef('map', ref), (f) => kernelMapJson(mapInfo(f), f));
  emit(out, common, o, () => kernelMapText(o));
  return 0;
}

const keyHex = (k: Uint8Array): string => fprintHex(k).replace(/\n/g, ' ').replace(/ {2}/g, ' ');
const UPDATE_FLAGS: Record<string, number> = { any: UPDATE.ANY, noexist: UPDATE.NOEXIST, exist: UPDATE.EXIST };

const parseValue = (t: Tokens, m: VmMap): Uint8Array => mapValue(parseData(t, 'value'), m);

const textOf = (m: VmMap, e: Element): string => (isTyped(m) ? jsonText(elementFormatted(m, e), true) : elementText(m, e));

type Body = (t: Tokens, m: VmMap) => { json: JsonValue; text: () => string };

const BODIES: Record<string, Body> = {
  dump: (_t, m) => {
    const els: Element[] = [...(m.map as unknown as KernelMap).entries()].map(([key, value]) => ({ key, value }));
    return {
      json: els.map((e) => elementJson(m, e)),
      text: () => (isTyped(m)
        ? jsonText(els.map((e) => elementFormatted(m, e)), true)
        : [...els.map((e) => elementText(m, e)), `Found ${els.length} element${els.length === 1 ? '' : 's'}`].join('\n')),
    };
  },
  lookup: (t, m) => {
    const key = parseKey(t, m)!;
    const v = m.map.lookup(key);
    if (v === undefined) throw new BpfError('ENOENT', `map '${m.name}': no element with key ${keyHex(key)}`);
    const e: Element = m.map.spec.keySize === 0 ? { value: v } : { key, value: v };
    return { json: elementJson(m, e), text: () => textOf(m, e) };
  },
  getnext: (t, m) => {
    const key = parseKey(t, m, false);
    const next = m.map.getNextKey(key);
    if (next === undefined) throw new BpfError('ENOENT', `map '${m.name}': ${key ? `key ${keyHex(key)} is the last key` : 'the map is empty'}`);
    return {
      json: { key: key ? Array.from(key, (b) => '0x' + b.toString(16).padStart(2, '0')) : null, next_key: Array.from(next, (b) => '0x' + b.toString(16).padStart(2, '0')) },
      text: () => `${key ? `key:\n${fprintHex(key)}` : 'key: None'}\nnext key:\n${fprintHex(next)}`,
    };
  },
  update: (t, m) => {
    const key = parseKey(t, m)!;
    t.expect('value', 'map update');
    const value = parseValue(t, m);
    let flags: number = UPDATE.ANY;
    if (!t.done && t.peek()! in UPDATE_FLAGS) flags = UPDATE_FLAGS[t.next('flag')]!;
    m.map.update(key, value, flags);
    return { json: null, text: () => '' };
  },
  delete: (t, m) => {
    m.map.delete(parseKey(t, m)!);
    return { json: null, text: () => '' };
  },
  freeze: (_t, m) => {
    m.map.freeze();
    return { json: null, text: () => '' };
  },
};

/** Does `verb` have a kernel form? */
export const kernelMapVerb = (verb: string): boolean => verb === 'show' || verb in BODIES;

export function kernelMapElem(verb: string, argv: string[], out: Output): number {
  const body = BODIES[verb];
  if (!body) throw new UsageError(`map ${verb} has no --target kernel form yet`);
  const { positionals, common } = parseCommand(argv, {}, { kernel: true });
  requireKernel();
  const t = new Tokens(positionals);
  const ref = parseRef(t, 'map');
  const fd = openRef('map', ref);
  let m: KernelMap;
  try {
    m = KernelMap.fromFd(fd);
  } catch (e) {
    closeFd(fd);
    throw e;
  }
  try {
    // A frozen map's updates are refused by the kernel itself (EPERM, with KernelMap's reason).
    const r = body(t, view(m, m.info()));
    t.end();
    emit(out, common, r.json, r.text);
  } finally {
    m.close();
  }
  return 0;
}
