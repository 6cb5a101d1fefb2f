/**
 * CO-RE ("compile once, run everywhere") relocations: re-target a program's field offsets, sizes,
 * type and enum facts from the BTF it was compiled against (local) to the BTF of the kernel it runs on
 * (target), following libbpf's rules (relo_core.c):
 *
 *  1. candidates: every target type of a compatible kind whose essential name (flavor suffix
 *     `___xyz` stripped) equals the local type's;
 *  2. each candidate is matched against the local access spec (core-spec.ts); all matching
 *     candidates must agree on the result, or the relocation is ambiguous (an error);
 *  3. no candidate: existence checks give 0, TYPE_* values give 0, and the kinds that need a value
 *     (field offsets/sizes/shifts, enum values) "poison" the instruction instead of failing:
 *     applyCoreRelo turns it into a call to helper 0xbad2310, which does not exist, so the program
 *     fails only if that instruction is executed (or reached, for the verifier) — the code guarded by
 *     bpf_core_field_exists() and friends stays loadable.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { BpfError } from '../errors.js';
import { CALL_CODE, CLASS, LDDW_CODE, SIZE, SIZE_BYTES, SRC, cls, modeOf, sizeOf as sizeCodeOf, srcOf } from '../isa/opcodes.js';
import type { Insn } from '../isa/insn.js';
import { parseBtf, type Btf } from './btf.js';
import { CORE_RELO_KIND, type BtfCoreRelo } from './btf-ext.js';
import { essentialName, kindsCoreCompat } from './core-compat.js';
import {
  CORE_RELO_KIND_NAMES, type CoreSpec, formatCoreSpec, isEnumvalKind, isFieldKind, isTypeKind, matchCoreSpec,
  parseCoreSpec, specError,
} from './core-spec.js';
import { elfSection, isElf } from './elf-btf.js';
import { BTF_INT_SIGNED, isAnyEnum } from './types.js';

export { CORE_RELO_KIND } from './btf-ext.js';
export { essentialName } from './core-compat.js';

/** The helper id libbpf writes into a poisoned instruction ("bad relo"): 195896080. */
export const POISON_HELPER_ID = 0xbad2310;

export type CoreReloInput = Pick<BtfCoreRelo, 'typeId' | 'accessStr' | 'kind'> & { insnOff?: number };

export interface CoreReloResult {
  kind: number;
  /** The value the compiler assumed (computed over the local BTF). */
  localValue: bigint;
  /** The value for the target kernel; meaningless when `poison`. */
  targetValue: bigint;
  /** No target satisfies a relocation that needs a value: the instruction must be poisoned. */
  poison?: boolean;
  /** Check that the instruction holds localValue before patching (off for bitfields and type ids). */
  validate: boolean;
  /** FIELD_BYTE_OFFSET of a non-bitfield: the field (element) size, local and target, for LDX/ST/STX sizes. */
  localSize: number;
  targetSize: number;
  /** The sizes differ and the field is neither a pointer nor unsigned on both sides: a load would be wrong. */
  failMemSizeAdjust: boolean;
  /** The matched target root type (undefined when no candidate matched). */
  targetTypeId?: number;
  /** libbpf-style descriptions, for logs: `<byte_off> [5] struct foo.a (0:0 @ offset 0)`. */
  localSpec: string;
  targetSpec?: string;
}

export interface ResolveCoreReloOptions {
  /** Names the relocation in messages (program or section name). */
  progName?: string;
}

interface FieldValue {
  value: bigint;
  size: number;
  typeId: number;
  validate: boolean;
}

const u64 = (n: number | bigint): bigint => BigInt.asUintN(64, BigInt(n));

