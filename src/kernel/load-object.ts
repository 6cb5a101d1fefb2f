/**
 * Load a parsed BPF object (src/elf/object.ts) into the Linux kernel, as libbpf's
 * bpf_object__load does and in its order: the object's BTF; the maps (BTF type ids where the
 * kernel takes them; global data filled with its initial value and .rodata frozen at once, so the
 * verifier can treat it as constant); the programs, with map fds written into their instructions
 * and the BTF func/line info; then the initial slots of program arrays and maps of maps.
 * Everything created is closed by the result's close() (and, failing that, at process exit); a
 * failure part way closes what was created and throws.
 */
import { BpfError } from '../errors.js';
import type { ObjectMap, ObjectSpec, ProgramSpec } from '../elf/object.js';
import { ATTACH_TYPE, PROG_TYPE } from '../elf/sections.js';
import { MAP_TYPE, UPDATE, type MapSpec, type MapTypeName } from '../maps/types.js';
import { KernelError } from './errors.js';
import { btfLoad, kernelBtfImage, type KernelBtfImage } from './btf.js';
import { possibleCpus } from './cpus.js';
import { KernelMap } from './kernel-map.js';
import { KernelProgram } from './kernel-program.js';
import { PROG_FLAGS, progLoad, type KernelLineInfo } from './prog-load.js';
import { kernelInsnBytes } from './relocate.js';
import { closeFd } from './syscall.js';

export interface KernelLoadOptions {
  /** Only these programs (by name); default: every program whose section is not marked '?'. */
  programs?: readonly string[];
  /** Verifier log level for every program (0: a log only to explain a failure). */
  logLevel?: number;
  /** Initial verifier log buffer size. */
  logSize?: number;
  /** Load the object's BTF and pass it with maps and programs (default true). */
  btf?: boolean;
}

export interface KernelObject {
  readonly file: string;
  readonly maps: Map<string, KernelMap>;
  readonly programs: Map<string, KernelProgram>;
  /** The object's BTF in the kernel, when it has BTF and the kernel took it. */
  readonly btfFd: number | undefined;
  /** What was worked around (BTF refused, programs skipped...). */
  readonly warnings: readonly string[];
  readonly spec: ObjectSpec;
  /** Close every fd the load created (maps and programs live on only where pinned or attached). */
  close(): void;
}

/** Map types whose BTF key/value ids the kernel refuses or ignores (libbpf drops them too). */
const NO_BTF_IDS = new Set<MapTypeName>([
  'perf_event_array', 'cgroup_array', 'stack_trace', 'array_of_maps', 'hash_of_maps', 'devmap', 'devmap_hash',
  'cpumap', 'xskmap', 'sockmap', 'sockhash', 'queue', 'stack', 'arena',
]);

const u32 = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
};

export function loadObjectIntoKernel(spec: ObjectSpec, opts: KernelLoadOptions = {}): KernelObject {
  const warnings: string[] = [...spec.warnings];
  const maps: KernelMap[] = [];
  const programs = new Map<string, KernelProgram>();
  let btfFd: number | undefined;
  const closeAll = (): void => {
    for (const p of programs.values()) p.close();
    for (const m of maps) m.close();
    if (btfFd !== undefined) closeFd(btfFd);
    btfFd = undefined;
  };
  try {
    const selected = selectPrograms(spec, opts, warnings);

    // ---- BTF: optional, as in libbpf: a kernel that refuses it gets maps and programs without it.
    let image: KernelBtfImage | undefined;
    if (spec.btf && opts.btf !== false) {
      const strings = new Set<string>();
      for (const p of selected) for (const l of p.lineInfoRecords) strings.add(l.fileName).add(l.lineText);
      try {
        image = kernelBtfImage(spec.btf, strings);
        btfFd = btfLoad(image.bytes, { what: `${spec.file}: .BTF` }).fd;
      } catch (e) {
        if (!(e instanceof BpfError)) throw e;
        image = undefined;
        warnings.push(`${spec.file}: the kernel refused the object's BTF; maps and programs are loaded without it: ${e.message.split('\n')[0]}`);
      }
    }

    // ---- maps, in the object's order (program instructions refer to them by index).
    for (const m of spec.maps) maps.push(createMap(spec, m, btfFd, warnings));

    // ---- programs
    const mapFds = maps.map((m) => m.fd);
    for (const p of selected) programs.set(p.name, loadProgram(spec, p, mapFds, btfFd, image, opts));

    // ---- initial slots: fds of the programs and maps they name. A slot naming a program left
    // out of the load stays empty (libbpf would fail the load instead; leaving programs out is
    // this loader's own option, and an empty slot is what a tail call can handle).
    spec.maps.forEach((m, i) => {
      for (const slot of m.initSlots ?? []) {
        const fd = slot.kind === 'program' ? programs.get(slot.name)?.fd : maps[slot.mapIndex]?.fd;
        if (fd === undefined) {
          warnings.push(`${spec.file}: map '${m.name}' slot ${slot.slot} names ${slot.kind} '${slot.name}', which was not loaded; the slot is left empty`);
          continue;
        }
        maps[i]!.update(u32(slot.slot), u32(fd), UPDATE.ANY);
      }
    });
  } catch (e) {
    closeAll();
    throw e;
  }
  return {
    file: spec.file,
    maps: new Map(maps.map((m, i) => [spec.maps[i]!.name, m])),
    programs,
    get btfFd() {
      return btfFd;
    },
    warnings,
    spec,
    close: closeAll,
  };
}

