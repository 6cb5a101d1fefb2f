/**
 * The element verbs of `tsbpf map`: dump, lookup, getnext (read-only sessions) and update, delete,
 * push, pop, peek, freeze (writing sessions: the change is saved to the pin before the command
 * reports success).
 */
import { BpfError } from '../../errors.js';
import { BloomFilterMap } from '../../maps/bloom-filter.js';
import { UPDATE } from '../../maps/types.js';
import type { StoreSession } from '../../pin/session.js';
import type { PinStore } from '../../pin/store.js';
import type { VmMap } from '../../vm/runtime.js';
import type { Command, Output } from '../command.js';
import { UsageError } from '../io.js';
import { hexArray, jsonText, type JsonValue } from '../json.js';
import { elementFormatted, elementJson, elementText, isTyped, fprintHex, type Element } from '../map-view.js';
import { parseCommand, type Common } from '../options.js';
import { readSession, resolveMapId, writeSession } from '../store-access.js';
import { parseData, parseRef, Tokens } from '../tokens.js';
import { checkSize, displayValue, emit, parseKey, parseValue } from './map-common.js';
import { kernelMapElem } from '../kernel/map.js';
import { wantsKernel } from '../kernel/target.js';

type Body = (t: Tokens, m: VmMap, s: StoreSession, store: PinStore) => { json: JsonValue; text: () => string };

/** A map verb: `MAP` first, then the verb's own words; `write` sessions save changes. */
function mapVerb(name: string, summary: string, usage: string, details: string[], write: boolean, body: Body, aliases?: string[]): Command {
  return {
    name, summary, usage: `tsbpf map ${name} ${usage} [--bpffs DIR] [--json]`, details, ...(aliases ? { aliases } : {}),
    run(argv: string[], out: Output) {
      if (wantsKernel(argv)) return kernelMapElem(name, argv, out);
      const { positionals, common } = parseCommand(argv, {});
      const t = new Tokens(positionals);
      const ref = parseRef(t, 'map');
      const session = write ? writeSession : readSession;
      const r = session(common, (s, store) => {
        const m = s.openMap(resolveMapId(store, ref));
        const res = body(t, m, s, store);
        t.end();
        return { json: res.json, text: res.text() };
      });
      print(out, common, r.json, r.text);
      return 0;
    },
  };
}

function print(out: Output, common: Common, json: JsonValue, text: string): void {
  emit(out, common, json, text);
}

/** Text of one element: typed as bpftool's pretty JSON, else hex. */
function elementTextOf(m: VmMap, e: Element): string {
  return isTyped(m) ? jsonText(elementFormatted(m, e), true) : elementText(m, e);
}

const keyHex = (k: Uint8Array): string => fprintHex(k).replace(/\n/g, ' ').replace(/ {2}/g, ' ');

function notFound(m: VmMap, key: Uint8Array): BpfError {
  return new BpfError('ENOENT', `map '${m.name}': no element with key ${keyHex(key)}`);
}

/** Elements in dump order; queues and stacks give their values in pop order. */
function elements(m: VmMap, s: StoreSession): Element[] {
  const map = m.map;
  const t = map.spec.type;
  if (t === 'queue' || t === 'stack') {
    const out: Element[] = [];
    for (let v = map.lookupAndDelete(new Uint8Array(0)); v !== undefined; v = map.lookupAndDelete(new Uint8Array(0))) out.push({ value: v });
    return out;
  }
  return [...map.entries()].map(([key, value]) => ({ key, value: displayValue(s, m, value) }));
}

export const mapDumpCommand = mapVerb('dump', 'print every element of a map', 'MAP', [
  'Typed through BTF when the map has it (text: bpftool\'s formatted output; --json: hex arrays plus "formatted"),',
  'hex otherwise (`key: 01 00 00 00  value: 02 00 00 00`). Queues and stacks list their values in pop order.',
], false, (_t, m, s) => {
  const els = elements(m, s);
  return {
    json: els.map((e) => elementJson(m, e)),
    text: () => {
      if (isTyped(m)) return jsonText(els.map((e) => elementFormatted(m, e)), true);
      const lines = els.map((e) => elementText(m, e));
      lines.push(`Found ${els.length} element${els.length === 1 ? '' : 's'}`);
      return lines.join('\n');
    },
  };
});

export const mapLookupCommand = mapVerb('lookup', 'print the element at a key', 'MAP key DATA', [
  'DATA: bytes as numbers (key 0x01 0 0 0) or hex (key hex 01 00 00 00). Not found: exit 1 with ENOENT.',
  'Bloom filters: map lookup MAP value DATA tests whether DATA may be in the filter.',
], false, (t, m, s) => {
  if (m.map instanceof BloomFilterMap) {
    t.expect('value', 'bloom filter lookup');
    const v = parseData(t, 'value');
    checkSize(v, m.map.spec.valueSize, 'value', m.name);
    if (!m.map.has(v)) throw new BpfError('ENOENT', `map '${m.name}': ${keyHex(v)} is not in the bloom filter`);
    return { json: { value: hexArray(v), found: true }, text: () => `value: ${fprintHex(v)}  found` };
  }
  const key = parseKey(t, m)!;
  const v = m.map.lookup(key);
  if (v === undefined) throw m.map.spec.keySize === 0 ? new BpfError('ENOENT', `map '${m.name}': the ${m.map.spec.type} is empty`) : notFound(m, key);
  const e: Element = m.map.spec.keySize === 0 ? { value: v } : { key, value: displayValue(s, m, v) };
  return { json: elementJson(m, e), text: () => elementTextOf(m, e) };
});