/** Value of a field-based relocation over one spec (bpf_core_calc_field_relo); 'poison' when absent. */
function fieldValue(kind: number, spec: CoreSpec | undefined, where: string): FieldValue | 'poison' {
  if (kind === CORE_RELO_KIND.FIELD_EXISTS) return { value: spec ? 1n : 0n, size: 0, typeId: 0, validate: true };
  if (!spec) return 'poison';
  const { btf } = spec;
  const acc = spec.acc[spec.acc.length - 1]!;
  const elemSize = (id: number): { size: number; id: number } => {
    let t = btf.resolve(id);
    while (t.kind === 'array') t = btf.resolve(t.elemType!);
    return { size: btf.sizeOf(t.id), id: t.id };
  };

  if (acc.name === undefined) {
    // The access ends in an array element: a[n].
    if (kind === CORE_RELO_KIND.FIELD_BYTE_OFFSET) {
      const e = elemSize(acc.typeId);
      return { value: BigInt(spec.bitOffset / 8), size: e.size, typeId: acc.typeId, validate: true };
    }
    if (kind === CORE_RELO_KIND.FIELD_BYTE_SIZE) return { value: BigInt(btf.sizeOf(acc.typeId)), size: 0, typeId: 0, validate: true };
    throw new BpfError('EINVAL', `${where}: relocation ${CORE_RELO_KIND_NAMES[kind]} cannot be applied to an array element access`);
  }

  const holder = btf.typeById(acc.typeId);
  const m = holder.members![acc.idx]!;
  const mt = btf.resolve(m.type);
  const bitOff = spec.bitOffset;
  let bitSize = m.bitfieldSize;
  const bitfield = bitSize > 0;
  let byteSize: number;
  let byteOff: number;
  if (bitfield) {
    // The smallest naturally aligned load, starting from the bitfield's type size, that covers it.
    byteSize = mt.size!;
    byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    while (bitOff + bitSize - byteOff * 8 > byteSize * 8) {
      if (byteSize >= 8) throw new BpfError('E2BIG', `${where}: bitfield '${m.name}' at bit ${bitOff} (${bitSize} bits) cannot be read with one 64-bit load`);
      byteSize *= 2;
      byteOff = Math.floor(bitOff / 8 / byteSize) * byteSize;
    }
  } else {
    byteSize = btf.sizeOf(mt.id);
    byteOff = Math.floor(bitOff / 8);
    bitSize = byteSize * 8;
  }
  // Bitfield placement is the compiler's choice: only signedness and the right shift are certain.
  let validate = !bitfield;
  let value: bigint;
  let size = 0;
  let typeId = 0;
  switch (kind) {
    case CORE_RELO_KIND.FIELD_BYTE_OFFSET:
      value = BigInt(byteOff);
      if (!bitfield) {
        const e = elemSize(mt.id);
        size = e.size;
        typeId = mt.id;
      }
      break;
    case CORE_RELO_KIND.FIELD_BYTE_SIZE:
      value = BigInt(byteSize);
      break;
    case CORE_RELO_KIND.FIELD_SIGNED:
      value = (isAnyEnum(mt) && mt.signed) || (mt.kind === 'int' && (mt.intEncoding! & BTF_INT_SIGNED) !== 0) ? 1n : 0n;
      validate = true;
      break;
    case CORE_RELO_KIND.FIELD_LSHIFT_U64:
      value = BigInt(64 - (bitOff + bitSize - byteOff * 8)); // little-endian
      break;
    case CORE_RELO_KIND.FIELD_RSHIFT_U64:
      value = BigInt(64 - bitSize);
      validate = true;
      break;
    default:
      throw new BpfError('EINVAL', `${where}: unknown field relocation kind ${kind}`);
  }
  return { value, size, typeId, validate };
}

function typeValue(kind: number, spec: CoreSpec | undefined): bigint {
  if (!spec) return 0n;
  switch (kind) {
    case CORE_RELO_KIND.TYPE_ID_TARGET: return BigInt(spec.rootTypeId);
    case CORE_RELO_KIND.TYPE_EXISTS: case CORE_RELO_KIND.TYPE_MATCHES: return 1n;
    case CORE_RELO_KIND.TYPE_SIZE: return BigInt(spec.btf.sizeOf(spec.rootTypeId));
    default: throw new BpfError('EINVAL', `unexpected type relocation kind ${kind}`);
  }
}

function enumValue(kind: number, spec: CoreSpec | undefined): bigint | 'poison' {
  if (kind === CORE_RELO_KIND.ENUMVAL_EXISTS) return spec ? 1n : 0n;
  if (!spec) return 'poison';
  const e = spec.btf.typeById(spec.acc[0]!.typeId);
  const v = e.values![spec.acc[0]!.idx]!.value;
  // libbpf reads a 32-bit enumerator as s32 into a u64 (sign-extending), a 64-bit one as u64.
  return e.kind === 'enum' ? u64(BigInt.asIntN(32, v)) : u64(v);
}

