/**
 * A function's prototype the way bpftool prints it above each function of `prog dump xlated`
 * (btf_dumper.c's btf_dump_func): every type piece ends in a space, so a pointer parameter reads
 * `struct xdp_md * ctx`. Kept beside the pins because a pinned program stores these lines instead
 * of the object's whole BTF.
 */
import type { Btf } from '../btf/btf.js';

const MAX_DEPTH = 32;

function typeOnly(btf: Btf, id: number, depth: number): string {
  if (depth > MAX_DEPTH) return '';
  if (id === 0) return 'void ';
  const t = btf.typeById(id);
  switch (t.kind) {
    case 'int': case 'typedef': case 'float': return `${t.name} `;
    case 'struct': return `struct ${t.name} `;
    case 'union': return `union ${t.name} `;
    case 'enum': case 'enum64': return `enum ${t.name} `;
    case 'array': return `${typeOnly(btf, t.elemType!, depth + 1)}[${t.nelems}]`;
    case 'ptr': return `${typeOnly(btf, t.type!, depth + 1)}* `;
    case 'fwd': return `${t.fwdUnion ? 'union' : 'struct'} ${t.name} `;
    case 'volatile': return `volatile ${typeOnly(btf, t.type!, depth + 1)}`;
    case 'const': return `const ${typeOnly(btf, t.type!, depth + 1)}`;
    case 'restrict': return `restrict ${typeOnly(btf, t.type!, depth + 1)}`;
    case 'type_tag': return typeOnly(btf, t.type!, depth + 1);
    case 'func_proto': return funcText(btf, id, undefined, depth + 1);
    case 'func': return funcText(btf, t.type!, t.name, depth + 1);
    default: return '';
  }
}

function funcText(btf: Btf, protoId: number, name: string | undefined, depth: number): string {
  const proto = btf.typeById(protoId);
  if (proto.kind !== 'func_proto') return '';
  let s = typeOnly(btf, proto.type!, depth) + (name !== undefined ? `${name}(` : '(');
  proto.params!.forEach((p, i) => {
    if (i) s += ', ';
    if (p.type === 0) {
      s += '...';
      return;
    }
    s += typeOnly(btf, p.type, depth);
    if (p.name) s += p.name;
    else if (s.endsWith(' ')) s = s.slice(0, -1);
  });
  return s + ')';
}

/** `int count(struct xdp_md * ctx)` for a FUNC type id; '' when the id is not a function. */
export function funcProto(btf: Btf, funcTypeId: number): string {
  try {
    const t = btf.typeById(funcTypeId);
    return t.kind === 'func' ? typeOnly(btf, funcTypeId, 0) : '';
  } catch {
    return '';
  }
}
