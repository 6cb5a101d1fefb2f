/** Pieces the `prog` verbs share: object files, the show record, xlated sources. */
import { BpfError } from '../../errors.js';
import { loadTargetBtf } from '../../btf/core.js';
import { loadObjectSpec, type ObjectSpec, type ProgramSpec } from '../../elf/object.js';
import { decode, isLddw, type Insn } from '../../isa/insn.js';
import { PSEUDO } from '../../isa/opcodes.js';
import { fromHex } from '../../pin/map-codec.js';
import type { ProgRecord } from '../../pin/records.js';
import type { ProgMeta } from '../../pin/session.js';
import type { PinStore } from '../../pin/store.js';
import type { VmProgram } from '../../vm/runtime.js';
import type { Output } from '../command.js';
import { readInput, UsageError } from '../io.js';
import type { JsonValue } from '../json.js';
import { REF_WORDS } from '../tokens.js';
import type { XlatedSource } from '../xlated.js';

/** The kernel's license_is_gpl_compatible list. */
const GPL_COMPATIBLE = ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'];
export const isGplCompatible = (license: string): boolean => GPL_COMPATIBLE.includes(license);

/** Is this word the start of a store reference rather than an object file? */
export const isRefWord = (w: string | undefined): boolean => w !== undefined && REF_WORDS.includes(w);

/** Parse an object file; warnings (legacy maps, static programs...) go to stderr. */
export function readObject(path: string, opts: { btf?: string | undefined }, out: Output, verb: string): ObjectSpec {
  const bytes = readInput(path);
  const loadOpts: Parameters<typeof loadObjectSpec>[1] = { file: path };
  if (opts.btf !== undefined) loadOpts.targetBtf = loadTargetBtf(opts.btf);
  const spec = loadObjectSpec(bytes, loadOpts);
  for (const w of spec.warnings) out.stderr(`tsbpf ${verb}: warning: ${w}\n`);
  return spec;
}

/** The programs of an object a verb acts on: --prog NAME, --section SEC, or all of them. */
export function pickPrograms(spec: ObjectSpec, prog?: string, section?: string): ProgramSpec[] {
  let ps = spec.programs;
  if (prog !== undefined) {
    ps = ps.filter((p) => p.name === prog);
    if (ps.length === 0) {
      throw new BpfError('ENOENT', `${spec.file}: no program named '${prog}' (programs: ${spec.programs.map((p) => p.name).join(', ') || 'none'})`);
    }
  }
  if (section !== undefined) {
    ps = ps.filter((p) => p.section === section || p.section.replace(/^\?/, '') === section);
    if (ps.length === 0) {
      throw new BpfError('ENOENT', `${spec.file}: no program in section '${section}' (sections: ${[...new Set(spec.programs.map((p) => p.section))].join(', ') || 'none'})`);
    }
  }
  if (ps.length === 0) throw new BpfError('ENOENT', `${spec.file}: the object has no programs`);
  return ps;
}

/** Exactly one program, for verbs that run or pin one. */
export function pickOne(spec: ObjectSpec, prog?: string, section?: string): ProgramSpec {
  const ps = pickPrograms(spec, prog, section);
  if (ps.length > 1) {
    throw new UsageError(`${spec.file} has ${ps.length} programs (${ps.map((p) => p.name).join(', ')}): choose one with --prog NAME or --section SEC`);
  }
  return ps[0]!;
}

/** bpftool's `prog show` object for a store program. */
export function progShowJson(store: PinStore, id: number): { [k: string]: JsonValue } {
  const rec = store.readProg(id);
  return {
    id, type: rec.type, name: rec.name, tag: rec.tag, gpl_compatible: isGplCompatible(rec.license),
    loaded_at: Math.floor(Date.parse(rec.loadedAt) / 1000), uid: process.getuid?.() ?? 0,
    bytes_xlated: fromHex(rec.insns).length, jited: false, map_ids: rec.mapIds,
    pinned: store.livePins('prog', id).map((p) => store.display(p)),
  };
}

/** strftime("%FT%T%z") in local time, as bpftool prints loaded_at. */
function localTime(epochSec: number): string {
  const d = new Date(epochSec * 1000);
  const p = (n: number, w = 2): string => String(Math.abs(n)).padStart(w, '0');
  const tz = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${tz < 0 ? '-' : '+'}${p(Math.trunc(tz / 60))}${p(tz % 60)}`;
}

export function progShowText(o: { [k: string]: JsonValue }): string {
  const mapIds = o.map_ids as number[];
  const lines = [
    `${o.id}: ${o.type}  name ${o.name}  tag ${o.tag}${o.gpl_compatible ? '  gpl' : ''}`,
    `\tloaded_at ${localTime(o.loaded_at as number)}  uid ${o.uid}`,
    `\txlated ${o.bytes_xlated}B  not jited${mapIds.length ? `  map_ids ${mapIds.join(',')}` : ''}`,
  ];
  for (const p of o.pinned as string[]) lines.push(`\tpinned ${p}`);
  return lines.join('\n');
}

export function xlatedFromRecord(rec: ProgRecord, where: string): XlatedSource {
  let insns: Insn[];
  try {
    insns = decode(fromHex(rec.insns), where);
  } catch (e) {
    throw new BpfError('EINVAL', `${where}: bad pin file: ${(e as Error).message}`, { file: where });
  }
  return { insns, lineInfo: rec.lineInfo, funcProtos: rec.funcProtos };
}

/** A program loaded from an object: map references shown with the ids of the VM it was loaded into. */
export function xlatedFromVm(prog: VmProgram, meta: ProgMeta | undefined): XlatedSource {
  const insns = prog.insns.map((insn): Insn => {
    if (!isLddw(insn)) return insn;
    if (insn.src === PSEUDO.MAP_IDX || insn.src === PSEUDO.MAP_IDX_VALUE) {
      const m = meta?.mapsByIdx[insn.imm];
      if (m) return { ...insn, src: insn.src === PSEUDO.MAP_IDX ? PSEUDO.MAP_FD : PSEUDO.MAP_VALUE, imm: m.id };
    }
    return insn;
  });
  return { insns, lineInfo: meta?.lineInfo ?? [], funcProtos: meta?.funcProtos ?? [] };
}