/** Local and target values for one candidate (or none): bpf_core_calc_relo. */
function calc(kind: number, local: CoreSpec, target: CoreSpec | undefined, where: string): CoreReloResult {
  const r: CoreReloResult = {
    kind, localValue: 0n, targetValue: 0n, validate: true, localSize: 0, targetSize: 0, failMemSizeAdjust: false,
    localSpec: formatCoreSpec(local), targetSpec: target ? formatCoreSpec(target) : undefined, targetTypeId: target?.rootTypeId,
  };
  if (isFieldKind(kind)) {
    const l = fieldValue(kind, local, where);
    if (l === 'poison') throw new BpfError('EINVAL', `${where}: local field cannot be computed`);
    const t = fieldValue(kind, target, where);
    r.localValue = l.value;
    r.validate = l.validate;
    r.localSize = l.size;
    if (t === 'poison') {
      r.poison = true;
      return r;
    }
    r.targetValue = t.value;
    r.targetSize = t.size;
    if (r.localSize !== r.targetSize) {
      // A different load size is only safe for pointers (a 32-bit kernel pointer zero-extends) and
      // unsigned integers (zero extension keeps the value); anything else is poisoned at patch time.
      const lt = local.btf.typeById(l.typeId);
      const tt = target!.btf.typeById(t.typeId);
      const bothPtr = lt.kind === 'ptr' && tt.kind === 'ptr';
      const bothUnsigned = lt.kind === 'int' && tt.kind === 'int' && lt.intEncoding !== BTF_INT_SIGNED && tt.intEncoding !== BTF_INT_SIGNED;
      r.failMemSizeAdjust = !bothPtr && !bothUnsigned;
    }
  } else if (isTypeKind(kind)) {
    r.localValue = typeValue(kind, local);
    r.targetValue = typeValue(kind, target);
    // A type id embedded in an instruction can change when objects are linked: do not insist on it.
    if (kind === CORE_RELO_KIND.TYPE_ID_TARGET) r.validate = false;
  } else if (isEnumvalKind(kind)) {
    const l = enumValue(kind, local);
    const t = enumValue(kind, target);
    if (l === 'poison') throw new BpfError('EINVAL', `${where}: local enum value cannot be computed`);
    r.localValue = l;
    if (t === 'poison') r.poison = true;
    else r.targetValue = t;
  } else {
    throw new BpfError('EINVAL', `${where}: unrecognized CO-RE relocation kind ${kind}`);
  }
  return r;
}

const candidateIndexes = new WeakMap<Btf, Map<string, number[]>>();

/** Target type ids by essential name, built once per target BTF (vmlinux has ~100k types). */
function candidatesByName(target: Btf): Map<string, number[]> {
  let idx = candidateIndexes.get(target);
  if (!idx) {
    idx = new Map();
    for (let id = 1; id < target.types.length; id++) {
      const name = target.types[id]!.name;
      if (!name) continue;
      const key = essentialName(name);
      const list = idx.get(key);
      if (list) list.push(id);
      else idx.set(key, [id]);
    }
    candidateIndexes.set(target, idx);
  }
  return idx;
}

/** Candidate target types for a local type, in id order, from the first target BTF that has any. */
export function findCoreCandidates(localBtf: Btf, localTypeId: number, targets: readonly Btf[]): { btf: Btf; id: number }[] {
  const lt = localBtf.typeById(localTypeId);
  const key = essentialName(lt.name);
  for (const btf of targets) {
    const found = (candidatesByName(btf).get(key) ?? []).filter((id) => kindsCoreCompat(btf.types[id]!, lt)).map((id) => ({ btf, id }));
    if (found.length) return found;
  }
  return [];
}

/**
 * Resolve one relocation: the local value the compiler assumed and the value for the target. The
 * target may be several BTFs (vmlinux, then modules): candidates come from the first that has any.
 * Errors (malformed access strings, ambiguous candidates, anonymous root types) are BpfErrors that
 * name the relocation.
 */
