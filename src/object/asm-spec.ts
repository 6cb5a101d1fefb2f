/**
 * An assembly program as an object: the same ObjectSpec an ELF file gives, so one `.s` file can be
 * verified, loaded into the VM or the kernel, and run like a clang object. What the ELF would carry
 * in sections and BTF is written in comment directives (ignored by the assembler itself):
 *
 *   ; section: xdp                          libbpf's SEC() name: program type and attach type
 *   ; license: GPL
 *   ; map NAME TYPE key=K value=V entries=N [flags=F] [inner=TYPE,K,V,N]
 *
 * `r1 = map[idx:0] ll` refers to the first map directive, `map[idx:0]+8` to its value (array maps).
 */
import { BpfError } from '../errors.js';
import { assemble } from '../isa/asm.js';
import { isLddw } from '../isa/insn.js';
import { PSEUDO } from '../isa/opcodes.js';
import { MAP_TYPE, type MapSpec, type MapTypeName } from '../maps/types.js';
import { sectionInfoOrThrow } from '../elf/sections.js';
import type { ObjectMap } from '../elf/maps.js';
import type { ObjectSpec, ProgramSpec } from '../elf/object.js';

const DIRECTIVE = /^\s*(?:;|#|\/\/)\s*(section|license|map)\s*:?\s+(.*?)\s*$/;

function bad(file: string, line: number, why: string): BpfError {
  return new BpfError('EINVAL', `${file}:${line}: ${why}`, { file });
}

function mapTypeOf(file: string, line: number, name: string): MapTypeName {
  if (!(name in MAP_TYPE)) throw bad(file, line, `unknown map type '${name}' (known: ${Object.keys(MAP_TYPE).join(', ')})`);
  return name as MapTypeName;
}

function num(file: string, line: number, key: string, text: string | undefined): number {
  if (text === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(text)) throw bad(file, line, `map ${key}= needs a number, found '${text ?? ''}'`);
  return Number(text);
}

/** `map NAME TYPE key=K value=V entries=N [flags=F] [inner=TYPE,K,V,N]` */
function parseMap(file: string, line: number, text: string): ObjectMap {
  const [name, type, ...rest] = text.split(/\s+/);
  if (!name || !type) throw bad(file, line, 'map directive: expected `map NAME TYPE key=K value=V entries=N`');
  const kv = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw bad(file, line, `map directive: expected key=value, found '${p}'`);
    kv.set(p.slice(0, eq), p.slice(eq + 1));
  }
  for (const k of kv.keys()) if (!['key', 'value', 'entries', 'flags', 'inner'].includes(k)) throw bad(file, line, `map directive: unknown attribute '${k}'`);
  const spec: MapSpec = {
    type: mapTypeOf(file, line, type),
    name,
    keySize: kv.has('key') ? num(file, line, 'key', kv.get('key')) : 0,
    valueSize: kv.has('value') ? num(file, line, 'value', kv.get('value')) : 0,
    maxEntries: num(file, line, 'entries', kv.get('entries')),
    flags: kv.has('flags') ? num(file, line, 'flags', kv.get('flags')) : 0,
  };
  const inner = kv.get('inner');
  if (inner !== undefined) {
    const [t, k, v, n] = inner.split(',');
    spec.inner = {
      type: mapTypeOf(file, line, t ?? ''), name: `${name}.inner`,
      keySize: num(file, line, 'inner key', k), valueSize: num(file, line, 'inner value', v),
      maxEntries: num(file, line, 'inner entries', n), flags: 0,
    };
  }
  return { name, spec, origin: 'btf', section: '.maps', ...(spec.inner ? { inner: spec.inner } : {}) };
}

/** The object an assembly text describes: one program named `name`, its maps and license. */
export function asmObjectSpec(text: string, opts: { file?: string; name?: string } = {}): ObjectSpec {
  const file = opts.file ?? 'prog.s';
  let section = 'socket';
  let license = 'GPL';
  const maps: ObjectMap[] = [];
  text.split('\n').forEach((l, i) => {
    const m = DIRECTIVE.exec(l);
    if (!m) return;
    if (m[1] === 'section') section = m[2]!;
    else if (m[1] === 'license') license = m[2]!;
    else maps.push(parseMap(file, i + 1, m[2]!));
  });
  const info = sectionInfoOrThrow(section, file);
  const insns = assemble(text, file, 'kernel');
  const used = new Set<number>();
  for (const insn of insns) {
    if (isLddw(insn) && (insn.src === PSEUDO.MAP_IDX || insn.src === PSEUDO.MAP_IDX_VALUE)) {
      if (insn.imm < 0 || insn.imm >= maps.length) throw new BpfError('EINVAL', `${file}: map[idx:${insn.imm}] but the file declares ${maps.length} map${maps.length === 1 ? '' : 's'} (\`; map NAME TYPE key=K value=V entries=N\`)`, { file });
      used.add(insn.imm);
    }
  }
  const name = opts.name ?? (file.replace(/^.*\//, '').replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_]/g, '_') || 'prog');
  const prog: ProgramSpec = {
    name, section, type: info.type, sectionInfo: info, insns,
    lineInfo: [], lineInfoRecords: [], funcInfo: [],
    functions: [{ name, slot: 0, section }],
    mapsUsed: [...used].sort((a, b) => a - b), coreRelocs: 0, global: true, license,
    ...(info.attachType !== undefined ? { attachType: info.attachType } : {}),
    ...(info.attachTarget !== undefined ? { attachTarget: info.attachTarget } : {}),
  };
  return { file, name, programs: [prog], maps, license, warnings: [] };
}
