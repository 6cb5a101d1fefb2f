/**
 * CO-RE access specifications. The compiler describes each relocatable access by a root type and an
 * access string of indices, "0:1:2": the first index is an array index over the root (p[0]), every
 * later one a member index (into a struct/union) or an element index (into an array). Walking that
 * string over the local BTF gives the "raw" spec (every step, anonymous members included) and the
 * "high-level" spec: only the steps that carry meaning across kernels, i.e. named members and array
 * indices. Matching a local spec against a target type re-finds each named member by name (looking
 * through anonymous structs/unions), re-checks array bounds, and accumulates the target bit offset.
 */
import { BpfError } from '../errors.js';
import type { Btf } from './btf.js';
import { CORE_RELO_KIND } from './btf-ext.js';
import { essentialName, fieldsAreCompat, typesAreCompat, typesMatch } from './core-compat.js';
import { isAnyEnum, isComposite, type BtfType } from './types.js';

/** libbpf's BPF_CORE_SPEC_MAX_LEN: the deepest access chain accepted. */
export const CORE_SPEC_MAX_LEN = 64;

export const CORE_RELO_KIND_NAMES: Record<number, string> = {
  0: 'byte_off', 1: 'byte_sz', 2: 'field_exists', 3: 'signed', 4: 'lshift_u64', 5: 'rshift_u64',
  6: 'local_type_id', 7: 'target_type_id', 8: 'type_exists', 9: 'type_size', 10: 'enumval_exists',
  11: 'enumval_value', 12: 'type_matches',
};

export const isFieldKind = (k: number): boolean => k >= CORE_RELO_KIND.FIELD_BYTE_OFFSET && k <= CORE_RELO_KIND.FIELD_RSHIFT_U64;
export const isTypeKind = (k: number): boolean =>
  k === CORE_RELO_KIND.TYPE_ID_LOCAL || k === CORE_RELO_KIND.TYPE_ID_TARGET || k === CORE_RELO_KIND.TYPE_EXISTS ||
  k === CORE_RELO_KIND.TYPE_SIZE || k === CORE_RELO_KIND.TYPE_MATCHES;
export const isEnumvalKind = (k: number): boolean => k === CORE_RELO_KIND.ENUMVAL_EXISTS || k === CORE_RELO_KIND.ENUMVAL_VALUE;

/** One meaningful step: a named member (idx into typeId's members) or an array index (name absent). */
export interface CoreAccessor {
  /** The struct/union holding the member, or the element type for an array index. */
  typeId: number;
  idx: number;
  name?: string;
}

export interface CoreSpec {
  btf: Btf;
  rootTypeId: number;
  kind: number;
  /** Every index of the access path, anonymous members included. */
  raw: number[];
  /** The meaningful steps. */
  acc: CoreAccessor[];
  /** Bit offset of the accessed field from the start of the root. */
  bitOffset: number;
}

/** Thrown for an access string that does not fit its type; the caller adds the relocation's place. */
export class CoreSpecError extends Error {}

const specFail = (why: string): never => {
  throw new CoreSpecError(why);
};

/** A flexible array member: zero elements and the last member of the struct it is in. */
function isFlexArray(btf: Btf, parent: CoreAccessor | undefined, arr: BtfType): boolean {
  if (!parent || parent.name === undefined || arr.nelems! > 0) return false;
  const holder = btf.typeById(parent.typeId);
  return parent.idx === holder.members!.length - 1;
}