export function resolveCoreRelo(localBtf: Btf, relo: CoreReloInput, targetBtf: Btf | readonly Btf[], opts: ResolveCoreReloOptions = {}): CoreReloResult {
  const targets: readonly Btf[] = Array.isArray(targetBtf) ? targetBtf : [targetBtf as Btf];
  const kindName = CORE_RELO_KIND_NAMES[relo.kind] ?? `kind ${relo.kind}`;
  const local = localBtf.typeById(relo.typeId);
  const where = `${opts.progName ? `${opts.progName}: ` : ''}CO-RE relo <${kindName}>${relo.insnOff !== undefined ? ` at insn ${relo.insnOff}` : ''} ` +
    `([${local.id}] ${local.kind} ${local.name || '<anon>'} + ${relo.accessStr})`;

  let spec: CoreSpec;
  try {
    spec = parseCoreSpec(localBtf, relo.typeId, relo.accessStr, relo.kind);
  } catch (e) {
    throw specError(where, e);
  }
  if (relo.kind === CORE_RELO_KIND.TYPE_ID_LOCAL) {
    const id = BigInt(relo.typeId);
    return { ...calcBase(relo.kind, spec), localValue: id, targetValue: id, validate: false };
  }
  if (!local.name) throw new BpfError('EOPNOTSUPP', `${where}: relocations against anonymous types are not supported`);

  let chosen: CoreReloResult | undefined;
  let chosenSpec: CoreSpec | undefined;
  for (const cand of findCoreCandidates(localBtf, relo.typeId, targets)) {
    let cspec: CoreSpec | undefined;
    try {
      cspec = matchCoreSpec(spec, cand.btf, cand.id);
    } catch (e) {
      throw specError(`${where}: candidate [${cand.id}]`, e);
    }
    if (!cspec) continue;
    const r = calc(relo.kind, spec, cspec, where);
    if (!chosen) {
      chosen = r;
      chosenSpec = cspec;
    } else if (cspec.bitOffset !== chosenSpec!.bitOffset) {
      throw new BpfError('EINVAL', `${where}: field offset ambiguity: ${formatCoreSpec(cspec)} vs ${formatCoreSpec(chosenSpec!)}`);
    } else if (!!r.poison !== !!chosen.poison || r.targetValue !== chosen.targetValue) {
      throw new BpfError('EINVAL', `${where}: relocation decision ambiguity: ${r.poison ? 'failure' : 'success'} ${r.targetValue} (${r.targetSpec}) vs ${chosen.poison ? 'failure' : 'success'} ${chosen.targetValue} (${chosen.targetSpec})`);
    }
  }
  return chosen ?? calc(relo.kind, spec, undefined, where);
}

function calcBase(kind: number, spec: CoreSpec): CoreReloResult {
  return { kind, localValue: 0n, targetValue: 0n, validate: true, localSize: 0, targetSize: 0, failMemSizeAdjust: false, localSpec: formatCoreSpec(spec) };
}

/** `call 0xbad2310`: what a poisoned instruction becomes. */
export function poisonInsn(): Insn {
  return { code: CALL_CODE, dst: 0, src: 0, off: 0, imm: POISON_HELPER_ID };
}

export interface ApplyCoreReloOptions {
  /** Names the instruction in messages. */
  where?: string;
}

/**
 * Patch one instruction with a resolved relocation (libbpf's bpf_core_patch_insn):
 *  - ALU/ALU64 with an immediate: imm = target value;
 *  - LDX/ST/STX: off = target value (and the access size follows the field's size when it changed);
 *  - lddw: the 64-bit immediate = target value.
 * The instruction is first checked to hold the local value (when the result says to validate).
 *
 * Returns the replacement instructions, occupying exactly as many 8-byte slots as `insn`: one
 * instruction, except when an lddw is poisoned — libbpf then turns both of its slots into the poison
 * call, so two are returned. Poisoning never throws: a poisoned instruction is only an error if it
 * runs. Other mismatches (wrong instruction form, unexpected value, offset over 32767) are EINVAL.
 */