export const mapGetnextCommand = mapVerb('getnext', 'print the key after a key (the first key without one)', 'MAP [key DATA]', [
  'Past the last key: exit 1 with ENOENT.',
], false, (t, m) => {
  const key = parseKey(t, m, false);
  const next = m.map.getNextKey(key);
  if (next === undefined) throw new BpfError('ENOENT', `map '${m.name}': ${key ? `key ${keyHex(key)} is the last key` : 'the map is empty'}`);
  return {
    json: { key: key ? hexArray(key) : null, next_key: hexArray(next) },
    text: () => `${key ? `key:\n${fprintHex(key)}` : 'key: None'}\nnext key:\n${fprintHex(next)}`,
  };
});

const UPDATE_FLAGS: Record<string, number> = { any: UPDATE.ANY, noexist: UPDATE.NOEXIST, exist: UPDATE.EXIST };

export const mapUpdateCommand = mapVerb('update', 'create or change the element at a key', 'MAP [key DATA] value VALUE [any|exist|noexist]', [
  'VALUE is DATA, or for prog_array and maps of maps the object: id N, pinned PATH, name NAME.',
  'Per-CPU maps: one value_size value is written to every CPU (or give all CPUs\' values, each rounded up to 8 bytes).',
  'any (default) creates or replaces, noexist only creates (EEXIST), exist only replaces (ENOENT).',
], true, (t, m, s, store) => {
  const key = parseKey(t, m)!;
  t.expect('value', 'map update');
  const value = parseValue(t, s, store, m);
  let flags: number = UPDATE.ANY;
  if (!t.done && t.peek()! in UPDATE_FLAGS) flags = UPDATE_FLAGS[t.next('flag')]!;
  m.map.update(key, value, flags);
  return { json: null, text: () => '' };
});

export const mapDeleteCommand = mapVerb('delete', 'delete the element at a key', 'MAP key DATA', [
  'A missing key: exit 1 with ENOENT; arrays cannot delete (EINVAL), as in the kernel.',
], true, (t, m) => {
  const key = parseKey(t, m)!;
  m.map.delete(key);
  return { json: null, text: () => '' };
});

export const mapPushCommand = mapVerb('push', 'push a value onto a queue, stack or bloom filter', 'MAP value DATA [any|exist]', [
  'A full queue or stack: E2BIG, unless `exist` is given, which drops the oldest value.',
], true, (t, m) => {
  t.expect('value', 'map push');
  const v = parseData(t, 'value');
  checkSize(v, m.map.spec.valueSize, 'value', m.name);
  let flags: number = UPDATE.ANY;
  if (t.accept('exist')) flags = UPDATE.EXIST;
  else t.accept('any');
  if (m.map.spec.keySize !== 0) throw new UsageError(`map '${m.name}' is a ${m.map.spec.type} map: push is for queue, stack and bloom_filter maps (use update)`);
  m.map.update(new Uint8Array(0), v, flags);
  return { json: null, text: () => '' };
}, ['enqueue']);

function takeValue(m: VmMap, remove: boolean): Element {
  if (m.map.spec.keySize !== 0) {
    throw new UsageError(`map '${m.name}' is a ${m.map.spec.type} map: ${remove ? 'pop' : 'peek'} is for queue and stack maps (use lookup)`);
  }
  const v = remove ? m.map.lookupAndDelete(new Uint8Array(0)) : m.map.lookup(new Uint8Array(0));
  if (v === undefined) throw new BpfError('ENOENT', `map '${m.name}': the ${m.map.spec.type} is empty`);
  return { value: v };
}

export const mapPopCommand = mapVerb('pop', 'remove and print the next value of a queue or stack', 'MAP', [
  'Queue: the oldest value; stack: the newest. Empty: exit 1 with ENOENT.',
], true, (_t, m) => {
  const e = takeValue(m, true);
  return { json: elementJson(m, e), text: () => elementTextOf(m, e) };
}, ['dequeue']);

export const mapPeekCommand = mapVerb('peek', 'print the next value of a queue or stack, leaving it', 'MAP', [
  'Empty: exit 1 with ENOENT.',
], false, (_t, m) => {
  const e = takeValue(m, false);
  return { json: elementJson(m, e), text: () => elementTextOf(m, e) };
});

export const mapFreezeCommand = mapVerb('freeze', 'make a map read-only for user space', 'MAP', [
  'Programs can still change it; user-space updates then fail with EPERM.',
], true, (_t, m) => {
  m.map.freeze();
  return { json: null, text: () => '' };
});
