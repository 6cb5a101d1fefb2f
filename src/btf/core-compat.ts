/**
 * The CO-RE type relations, as libbpf defines them (relo_core.c), written from their description:
 *  - essential names: `task_struct___v2` is a "flavor" of `task_struct`; everything after the last
 *    `___` (between non-underscores) is ignored when matching local and target names;
 *  - fieldsAreCompat: may a local field be read through a target field of this type;
 *  - typesAreCompat: the looser relation behind TYPE_EXISTS / TYPE_SIZE / TYPE_ID_TARGET;
 *  - typesMatch: the stricter relation behind TYPE_MATCHES (bpf_core_type_matches()).
 * Each walk is bounded (depth 32, like libbpf) and answers 'error' when the bound is hit.
 */
import type { Btf } from './btf.js';
import { BTF_INT_SIGNED, isAnyEnum, isComposite, type BtfType } from './types.js';

const MAX_DEPTH = 32;

/** Length of the name before a flavor suffix: `foo___v2` -> 3, `foo` -> 3, `foo___` -> 6. */
export function essentialNameLength(name: string): number {
  for (let i = name.length - 5; i >= 0; i--) {
    if (name[i] !== '_' && name[i + 1] === '_' && name[i + 2] === '_' && name[i + 3] === '_' && name[i + 4] !== '_') return i + 1;
  }
  return name.length;
}

export function essentialName(name: string): string {
  return name.slice(0, essentialNameLength(name));
}

/** The kinds may stand for each other: the same kind, or enum and enum64. */
export function kindsCoreCompat(a: BtfType, b: BtfType): boolean {
  return a.kind === b.kind || (isAnyEnum(a) && isAnyEnum(b));
}

/** Result of a relation check: true, false, or the walk was too deep / malformed. */
export type Relation = boolean | 'error';

/**
 * Field compatibility: structs and unions mix freely; pointers and floats always match; enums and
 * forwards need equal essential names (or one anonymous); ints of any size and sign match unless
 * one is an old-style bitfield int (non-zero int offset); arrays compare their element types.
 */
export function fieldsAreCompat(local: Btf, localId: number, target: Btf, targetId: number): Relation {
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const l = local.resolve(localId);
    const t = target.resolve(targetId);
    if (isComposite(l) && isComposite(t)) return true;
    if (!kindsCoreCompat(l, t)) return false;
    switch (l.kind) {
      case 'ptr': case 'float':
        return true;
      case 'fwd': case 'enum': case 'enum64': {
        const ln = essentialName(l.name);
        const tn = essentialName(t.name);
        return ln === '' || tn === '' || ln === tn;
      }
      case 'int':
        return l.intOffset === 0 && t.intOffset === 0;
      case 'array':
        localId = l.elemType!;
        targetId = t.elemType!;
        continue;
      default:
        return false;
    }
  }
  return 'error';
}

/**
 * Type compatibility for type-based relocations (names already matched by the caller): kinds agree
 * after typedefs and modifiers; pointers and arrays compare what they point to / hold; functions
 * compare argument counts and each argument and the return type.
 */
export function typesAreCompat(local: Btf, localId: number, target: Btf, targetId: number, level = MAX_DEPTH): Relation {
  if (!kindsCoreCompat(local.typeById(localId), target.typeById(targetId))) return false;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const l = local.resolve(localId);
    const t = target.resolve(targetId);
    if (!kindsCoreCompat(l, t)) return false;
    switch (l.kind) {
      case 'void': case 'struct': case 'union': case 'enum': case 'enum64': case 'fwd':
        return true;
      case 'int':
        return l.intOffset === 0 && t.intOffset === 0;
      case 'ptr':
        localId = l.type!;
        targetId = t.type!;
        continue;
      case 'array':
        localId = l.elemType!;
        targetId = t.elemType!;
        continue;
      case 'func_proto': {
        if (l.params!.length !== t.params!.length) return false;
        for (let i = 0; i < l.params!.length; i++) {
          if (level <= 0) return 'error';
          const r = typesAreCompat(local, local.resolveId(l.params![i]!.type), target, target.resolveId(t.params![i]!.type), level - 1);
          if (r !== true) return r;
        }
        localId = l.type!;
        targetId = t.type!;
        continue;
      }
      default:
        return false;
    }
  }
  return 'error';
}

