/** Pieces the `map` verbs share: printing, the show record, reference-valued maps. */
import { BpfError } from '../../errors.js';
import { readU32, u32Bytes } from '../../maps/bytes.js';
import { refKindOf } from '../../pin/map-codec.js';
import type { StoreSession } from '../../pin/session.js';
import type { PinStore } from '../../pin/store.js';
import type { VmMap } from '../../vm/runtime.js';
import type { Output } from '../command.js';
import { jsonText, type JsonValue } from '../json.js';
import type { Common } from '../options.js';
import { parseData, parseRef, REF_WORDS, Tokens } from '../tokens.js';
import { resolveMapId, resolveProgId } from '../store-access.js';
import { UsageError } from '../io.js';

/** Print a result: one JSON document with --json, the text otherwise. */
export function emit(out: Output, common: Common, json: JsonValue, text: string | (() => string)): void {
  if (common.json) out.stdout(jsonText(json, common.pretty) + '\n');
  else {
    const t = typeof text === 'string' ? text : text();
    if (t !== '') out.stdout(t.endsWith('\n') ? t : t + '\n');
  }
}

/** bpftool's `map show` object for a store map. */
export function mapShowJson(store: PinStore, id: number): { [k: string]: JsonValue } {
  const rec = store.readMap(id);
  const o: { [k: string]: JsonValue } = {
    id, type: rec.spec.type, name: rec.spec.name, flags: rec.spec.flags,
    bytes_key: rec.spec.keySize, bytes_value: rec.spec.valueSize, max_entries: rec.spec.maxEntries,
    frozen: rec.frozen ? 1 : 0,
  };
  if (rec.btf !== undefined) o.btf = true;
  o.pinned = store.livePins('map', id).map((p) => store.display(p));
  return o;
}

export function mapShowText(o: { [k: string]: JsonValue }): string {
  const lines = [
    `${o.id}: ${o.type}  name ${o.name}  flags 0x${(o.flags as number).toString(16)}`,
    `\tkey ${o.bytes_key}B  value ${o.bytes_value}B  max_entries ${o.max_entries}`,
  ];
  const extra = [o.btf ? 'btf' : '', o.frozen ? 'frozen' : ''].filter((x) => x !== '');
  if (extra.length) lines.push('\t' + extra.join('  '));
  for (const p of o.pinned as string[]) lines.push(`\tpinned ${p}`);
  return lines.join('\n');
}

/** The value a user sees: prog_array and map-of-maps values are store ids, not this VM's. */
export function displayValue(s: StoreSession, m: VmMap, value: Uint8Array): Uint8Array {
  const kind = refKindOf(m.map.spec.type);
  if (!kind) return value;
  const vmId = readU32(value);
  const storeId = kind === 'prog'
    ? (() => { const p = s.vm.programs.get(vmId); return p ? s.storeProgId(p) : undefined; })()
    : (() => { const x = s.vm.maps.get(vmId); return x ? s.storeMapId(x) : undefined; })();
  return u32Bytes(storeId ?? vmId);
}

/** Check user data against the size the map wants, naming both. */
export function checkSize(data: Uint8Array, want: number, what: string, mapName: string, alt?: number): void {
  if (data.length === want || (alt !== undefined && data.length === alt)) return;
  const also = alt !== undefined && alt !== want ? ` (or ${alt} for all CPUs)` : '';
  throw new BpfError('EINVAL', `map '${mapName}': ${what} is ${data.length} byte${data.length === 1 ? '' : 's'}, expected ${want}${also}`);
}

/**
 * VALUE of `map update`/`push`: DATA, or for prog_array and maps of maps the object to store
 * (`id N`, `pinned PATH`, `name NAME`), which becomes this VM's id for it.
 */
export function parseValue(t: Tokens, s: StoreSession, store: PinStore, m: VmMap): Uint8Array {
  const kind = refKindOf(m.map.spec.type);
  if (kind && REF_WORDS.includes(t.peek() ?? '')) {
    const ref = parseRef(t, kind);
    return kind === 'prog'
      ? u32Bytes(s.openProg(resolveProgId(store, ref)).id)
      : u32Bytes(s.openMap(resolveMapId(store, ref)).id);
  }
  const data = parseData(t, 'value');
  if (data.length === 0) throw new UsageError('value: missing DATA (bytes like 0x01 0 0 0, or hex 01 00 00 00)');
  if (kind) {
    // Raw ids are store ids, as `map show` prints them.
    checkSize(data, 4, 'value', m.name);
    const storeId = readU32(data);
    return kind === 'prog' ? u32Bytes(s.openProg(storeId).id) : u32Bytes(s.openMap(storeId).id);
  }
  return mapValue(data, m);
}

/** A DATA value checked against value_size; for a per-CPU map, the value of every CPU. */
export function mapValue(data: Uint8Array, m: VmMap): Uint8Array {
  const spec = m.map.spec;
  if (m.map.perCpu) {
    // bpftool writes one value_size value to every CPU; the full per-CPU layout is taken too.
    checkSize(data, spec.valueSize, 'value', m.name, m.map.userValueSize);
    if (data.length === m.map.userValueSize) return data;
    const stride = (spec.valueSize + 7) & ~7;
    const all = new Uint8Array(m.map.userValueSize);
    for (let cpu = 0; cpu < m.map.nCpus; cpu++) all.set(data, cpu * stride);
    return all;
  }
  checkSize(data, spec.valueSize, 'value', m.name);
  return data;
}

/** KEY: `key DATA`, checked against key_size. */
export function parseKey(t: Tokens, m: VmMap, required = true): Uint8Array | undefined {
  if (!t.accept('key')) {
    if (required && m.map.spec.keySize > 0) throw new UsageError(`missing key DATA (map '${m.name}' has ${m.map.spec.keySize}-byte keys)`);
    return m.map.spec.keySize === 0 ? new Uint8Array(0) : undefined;
  }
  const key = parseData(t, 'key');
  checkSize(key, m.map.spec.keySize, 'key', m.name);
  return key;
}