/** Parse `accessStr` over the local root type (bpf_core_parse_spec). */
export function parseCoreSpec(btf: Btf, rootTypeId: number, accessStr: string, kind: number): CoreSpec {
  if (accessStr === '' || accessStr.startsWith(':')) specFail(`malformed access string '${accessStr}'`);
  const spec: CoreSpec = { btf, rootTypeId, kind, raw: [], acc: [], bitOffset: 0 };
  if (isTypeKind(kind)) {
    if (accessStr !== '0') specFail(`type-based relocation has access string '${accessStr}', expected '0'`);
    return spec;
  }
  for (const part of accessStr.split(':')) {
    if (!/^\d+$/.test(part)) specFail(`malformed access string '${accessStr}'`);
    if (spec.raw.length === CORE_SPEC_MAX_LEN) specFail(`access string '${accessStr}' is longer than ${CORE_SPEC_MAX_LEN} steps`);
    spec.raw.push(Number(part));
  }
  let id = btf.resolveId(rootTypeId);
  let t = btf.typeById(id);
  const first = spec.raw[0]!;
  spec.acc.push({ typeId: id, idx: first });

  if (isEnumvalKind(kind)) {
    if (!isAnyEnum(t)) specFail(`enum value relocation on [${id}], a ${t.kind}`);
    if (spec.raw.length > 1 || first >= t.values!.length) specFail(`enumerator index '${accessStr}' is out of range for [${id}] with ${t.values!.length} values`);
    spec.acc[0]!.name = t.values![first]!.name;
    return spec;
  }
  if (!isFieldKind(kind)) specFail(`unknown relocation kind ${kind}`);

  spec.bitOffset = first * btf.sizeOf(id) * 8;
  for (let i = 1; i < spec.raw.length; i++) {
    id = btf.resolveId(id);
    t = btf.typeById(id);
    const idx = spec.raw[i]!;
    if (isComposite(t)) {
      if (idx >= t.members!.length) specFail(`member index ${idx} (step ${i}) is beyond the ${t.members!.length} members of [${id}] ${t.kind} ${t.name || '<anon>'}`);
      const m = t.members![idx]!;
      spec.bitOffset += m.bitOffset;
      if (m.name) spec.acc.push({ typeId: id, idx, name: m.name });
      id = m.type;
    } else if (t.kind === 'array') {
      const elemId = btf.resolveId(t.elemType!);
      const flex = isFlexArray(btf, spec.acc[spec.acc.length - 1], t);
      if (!flex && idx >= t.nelems!) specFail(`array index ${idx} (step ${i}) is beyond the ${t.nelems} elements of [${id}]`);
      spec.acc.push({ typeId: elemId, idx });
      spec.bitOffset += idx * btf.sizeOf(elemId) * 8;
      id = elemId;
    } else {
      specFail(`step ${i} of '${accessStr}' indexes into [${id}], a ${t.kind}`);
    }
  }
  return spec;
}

/**
 * Find the local named member `local.acc` inside target type `targetId`, searching through anonymous
 * members; on success the target spec gains the raw steps and bit offset and a named accessor.
 * Returns the member's type id, or undefined when absent or incompatible.
 */
function matchMember(local: CoreSpec, localAcc: CoreAccessor, target: Btf, targetId: number, spec: CoreSpec): number | undefined | 'error' {
  const t = target.resolve(targetId);
  if (!isComposite(t)) return undefined;
  const localHolder = local.btf.typeById(localAcc.typeId);
  const localMember = localHolder.members![localAcc.idx]!;
  for (let i = 0; i < t.members!.length; i++) {
    const m = t.members![i]!;
    if (spec.raw.length === CORE_SPEC_MAX_LEN) specFail(`target nesting deeper than ${CORE_SPEC_MAX_LEN} steps`);
    spec.bitOffset += m.bitOffset;
    spec.raw.push(i);
    if (m.name === '') {
      const found = matchMember(local, localAcc, target, m.type, spec);
      if (found !== undefined) return found;
    } else if (m.name === localMember.name) {
      const compat = fieldsAreCompat(local.btf, localMember.type, target, m.type);
      if (compat === 'error') return 'error';
      if (!compat) return undefined;
      spec.acc.push({ typeId: t.id, idx: i, name: m.name });
      return m.type;
    }
    spec.bitOffset -= m.bitOffset;
    spec.raw.pop();
  }
  return undefined;
}

