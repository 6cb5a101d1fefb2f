/**
 * The plain listing of `bpftool btf dump file X` (format raw): one line per type with its kind, name
 * and fields, members/enumerators/params/vars indented below. Used by the CLI and, in the tests, to
 * compare our parse with bpftool's line for line.
 */
import type { Btf } from './btf.js';
import { BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, type BtfType } from './types.js';

const KIND_LABEL: Record<string, string> = {
  void: 'UNKNOWN', int: 'INT', ptr: 'PTR', array: 'ARRAY', struct: 'STRUCT', union: 'UNION', enum: 'ENUM', fwd: 'FWD',
  typedef: 'TYPEDEF', volatile: 'VOLATILE', const: 'CONST', restrict: 'RESTRICT', func: 'FUNC', func_proto: 'FUNC_PROTO',
  var: 'VAR', datasec: 'DATASEC', float: 'FLOAT', decl_tag: 'DECL_TAG', type_tag: 'TYPE_TAG', enum64: 'ENUM64',
};

const LINKAGE = ['static', 'global', 'extern'];

function intEncoding(e: number): string {
  switch (e) {
    case 0: return '(none)';
    case BTF_INT_SIGNED: return 'SIGNED';
    case BTF_INT_CHAR: return 'CHAR';
    case BTF_INT_BOOL: return 'BOOL';
    default: return 'UNKN';
  }
}

const quoted = (name: string): string => `'${name || '(anon)'}'`;

/** One type in bpftool's raw format (no trailing newline). */
export function formatRawType(btf: Btf, t: BtfType): string {
  let s = `[${t.id}] ${KIND_LABEL[t.kind]} ${quoted(t.name)}`;
  switch (t.kind) {
    case 'int':
      s += ` size=${t.size} bits_offset=${t.intOffset} nr_bits=${t.intBits} encoding=${intEncoding(t.intEncoding!)}`;
      break;
    case 'ptr': case 'const': case 'volatile': case 'restrict': case 'typedef': case 'type_tag':
      s += ` type_id=${t.type}`;
      break;
    case 'array':
      s += ` type_id=${t.elemType} index_type_id=${t.indexType} nr_elems=${t.nelems}`;
      break;
    case 'struct': case 'union':
      s += ` size=${t.size} vlen=${t.members!.length}`;
      for (const m of t.members!) {
        s += `\n\t${quoted(m.name)} type_id=${m.type} bits_offset=${m.bitOffset}`;
        if (m.bitfieldSize) s += ` bitfield_size=${m.bitfieldSize}`;
      }
      break;
    case 'enum': case 'enum64': {
      s += ` encoding=${t.signed ? 'SIGNED' : 'UNSIGNED'} size=${t.size} vlen=${t.values!.length}`;
      const suffix = t.kind === 'enum64' ? (t.signed ? 'LL' : 'ULL') : '';
      for (const v of t.values!) s += `\n\t${quoted(v.name)} val=${v.value}${suffix}`;
      break;
    }
    case 'fwd':
      s += ` fwd_kind=${t.fwdUnion ? 'union' : 'struct'}`;
      break;
    case 'func':
      s += ` type_id=${t.type} linkage=${LINKAGE[t.linkage!] ?? '(unknown)'}`;
      break;
    case 'func_proto':
      s += ` ret_type_id=${t.type} vlen=${t.params!.length}`;
      for (const p of t.params!) s += `\n\t${quoted(p.name)} type_id=${p.type}`;
      break;
    case 'var':
      s += ` type_id=${t.type}, linkage=${LINKAGE[t.linkage!] ?? '(unknown)'}`;
      break;
    case 'datasec':
      s += ` size=${t.size} vlen=${t.vars!.length}`;
      for (const v of t.vars!) {
        s += `\n\ttype_id=${v.type} offset=${v.offset} size=${v.size}`;
        if (btf.hasType(v.type)) {
          const vt = btf.types[v.type]!;
          s += ` (${KIND_LABEL[vt.kind]} ${quoted(vt.name)})`;
        }
      }
      break;
    case 'float':
      s += ` size=${t.size}`;
      break;
    case 'decl_tag':
      s += ` type_id=${t.type} component_idx=${t.componentIdx}`;
      break;
    default:
      break;
  }
  return s;
}

export interface DumpRawOptions {
  /** Only these ids (default: every type this BTF defines; a split BTF's base is not repeated). */
  rootIds?: number[];
}

export function dumpRaw(btf: Btf, opts: DumpRawOptions = {}): string {
  const ids = opts.rootIds ?? Array.from({ length: btf.types.length - btf.startId }, (_, i) => btf.startId + i);
  return ids.map((id) => formatRawType(btf, btf.typeById(id)) + '\n').join('');
}