export function applyCoreRelo(insn: Insn, result: CoreReloResult, opts: ApplyCoreReloOptions = {}): Insn[] {
  const where = opts.where ?? `CO-RE relo <${CORE_RELO_KIND_NAMES[result.kind] ?? result.kind}>`;
  const fail = (why: string): never => {
    throw new BpfError('EINVAL', `${where}: ${why}`);
  };
  const poisoned = (): Insn[] => (insn.code === LDDW_CODE ? [poisonInsn(), poisonInsn()] : [poisonInsn()]);
  if (result.poison) return poisoned();
  const orig = result.localValue;
  const next = result.targetValue;
  const c = cls(insn.code);
  switch (c) {
    case CLASS.ALU: case CLASS.ALU64: {
      if (srcOf(insn.code) !== SRC.K) fail('cannot relocate an ALU instruction with a register source');
      if (result.validate && u64(insn.imm) !== orig) fail(`unexpected ALU immediate ${insn.imm}, expected ${orig} (-> ${next})`);
      return [{ ...insn, imm: Number(BigInt.asIntN(32, next)) }];
    }
    case CLASS.LDX: case CLASS.ST: case CLASS.STX: {
      if (result.validate && u64(insn.off) !== orig) fail(`unexpected memory offset ${insn.off}, expected ${orig} (-> ${next})`);
      if (next > 32767n) fail(`offset ${next} does not fit in the 16-bit offset field`);
      if (result.failMemSizeAdjust) return poisoned();
      const out: Insn = { ...insn, off: Number(next) };
      if (result.targetSize !== result.localSize) {
        const have = SIZE_BYTES[sizeCodeOf(insn.code)]!;
        if (have !== result.localSize) fail(`memory access of ${have} bytes, expected ${result.localSize}`);
        const code = ({ 1: SIZE.B, 2: SIZE.H, 4: SIZE.W, 8: SIZE.DW } as Record<number, number>)[result.targetSize];
        if (code === undefined) fail(`target field size ${result.targetSize} is not 1, 2, 4 or 8 bytes`);
        out.code = modeOf(insn.code) | code! | c;
      }
      return [out];
    }
    case CLASS.LD: {
      if (insn.code !== LDDW_CODE || insn.src !== 0 || insn.off !== 0) fail('lddw has an unexpected form (pseudo source or offset set)');
      const imm64 = (u64(insn.imm2 ?? 0) << 32n) | u64(insn.imm >>> 0);
      if (result.validate && imm64 !== orig) fail(`unexpected lddw immediate ${imm64}, expected ${orig} (-> ${next})`);
      return [{ ...insn, imm: Number(BigInt.asIntN(32, next)), imm2: Number(BigInt.asIntN(32, next >> 32n)) }];
    }
    default:
      return fail(`cannot relocate instruction code 0x${insn.code.toString(16)} (src ${insn.src}, dst ${insn.dst}, off ${insn.off}, imm ${insn.imm})`);
  }
}

export const VMLINUX_BTF_PATH = '/sys/kernel/btf/vmlinux';

export interface LoadTargetBtfOptions {
  /** For a module's split BTF: the vmlinux BTF it extends. */
  base?: Btf;
}

let vmlinuxCache: { key: string; btf: Btf } | undefined;

/**
 * The BTF to relocate against: `path` (raw BTF, or an ELF file whose .BTF section is used), or the
 * running kernel's /sys/kernel/btf/vmlinux. The default vmlinux is parsed once per process (and again
 * if the file changes).
 */
export function loadTargetBtf(path?: string, opts: LoadTargetBtfOptions = {}): Btf {
  const file = path ?? VMLINUX_BTF_PATH;
  if (!existsSync(file)) {
    throw new BpfError('ENOENT', path ? `${file}: no such file` : `${file} does not exist: this kernel exposes no BTF; name a BTF file`, { file });
  }
  let cacheKey: string | undefined;
  if (!path && !opts.base) {
    const st = statSync(file);
    cacheKey = `${file}:${st.size}:${st.mtimeMs}`;
    if (vmlinuxCache?.key === cacheKey) return vmlinuxCache.btf;
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new BpfError('EIO', `${file}: ${(e as Error).message}`, { file });
  }
  let raw = bytes;
  if (isElf(bytes)) {
    const sec = elfSection(bytes, '.BTF', file);
    if (!sec) throw new BpfError('ENOENT', `${file}: ELF file has no .BTF section`, { file });
    raw = sec;
  }
  const btf = parseBtf(raw, { name: file, base: opts.base });
  if (cacheKey) vmlinuxCache = { key: cacheKey, btf };
  return btf;
}
