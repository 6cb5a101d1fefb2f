/**
 * The BTF type model shared by the parser (btf.ts), the C printer, CO-RE and the object loader.
 * Ids are the ones in the .BTF section: 0 is void, types are numbered from 1 in section order.
 * In split BTF (a kernel module's BTF on top of vmlinux) ids continue after the base's last id.
 */
export const BTF_KIND = {
  void: 0, int: 1, ptr: 2, array: 3, struct: 4, union: 5, enum: 6, fwd: 7, typedef: 8, volatile: 9,
  const: 10, restrict: 11, func: 12, func_proto: 13, var: 14, datasec: 15, float: 16, decl_tag: 17,
  type_tag: 18, enum64: 19,
} as const;

export type BtfKindName = keyof typeof BTF_KIND;

/** The kind names indexed by their number (the inverse of BTF_KIND). */
export const BTF_KIND_NAMES: readonly BtfKindName[] = Object.entries(BTF_KIND)
  .sort((a, b) => a[1] - b[1])
  .map(([n]) => n as BtfKindName);

/** INT encoding bits. */
export const BTF_INT_SIGNED = 1;
export const BTF_INT_CHAR = 2;
export const BTF_INT_BOOL = 4;

/** FUNC and VAR linkage. */
export const BTF_LINKAGE = { static: 0, global: 1, extern: 2 } as const;

export interface BtfMember {
  name: string;
  type: number;
  /** Offset from the start of the struct, in bits. */
  bitOffset: number;
  /** Non-zero for bitfields (kind_flag set). */
  bitfieldSize: number;
}

export interface BtfParam {
  name: string;
  type: number;
}

export interface BtfEnumValue {
  name: string;
  /** The value as the enum's signedness reads it (negative only for a signed enum). */
  value: bigint;
}

export interface BtfVarSecinfo {
  type: number;
  offset: number;
  size: number;
}

/** One type. Fields beyond id/kind/name are present according to the kind. */
export interface BtfType {
  id: number;
  kind: BtfKindName;
  name: string;
  /** int, struct, union, enum, enum64, float, datasec: byte size. */
  size?: number;
  /** ptr, typedef, const, volatile, restrict, type_tag, func, var, decl_tag: the referenced type; func_proto: the return type. */
  type?: number;
  /** int: encoding bits (signed 1, char 2, bool 4), bit offset and bit count. */
  intEncoding?: number;
  intOffset?: number;
  intBits?: number;
  /** array */
  elemType?: number;
  indexType?: number;
  nelems?: number;
  /** struct, union */
  members?: BtfMember[];
  /** enum, enum64 */
  values?: BtfEnumValue[];
  signed?: boolean;
  /** func_proto */
  params?: BtfParam[];
  /** func: linkage 0 static, 1 global, 2 extern; var: 0 static, 1 global, 2 extern */
  linkage?: number;
  /** fwd: true for a union forward declaration */
  fwdUnion?: boolean;
  /** datasec */
  vars?: BtfVarSecinfo[];
  /** decl_tag: component index (-1 for the whole type) */
  componentIdx?: number;
  /**
   * type_tag, decl_tag: the kind_flag. Set (newer compilers) when the tag is a plain attribute to be
   * printed as `__attribute__((name))` rather than `btf_type_tag("name")` / `btf_decl_tag("name")`.
   */
  attrTag?: boolean;
}

export const isComposite = (t: BtfType): boolean => t.kind === 'struct' || t.kind === 'union';
export const isAnyEnum = (t: BtfType): boolean => t.kind === 'enum' || t.kind === 'enum64';
/** const, volatile, restrict and type_tag: qualifiers that do not change layout. */
export const isModifier = (t: BtfType): boolean =>
  t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'type_tag';