/**
 * Match the local spec against one target candidate (bpf_core_spec_match): the target spec, or
 * undefined when the candidate does not fit. Throws CoreSpecError for walks that are too deep.
 */
export function matchCoreSpec(local: CoreSpec, target: Btf, targetId: number): CoreSpec | undefined {
  const spec: CoreSpec = { btf: target, rootTypeId: targetId, kind: local.kind, raw: [], acc: [], bitOffset: 0 };
  if (isTypeKind(local.kind)) {
    const r = local.kind === CORE_RELO_KIND.TYPE_MATCHES
      ? typesMatch(local.btf, local.rootTypeId, target, targetId)
      : typesAreCompat(local.btf, local.rootTypeId, target, targetId);
    if (r === 'error') specFail(`type comparison of [${local.rootTypeId}] with target [${targetId}] is too deep`);
    return r ? spec : undefined;
  }
  if (isEnumvalKind(local.kind)) {
    const t = target.resolve(targetId);
    if (!isAnyEnum(t)) return undefined;
    const want = essentialName(local.acc[0]!.name!);
    const i = t.values!.findIndex((v) => essentialName(v.name) === want);
    if (i < 0) return undefined;
    spec.acc.push({ typeId: t.id, idx: i, name: t.values![i]!.name });
    spec.raw.push(i);
    return spec;
  }
  let id = targetId;
  for (let i = 0; i < local.acc.length; i++) {
    const la = local.acc[i]!;
    const t = target.resolve(id);
    id = t.id;
    if (la.name !== undefined) {
      const next = matchMember(local, la, target, id, spec);
      if (next === 'error') return specFail(`field comparison for '${la.name}' is too deep`);
      if (next === undefined) return undefined;
      id = next;
      continue;
    }
    // An array index; for the first step the root itself plays the array element.
    if (i > 0) {
      if (t.kind !== 'array') return undefined;
      const flex = isFlexArray(target, spec.acc[spec.acc.length - 1], t);
      if (!flex && la.idx >= t.nelems!) return undefined;
      id = target.resolveId(t.elemType!);
    }
    if (spec.raw.length === CORE_SPEC_MAX_LEN) specFail(`target nesting deeper than ${CORE_SPEC_MAX_LEN} steps`);
    spec.acc.push({ typeId: id, idx: la.idx });
    spec.raw.push(la.idx);
    spec.bitOffset += la.idx * target.sizeOf(id) * 8;
  }
  return spec;
}

/** libbpf's debug rendering: `<byte_off> [5] struct foo.a[1] (0:2:1 @ offset 12)`. */
export function formatCoreSpec(spec: CoreSpec): string {
  const root = spec.btf.typeById(spec.rootTypeId);
  let s = `<${CORE_RELO_KIND_NAMES[spec.kind] ?? 'unknown'}> [${root.id}] ${root.kind} ${root.name || '<anon>'}`;
  if (isTypeKind(spec.kind)) return s;
  if (isEnumvalKind(spec.kind)) {
    const e = spec.btf.resolve(spec.rootTypeId);
    const v = e.values?.[spec.raw[0] ?? -1];
    return v ? `${s}::${v.name} = ${v.value}` : s;
  }
  spec.acc.forEach((a, i) => {
    if (a.name !== undefined) s += `.${a.name}`;
    else if (i > 0 || a.idx > 0) s += `[${a.idx}]`;
  });
  const off = spec.bitOffset % 8 ? `${Math.floor(spec.bitOffset / 8)}.${spec.bitOffset % 8}` : `${spec.bitOffset / 8}`;
  return `${s} (${spec.raw.join(':')} @ offset ${off})`;
}

/** Wrap a spec failure as the user-facing error for one relocation. */
export function specError(where: string, e: unknown): BpfError {
  if (e instanceof CoreSpecError) return new BpfError('EINVAL', `${where}: ${e.message}`);
  if (e instanceof BpfError) return new BpfError(e.code, `${where}: ${e.message}`, e.place);
  return new BpfError('EINVAL', `${where}: ${String(e)}`);
}
