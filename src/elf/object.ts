/**
 * The BPF object loader: an ELF object as clang writes it becomes an ObjectSpec — programs linked
 * and relocated as libbpf would do it, map definitions, global data, license, BTF. No runtime is
 * touched: the result is a description that the VM or the kernel backend can load (like aya-obj,
 * this module has no dependency on either).
 */
import { parseBtf, type Btf } from '../btf/btf.js';
import { parseBtfExt, type BtfExt, type BtfFuncInfo, type BtfLineInfo } from '../btf/btf-ext.js';
import { BpfError } from '../errors.js';
import type { Insn } from '../isa/insn.js';
import { SHF, SHT, STB, readElf64, type ElfFile, type ElfSection } from './elf64.js';
import { objError, readCodeSection, type CodeFunction, type CodeSection } from './functions.js';
import { ExtInfoIndex } from './ext-info.js';
import { linkProgram, type LinkedProgram } from './link.js';
import { CoreTarget, applyCoreRelocations, type CoreOptions } from './core-relos.js';
import {
  ObjectMaps, dataKindOf, fixupDatasecs, readBtfMaps, readGlobalData, readLegacyMaps, readMapValuesRelocs,
  type ObjectMap,
} from './maps.js';
import { collectCodeRelocs, type SectionRelocs } from './relocations.js';
import {
  isDataSectionName, sectionInfoOrThrow, type AttachTarget, type AttachTypeName, type ProgTypeName, type SectionInfo,
} from './sections.js';

export type { ObjectMap, MapInitSlot, MapOrigin } from './maps.js';

export interface LoadObjectOptions {
  /** The file name, for messages (and, without `name`, the object name). */
  file?: string;
  /** The object name used in global-data map names (libbpf: the file's base name up to the first '.'). */
  name?: string;
  /** Kernel BTF to apply CO-RE relocations against (see core-relos.ts for the default). */
  targetBtf?: Btf;
  /** Do not look for /sys/kernel/btf/vmlinux when the object needs CO-RE and no targetBtf is given. */
  noSystemBtf?: boolean;
}

/** The source position of an instruction, from BTF line info. */
export type SourceLine = Pick<BtfLineInfo, 'fileName' | 'line' | 'col' | 'lineText'>;

export interface ProgramSpec {
  /** The entry function's symbol name. */
  name: string;
  /** The ELF section (SEC() name) as written, including a leading '?'. */
  section: string;
  type: ProgTypeName;
  attachType?: AttachTypeName;
  attachTarget?: AttachTarget;
  /** What the section name says (return probe, sleepable, xdp frags, autoload). */
  sectionInfo: SectionInfo;
  /** Linked instructions: the entry function, then the subprograms it reaches. */
  insns: Insn[];
  /** For each slot of `insns`: the source line it comes from, when the object has line info. */
  lineInfo: (SourceLine | undefined)[];
  /** The line-info records themselves (kernel form: insnOff is a slot of `insns`), sorted. */
  lineInfoRecords: BtfLineInfo[];
  /** One record per function in `insns` (kernel form: insnOff is a slot of `insns`). */
  funcInfo: BtfFuncInfo[];
  /** The functions in `insns` and the slot each starts at; the first is the entry. */
  functions: { name: string; slot: number; section: string }[];
  /** Indices into ObjectSpec.maps of the maps the program references. */
  mapsUsed: number[];
  /** How many CO-RE relocations were applied (counting each function the program contains). */
  coreRelocs: number;
  /** False for a static (STB_LOCAL) entry function. */
  global: boolean;
  license: string;
  kernelVersion?: number;
}

export interface ObjectSpec {
  file: string;
  /** The object name (used in global-data map names). */
  name: string;
  programs: ProgramSpec[];
  maps: ObjectMap[];
  license: string;
  kernelVersion?: number;
  btf?: Btf;
  btfExt?: BtfExt;
  /** Things that load in tsbpf but that libbpf would refuse or that were worked around. */
  warnings: string[];
}

