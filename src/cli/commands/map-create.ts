/** `tsbpf map create PATH type TYPE key KSIZE value VSIZE entries N name NAME [flags F] [inner_map MAP]`. */
import { existsSync } from 'node:fs';
import { BpfError } from '../../errors.js';
import { MAP_TYPE, type MapSpec, type MapTypeName } from '../../maps/types.js';
import { specFromJson } from '../../pin/map-codec.js';
import type { Command } from '../command.js';
import { UsageError } from '../io.js';
import { parseCommand } from '../options.js';
import { resolveMapId, writeSession } from '../store-access.js';
import { parseRef, parseUint, Tokens, type ObjectRef } from '../tokens.js';
import { emit, mapShowJson } from './map-common.js';

export const mapCreateCommand: Command = {
  name: 'create',
  summary: 'create a map and pin it',
  usage: 'tsbpf map create PATH type TYPE key KSIZE value VSIZE entries N name NAME [flags F] [inner_map MAP] [--bpffs DIR] [--json]',
  details: [
    'As bpftool: TYPE is a map type name (hash, array, percpu_hash, lru_hash, queue, stack, ringbuf, bloom_filter, lpm_trie,',
    'array_of_maps, hash_of_maps, prog_array...); maps of maps take inner_map MAP (pinned PATH | id N | name NAME), the',
    'template every inner map must match. The map is pinned at PATH in the store (relative to it, or under /sys/fs/bpf/).',
    '--json prints the new map as `map show` does.',
  ],
  run(argv, out) {
    const { positionals, common } = parseCommand(argv, {});
    const t = new Tokens(positionals);
    const path = t.next('PATH');
    const fields: Partial<Record<'type' | 'key' | 'value' | 'entries' | 'name' | 'flags' | 'inner_map', string>> = {};
    let innerRef: ObjectRef | undefined;
    while (!t.done) {
      const kw = t.next('a keyword');
      switch (kw) {
        case 'type': case 'key': case 'value': case 'entries': case 'name': case 'flags':
          if (fields[kw] !== undefined) throw new UsageError(`'${kw}' given twice`);
          fields[kw] = t.next(`the ${kw} after '${kw}'`);
          break;
        case 'inner_map':
          innerRef = parseRef(t, 'map');
          break;
        case 'dev': case 'offload_dev':
          throw new UsageError(`'${kw}': device offload does not exist in tsbpf`);
        default:
          throw new UsageError(`unknown keyword '${kw}' (expected type, key, value, entries, name, flags or inner_map)`);
      }
    }
    for (const k of ['type', 'key', 'value', 'entries', 'name'] as const) {
      if (fields[k] === undefined) throw new UsageError(`missing '${k}'`);
    }
    const type = fields.type!;
    if (!(type in MAP_TYPE) || type === 'unspec') {
      throw new UsageError(`type '${type}' is not a map type (known: ${Object.keys(MAP_TYPE).filter((k) => k !== 'unspec').join(', ')})`);
    }
    const name = fields.name!;
    if (name.length > 15) throw new BpfError('EINVAL', `map name '${name}' is longer than 15 characters (BPF_OBJ_NAME_LEN)`);
    if (!/^[A-Za-z0-9_.]*$/.test(name)) throw new BpfError('EINVAL', `map name '${name}' may only hold letters, digits, '_' and '.'`);
    const spec: MapSpec = {
      type: type as MapTypeName, name,
      keySize: parseUint(fields.key!, 'key'), valueSize: parseUint(fields.value!, 'value'),
      maxEntries: parseUint(fields.entries!, 'entries'), flags: fields.flags === undefined ? 0 : parseUint(fields.flags, 'flags'),
    };
    const json = writeSession(common, (s, store) => {
      if (innerRef) spec.inner = specFromJson(store.readMap(resolveMapId(store, innerRef)).spec);
      // A bad or taken path fails before the map exists.
      const r = store.resolve(path);
      if (existsSync(r.abs)) throw new BpfError('EEXIST', `${store.display(r.rel)}: a pin already exists there`);
      const m = s.vm.createMap(spec);
      const id = s.persistMap(m);
      store.addPin(path, 'map', id);
      return mapShowJson(store, id);
    });
    emit(out, common, json, '');
    return 0;
  },
};
