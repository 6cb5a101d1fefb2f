/**
 * Load a parsed BPF object (elf/object.ts) into a VM, as libbpf's bpf_object__load does for the
 * kernel: create the maps (global data with its initial value, .rodata frozen), load every
 * program with its map references resolved, then fill program arrays and maps of maps.
 */
import { BpfError } from '../errors.js';
import type { ObjectSpec, ProgramSpec } from '../elf/object.js';
import { UPDATE } from '../maps/types.js';
import type { Vm, VmMap, VmProgram } from './runtime.js';

export interface VmObject {
  readonly file: string;
  readonly maps: Map<string, VmMap>;
  readonly programs: Map<string, VmProgram>;
  /** Per program name: the spec it was loaded from (section, attach target, line info...). */
  readonly specs: Map<string, ProgramSpec>;
  readonly warnings: readonly string[];
  readonly spec: ObjectSpec;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

export interface LoadIntoVmOptions {
  /**
   * Programs loaded without the verifier (vm.verify applies to the others): for tests that run a
   * program the kernel would refuse, to see what the VM does at run time.
   */
  unverified?: readonly string[];
}

export function loadObjectIntoVm(vm: Vm, spec: ObjectSpec, opts: LoadIntoVmOptions = {}): VmObject {
  const maps: VmMap[] = [];
  for (const m of spec.maps) {
    let vmMap: VmMap;
    try {
      vmMap = vm.createMap(m.spec, { btf: spec.btf, btfKeyTypeId: m.btfKeyTypeId, btfValueTypeId: m.btfValueTypeId });
    } catch (e) {
      if (e instanceof BpfError) throw new BpfError(e.code, `${spec.file}: section '${m.section}': ${e.message}`, { file: spec.file });
      throw e;
    }
    if (m.initialValue) vmMap.map.update(u32(0), m.initialValue, UPDATE.ANY);
    maps.push(vmMap);
  }
  const programs = new Map<string, VmProgram>();
  const specs = new Map<string, ProgramSpec>();
  for (const p of spec.programs) {
    const prog = vm.loadProgram({
      name: p.name, type: p.type, section: p.section, insns: p.insns, license: p.license,
      maps, lineInfo: p.lineInfo, functions: p.functions, file: spec.file, program: p, object: spec,
      ...(opts.unverified?.includes(p.name) ? { verify: false } : {}),
    });
    programs.set(p.name, prog);
    specs.set(p.name, p);
  }
  // Initial slots of program arrays and maps of maps refer to what now has ids.
  spec.maps.forEach((m, i) => {
    for (const slot of m.initSlots ?? []) {
      const id = slot.kind === 'program' ? programs.get(slot.name)?.id : maps[slot.mapIndex]?.id;
      if (id === undefined) {
        throw new BpfError('EINVAL', `${spec.file}: map '${m.name}' slot ${slot.slot} names ${slot.kind} '${slot.name}', which was not loaded`, { file: spec.file });
      }
      maps[i]!.map.update(u32(slot.slot), u32(id), UPDATE.ANY);
    }
  });
  // .rodata is frozen only now, after its initial value is in (libbpf does the same).
  spec.maps.forEach((m, i) => {
    if (m.frozen) maps[i]!.map.freeze();
  });
  return {
    file: spec.file,
    maps: new Map(maps.map((m) => [m.name, m])),
    programs, specs, warnings: spec.warnings, spec,
  };
}