/** libbpf's object name: the file's base name up to its first '.'. */
function objectNameOf(file: string | undefined): string {
  if (!file) return 'obj';
  const base = file.replace(/^.*\//, '');
  const dot = base.indexOf('.');
  return (dot > 0 ? base.slice(0, dot) : base) || 'obj';
}

function cString(data: Uint8Array): string {
  const end = data.indexOf(0);
  return new TextDecoder().decode(end < 0 ? data : data.subarray(0, end));
}

/** A code section that can hold programs (not .text and not a dot section). */
function isProgramSection(sec: ElfSection): boolean {
  return !isDataSectionName(sec.name);
}

export function loadObjectSpec(bytes: Uint8Array, opts: LoadObjectOptions = {}): ObjectSpec {
  const file = opts.file ?? '<memory>';
  const warnings: string[] = [];
  const warn = (w: string) => {
    warnings.push(w);
  };
  const elf = readElf64(bytes, file);
  if (!elf.symtab) throw objError(file, 'ELF', `no symbol table (.symtab): stripped object file?`, 'ENOENT');

  // ---- metadata: license, version, BTF
  let license = '';
  let kernelVersion: number | undefined;
  const licenseSec = elf.sectionByName('license');
  if (licenseSec) license = cString(licenseSec.data);
  const versionSec = elf.sectionByName('version');
  if (versionSec) {
    if (versionSec.data.length !== 4) throw objError(file, `sec 'version'`, `is ${versionSec.data.length} bytes, not a 4-byte kernel version`);
    kernelVersion = new DataView(versionSec.data.buffer, versionSec.data.byteOffset, 4).getUint32(0, true);
  }
  const { btf, btfExt, btfProblem } = readBtf(elf, warn);

  // ---- maps: legacy, BTF-defined, global data (libbpf's order)
  const maps = new ObjectMaps();
  const legacySec = elf.sectionByName('maps');
  if (legacySec && legacySec.type === SHT.PROGBITS) readLegacyMaps(elf, legacySec, maps, warn);
  const btfMapsSec = elf.sectionByName('.maps');
  if (btfMapsSec) readBtfMaps(elf, btfMapsSec, btf, btfProblem, maps, warn);
  const objName = opts.name ?? objectNameOf(opts.file);
  for (const sec of elf.sections) {
    const kind = dataKindOf(sec);
    if (kind) readGlobalData(elf, sec, kind, objName, btf, maps);
  }
  for (const sec of elf.sections) {
    if (sec.name === '.struct_ops' || sec.name === '.struct_ops.link') warn(`${file}: sec '${sec.name}': struct_ops maps are not supported by tsbpf; ignored`);
  }

  // ---- code: functions of each executable section, then their relocations
  const codeSections = new Map<number, CodeSection>();
  for (const sec of elf.sections) {
    if (sec.type !== SHT.PROGBITS || (sec.flags & SHF.EXECINSTR) === 0 || sec.size === 0) continue;
    codeSections.set(sec.index, readCodeSection(elf, sec, warn));
  }
  const relocs = new Map<number, SectionRelocs>();
  for (const cs of codeSections.values()) relocs.set(cs.section.index, collectCodeRelocs(elf, cs, codeSections, maps, warn));

  // ---- programs: every function of a program section (libbpf 1.x splits sections by symbol)
  const entries: { fn: CodeFunction; info: SectionInfo }[] = [];
  for (const cs of codeSections.values()) {
    if (!isProgramSection(cs.section)) continue;
    const info = sectionInfoOrThrow(cs.section.name, file);
    for (const fn of cs.functions) {
      if (!fn.global) {
        warn(`${file}: sec '${cs.section.name}': program '${fn.name}' is static; libbpf 1.x refuses static programs (make it global)`);
      }
      entries.push({ fn, info });
    }
  }

  // ---- .values initialisers of prog-arrays name programs
  if (btfMapsSec) {
    const entryAt = new Map(entries.map((e) => [`${e.fn.section.index}:${e.fn.startSlot * 8}`, e]));
    for (const p of readMapValuesRelocs(elf, btfMapsSec, maps)) {
      const where = `.maps: '${maps.list[p.mapIndex]!.name}' slot ${p.slot}`;
      const target = entryAt.get(`${p.shndx}:${p.value}`);
      if (!target) throw objError(file, where, `'${p.symbol}' isn't an entry-point program`);
      maps.list[p.mapIndex]!.initSlots!.push({ slot: p.slot, kind: 'program', name: target.fn.name });
    }
  }

  const coreOpts: CoreOptions = { file, noSystemBtf: opts.noSystemBtf ?? false };
  if (opts.targetBtf) coreOpts.targetBtf = opts.targetBtf;
  const coreTarget = new CoreTarget(coreOpts);
  const ext = new ExtInfoIndex(btfExt, codeSections);
  const programs = entries.map(({ fn, info }) => {
    const linked = linkProgram(fn, { file, codeSections, relocs, isProgramSection: (i) => isProgramSection(elf.sections[i]!), warn });
    const coreRelocs = btf ? applyCoreRelocations(linked, fn.name, btf, ext, coreTarget, file) : 0;
    return programSpec(fn, info, linked, ext, license, kernelVersion, coreRelocs);
  });

  const spec: ObjectSpec = { file, name: objName, programs, maps: maps.list, license, warnings };
  if (kernelVersion !== undefined) spec.kernelVersion = kernelVersion;
  if (btf) spec.btf = btf;
  if (btfExt) spec.btfExt = btfExt;
  return spec;
}

/**
 * The object's BTF and BTF.ext. As in libbpf, BTF that fails to parse is a warning, not an error:
 * the object loads without it unless something needs it (BTF-defined maps).
 */
function readBtf(elf: ElfFile, warn: (w: string) => void): { btf?: Btf; btfExt?: BtfExt; btfProblem?: string } {
  const btfSec = elf.sectionByName('.BTF');
  if (!btfSec) return {};
  const out: { btf?: Btf; btfExt?: BtfExt; btfProblem?: string } = {};
  try {
    out.btf = parseBtf(btfSec.data, { name: elf.file });
    fixupDatasecs(elf, out.btf, warn);
  } catch (e) {
    if (!(e instanceof BpfError)) throw e;
    out.btfProblem = `its .BTF could not be parsed: ${e.message}`;
    warn(`${elf.file}: .BTF ignored: ${e.message}`);
    delete out.btf;
    return out;
  }
  const extSec = elf.sectionByName('.BTF.ext');
  if (extSec) {
    try {
      out.btfExt = parseBtfExt(extSec.data, out.btf, { name: elf.file });
    } catch (e) {
      if (!(e instanceof BpfError)) throw e;
      warn(`${elf.file}: .BTF.ext ignored (no line info, no CO-RE): ${e.message}`);
    }
  }
  return out;
}

function programSpec(
  entry: CodeFunction, info: SectionInfo, linked: LinkedProgram, ext: ExtInfoIndex, license: string, kernelVersion: number | undefined,
  coreRelocs: number,
): ProgramSpec {
  const lineInfoRecords: BtfLineInfo[] = [];
  const lineInfo: (SourceLine | undefined)[] = new Array(linked.totalSlots).fill(undefined);
  const funcInfo: BtfFuncInfo[] = [];
  for (const p of linked.placed) {
    const fn = p.fn;
    const info = ext.of(fn);
    if (info.funcInfo) funcInfo.push({ ...info.funcInfo, insnOff: p.slot });
    const records = info.lineInfo;
    let current: SourceLine | undefined;
    let next = 0;
    for (let s = 0; s < fn.slots; s++) {
      // A record covers its instruction and those after it up to the next record, within one function.
      while (next < records.length && records[next]!.insnOff - fn.startSlot <= s) {
        const r = records[next++]!;
        current = { fileName: r.fileName, line: r.line, col: r.col, lineText: r.lineText };
        if (r.insnOff - fn.startSlot === s) lineInfoRecords.push({ ...r, insnOff: p.slot + s });
      }
      lineInfo[p.slot + s] = current;
    }
  }
  const spec: ProgramSpec = {
    name: entry.name,
    section: info.section,
    type: info.type,
    sectionInfo: info,
    insns: linked.insns,
    lineInfo,
    lineInfoRecords,
    funcInfo,
    functions: linked.placed.map((p) => ({ name: p.fn.name, slot: p.slot, section: p.fn.section.name })),
    mapsUsed: linked.mapsUsed,
    coreRelocs,
    global: entry.symbol === undefined || entry.symbol.bind !== STB.LOCAL,
    license,
  };
  if (info.attachType !== undefined) spec.attachType = info.attachType;
  if (info.attachTarget !== undefined) spec.attachTarget = info.attachTarget;
  if (kernelVersion !== undefined) spec.kernelVersion = kernelVersion;
  return spec;
}
