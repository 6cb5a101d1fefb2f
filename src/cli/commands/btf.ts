/** `tsbpf btf dump FILE [format c|raw]`: the types of an object's .BTF, a raw BTF file, or a pinned map's BTF. */
import type { Btf } from '../../btf/btf.js';
import { parseBtf } from '../../btf/btf.js';
import { dumpC } from '../../btf/c-dump.js';
import { loadTargetBtf } from '../../btf/core.js';
import { dumpRaw } from '../../btf/raw-dump.js';
import type { BtfType } from '../../btf/types.js';
import { BpfError } from '../../errors.js';
import type { Command } from '../command.js';
import { UsageError } from '../io.js';
import type { JsonValue } from '../json.js';
import { parseCommand } from '../options.js';
import { readSession, resolveMapId } from '../store-access.js';
import { parseRef, Tokens } from '../tokens.js';
import { emit } from './map-common.js';
import { kernelBtfSource } from '../kernel/btf.js';

const KIND = (k: string): string => (k === 'void' ? 'UNKN' : k.toUpperCase());
const INT_ENC: Record<number, string> = { 0: '(none)', 1: 'SIGNED', 2: 'CHAR', 4: 'BOOL' };
const LINKAGE = ['static', 'global', 'extern'];

/** One type as bpftool's `btf dump -j` object. */
function typeJson(t: BtfType): JsonValue {
  const o: { [k: string]: JsonValue } = { id: t.id, kind: KIND(t.kind), name: t.name || '(anon)' };
  switch (t.kind) {
    case 'int':
      Object.assign(o, { size: t.size!, bits_offset: t.intOffset!, nr_bits: t.intBits!, encoding: INT_ENC[t.intEncoding!] ?? 'UNKN' });
      break;
    case 'ptr': case 'const': case 'volatile': case 'restrict': case 'typedef': case 'type_tag':
      o.type_id = t.type!;
      break;
    case 'array':
      Object.assign(o, { type_id: t.elemType!, index_type_id: t.indexType!, nr_elems: t.nelems! });
      break;
    case 'struct': case 'union':
      Object.assign(o, {
        size: t.size!, vlen: t.members!.length,
        members: t.members!.map((m) => {
          const mo: { [k: string]: JsonValue } = { name: m.name || '(anon)', type_id: m.type, bits_offset: m.bitOffset };
          if (m.bitfieldSize) mo.bitfield_size = m.bitfieldSize;
          return mo;
        }),
      });
      break;
    case 'enum': case 'enum64':
      Object.assign(o, {
        encoding: t.signed ? 'SIGNED' : 'UNSIGNED', size: t.size!, vlen: t.values!.length,
        values: t.values!.map((v) => ({ name: v.name, val: v.value })),
      });
      break;
    case 'fwd':
      o.fwd_kind = t.fwdUnion ? 'union' : 'struct';
      break;
    case 'func':
      Object.assign(o, { type_id: t.type!, linkage: LINKAGE[t.linkage!] ?? '(unknown)' });
      break;
    case 'func_proto':
      Object.assign(o, { ret_type_id: t.type!, vlen: t.params!.length, params: t.params!.map((p) => ({ name: p.name || '(anon)', type_id: p.type })) });
      break;
    case 'var':
      Object.assign(o, { type_id: t.type!, linkage: t.linkage === 1 ? 'global' : LINKAGE[t.linkage!] ?? '(unknown)' });
      break;
    case 'datasec':
      Object.assign(o, { size: t.size!, vlen: t.vars!.length, vars: t.vars!.map((v) => ({ type_id: v.type, offset: v.offset, size: v.size })) });
      break;
    case 'float':
      o.size = t.size!;
      break;
    case 'decl_tag':
      Object.assign(o, { type_id: t.type!, component_idx: t.componentIdx! });
      break;
    default:
      break;
  }
  return o;
}

const btfDump: Command = {
  name: 'dump',
  summary: 'print the types of a BTF file, an object\'s .BTF, or a pinned map\'s BTF',
  usage: 'tsbpf btf dump ([file] FILE | map MAP | id N) [format c|raw] [--target vm|kernel] [--bpffs DIR] [--json]',
  details: [
    '--target kernel: id N is a BTF object in the kernel (vmlinux, a module, a loaded object\'s), map MAP a kernel',
    'map\'s BTF (id N, pinned PATH in bpffs, name NAME); FILE works with either target.',
    'FILE is a BPF object (its .BTF section) or raw BTF such as /sys/kernel/btf/vmlinux.',
    'format raw (default) is bpftool\'s listing; format c is compilable C (a vmlinux.h).',
    '--json: raw gives {"types": [...]} as bpftool -j; c gives {"c": TEXT}.',
  ],
  run(argv, out) {
    const { positionals, common } = parseCommand(argv, {}, { kernel: true });
    const t = new Tokens(positionals);
    let btf: Btf;
    if (common.target === 'kernel' && (t.peek() === 'map' || t.peek() === 'id')) {
      btf = kernelBtfSource(t, t.next('id or map') as 'id' | 'map');
    } else if (t.peek() === 'map') {
      t.next('map');
      const ref = parseRef(t, 'map');
      btf = readSession(common, (_s, store) => {
        const id = resolveMapId(store, ref);
        const rec = store.readMap(id);
        if (rec.btf === undefined) throw new BpfError('ENOENT', `map id ${id} ('${rec.spec.name}') has no BTF`);
        return parseBtf(new Uint8Array(Buffer.from(rec.btf, 'base64')), { name: store.objectPath('map', id) });
      });
    } else {
      t.accept('file');
      btf = loadTargetBtf(t.next('FILE'));
    }
    let format = 'raw';
    if (t.accept('format')) format = t.next('c or raw after format');
    t.end();
    if (format !== 'c' && format !== 'raw') throw new UsageError(`format must be c or raw, not '${format}'`);
    if (format === 'c') {
      const text = dumpC(btf);
      emit(out, common, { c: text }, text);
    } else {
      emit(out, common, { types: btf.ownTypes().map(typeJson) }, () => dumpRaw(btf));
    }
    return 0;
  },
};

export const btfCommand: Command = {
  name: 'btf',
  summary: 'inspect BTF type information (bpftool btf)',
  usage: 'tsbpf btf <command> ...',
  details: [],
  subcommands: [btfDump],
};