function namesMatch(localName: string, targetName: string): boolean {
  if (targetName === '') return localName === '';
  return essentialName(localName) === essentialName(targetName);
}

function enumsMatch(l: BtfType, t: BtfType): boolean {
  if (l.size !== t.size || l.values!.length > t.values!.length) return false;
  return l.values!.every((lv) => t.values!.some((tv) => namesMatch(lv.name, tv.name)));
}

function compositesMatch(local: Btf, l: BtfType, target: Btf, t: BtfType, behindPtr: boolean, level: number): Relation {
  if (l.members!.length > t.members!.length) return false;
  for (const lm of l.members!) {
    let matched = false;
    for (const tm of t.members!) {
      if (!namesMatch(lm.name, tm.name)) continue;
      const r = typesMatch(local, lm.type, target, tm.type, behindPtr, level - 1);
      if (r === 'error') return r;
      if (r) {
        matched = true;
        break;
      }
    }
    if (!matched) return false;
  }
  return true;
}

/**
 * TYPE_MATCHES: the same kind with matching names at every level (after typedefs and modifiers);
 * behind a pointer, a struct/union also matches a forward declaration of the same flavor of
 * aggregate; ints match on size and signedness; enums when every local enumerator name exists in the
 * target and sizes agree; structs when every local member has a same-named matching member; arrays
 * on element count and type; functions on arity, arguments and return type.
 */
export function typesMatch(local: Btf, localId: number, target: Btf, targetId: number, behindPtr = false, level = MAX_DEPTH): Relation {
  if (level <= 0) return 'error';
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const l = local.resolve(localId);
    const t = target.resolve(targetId);
    if (!namesMatch(l.name, t.name)) return false;
    switch (l.kind) {
      case 'void':
        return t.kind === 'void';
      case 'fwd':
        if (behindPtr && t.kind !== 'fwd') return (t.kind === 'struct' && !l.fwdUnion) || (t.kind === 'union' && !!l.fwdUnion);
        return t.kind === 'fwd' && !!l.fwdUnion === !!t.fwdUnion;
      case 'enum': case 'enum64':
        return isAnyEnum(t) && enumsMatch(l, t);
      case 'struct': case 'union':
        if (behindPtr) {
          if (l.kind === t.kind) return true;
          return t.kind === 'fwd' && (l.kind === 'union') === !!t.fwdUnion;
        }
        if (l.kind !== t.kind) return false;
        return compositesMatch(local, l, target, t, behindPtr, level);
      case 'int':
        return t.kind === 'int' && l.size === t.size && (l.intEncoding! & BTF_INT_SIGNED) === (t.intEncoding! & BTF_INT_SIGNED);
      case 'ptr':
        if (t.kind !== 'ptr') return false;
        behindPtr = true;
        localId = l.type!;
        targetId = t.type!;
        continue;
      case 'array':
        if (t.kind !== 'array' || l.nelems !== t.nelems) return false;
        localId = l.elemType!;
        targetId = t.elemType!;
        continue;
      case 'func_proto': {
        if (t.kind !== 'func_proto' || l.params!.length !== t.params!.length) return false;
        for (let i = 0; i < l.params!.length; i++) {
          const r = typesMatch(local, l.params![i]!.type, target, t.params![i]!.type, behindPtr, level - 1);
          if (r !== true) return r;
        }
        localId = l.type!;
        targetId = t.type!;
        continue;
      }
      default:
        return false;
    }
  }
  return 'error';
}