function selectPrograms(spec: ObjectSpec, opts: KernelLoadOptions, warnings: string[]): ProgramSpec[] {
  if (opts.programs) {
    return opts.programs.map((name) => {
      const p = spec.programs.find((x) => x.name === name);
      if (!p) throw new BpfError('ENOENT', `${spec.file}: no program '${name}' (programs: ${spec.programs.map((x) => x.name).join(', ')})`, { file: spec.file });
      return p;
    });
  }
  return spec.programs.filter((p) => {
    if (!p.sectionInfo.autoload) return false;
    if (p.type === 'seccomp') {
      warnings.push(`${spec.file}: program '${p.name}' is a tsbpf seccomp program, which the kernel cannot load as eBPF; skipped`);
      return false;
    }
    return true;
  });
}

function createMap(spec: ObjectSpec, m: ObjectMap, btfFd: number | undefined, warnings: string[]): KernelMap {
  const def: MapSpec = { ...m.spec };
  if (def.type === 'perf_event_array' && def.maxEntries === 0) def.maxEntries = possibleCpus();
  let inner: KernelMap | undefined;
  try {
    const innerSpec = m.inner ?? def.inner;
    if (innerSpec) inner = KernelMap.create({ ...innerSpec, name: innerSpec.name || `${def.name}.inner`.slice(0, 15) });
    // The kernel checks the value type against value_size whenever BTF ids are given, so a map
    // without a value type (a prog array's `__array(values, ...)`) goes without BTF, as in libbpf
    // after its retry; a key type may be absent (global data: the kernel takes key id 0 there).
    const withBtf = btfFd !== undefined && !NO_BTF_IDS.has(def.type) && !!m.btfValueTypeId;
    const base = inner ? { innerMapFd: inner.fd } : {};
    if (MAP_TYPE[def.type] === undefined) throw new BpfError('EINVAL', `${spec.file}: map '${m.name}': unknown map type '${def.type}'`);
    let map: KernelMap;
    if (withBtf) {
      try {
        map = KernelMap.create(def, { ...base, btfFd, btfKeyTypeId: m.btfKeyTypeId ?? 0, btfValueTypeId: m.btfValueTypeId ?? 0 });
      } catch (e) {
        if (!(e instanceof BpfError)) throw e;
        // libbpf does the same: BTF ids are for bpftool's typed dumps, not for the map to work.
        warnings.push(`${spec.file}: map '${m.name}': created without BTF ids, which the kernel refused: ${e.message.split('\n')[0]}`);
        map = KernelMap.create(def, base);
      }
    } else {
      map = KernelMap.create(def, base);
    }
    try {
      if (m.initialValue) map.update(u32(0), m.initialValue, UPDATE.ANY);
      if (m.frozen) map.freeze();
    } catch (e) {
      map.close();
      throw e;
    }
    return map;
  } catch (e) {
    throw placed(e, `${spec.file}: section '${m.section}'`, spec.file);
  } finally {
    // The template only shapes the outer map; the kernel keeps what it needs (libbpf closes it too).
    inner?.close();
  }
}

/** `e` with `where` in front of its message (a KernelError stays one, with its errno and log). */
function placed(e: unknown, where: string, file: string): unknown {
  if (!(e instanceof BpfError) || e.message.startsWith(file)) return e;
  const message = `${where}: ${e.message}`;
  const out = e instanceof KernelError ? new KernelError(e.command, e.errno, message, e.log) : new BpfError(e.code, message, { ...e.place, file });
  out.stack = e.stack;
  return out;
}

function loadProgram(
  spec: ObjectSpec, p: ProgramSpec, mapFds: readonly number[], btfFd: number | undefined, image: KernelBtfImage | undefined,
  opts: KernelLoadOptions,
): KernelProgram {
  const where = `${spec.file}: program '${p.name}' (sec '${p.section}')`;
  if (p.type === 'seccomp') throw new BpfError('EINVAL', `${where}: seccomp programs are a tsbpf extension; the kernel has no eBPF seccomp program type`, { file: spec.file });
  if (p.sectionInfo.def.attachBtf) {
    throw new BpfError('EOPNOTSUPP', `${where}: programs that attach by BTF name (fentry, fexit, fmod_ret, lsm, tp_btf, iter, freplace) need the target's BTF id, which the kernel backend does not resolve yet`, { file: spec.file });
  }
  let flags = 0;
  if (p.sectionInfo.sleepable) flags |= PROG_FLAGS.SLEEPABLE;
  if (p.sectionInfo.xdpFrags) flags |= PROG_FLAGS.XDP_HAS_FRAGS;
  const attrs: Parameters<typeof progLoad>[0] = {
    type: PROG_TYPE[p.type],
    insns: kernelInsnBytes(p, mapFds, spec.file),
    license: p.license,
    name: p.name,
    flags,
  };
  if (p.attachType !== undefined) attrs.expectedAttachType = ATTACH_TYPE[p.attachType];
  if (p.kernelVersion !== undefined) attrs.kernVersion = p.kernelVersion;
  if (opts.logLevel !== undefined) attrs.logLevel = opts.logLevel;
  if (opts.logSize !== undefined) attrs.logSize = opts.logSize;
  if (btfFd !== undefined && image && p.funcInfo.length > 0) {
    attrs.btfFd = btfFd;
    attrs.funcInfo = p.funcInfo.map((f) => ({ insnOff: f.insnOff, typeId: f.typeId }));
    attrs.lineInfo = p.lineInfoRecords.map((l): KernelLineInfo => ({
      insnOff: l.insnOff,
      fileNameOff: image.stringOffset(l.fileName),
      lineOff: image.stringOffset(l.lineText),
      lineCol: (l.line << 10) | (l.col & 0x3ff),
    }));
  }
  const { fd, log } = progLoad(attrs, where);
  return new KernelProgram(fd, p.name, p.type, log);
}
