/**
 * BPF object files: the ELF64 reader, libbpf's section conventions and the object loader. Nothing
 * here depends on a runtime (src/vm, src/kernel): an ObjectSpec is a description any runtime loads.
 */
export { loadObjectSpec, type LoadObjectOptions, type ObjectSpec, type ProgramSpec, type SourceLine } from './object.js';
export type { ObjectMap, MapInitSlot, MapOrigin } from './maps.js';
export { internalMapName } from './maps.js';
export {
  ATTACH_TYPE, PROG_TYPE, SECTION_DEFS, findSectionDef, parseSectionName, sectionInfoOrThrow,
  type AttachTarget, type AttachTypeName, type KernelProgTypeName, type ProgTypeName, type SectionDef, type SectionInfo,
} from './sections.js';
export { ElfFile, readElf64, EM_BPF, R_BPF, SHT, STB, STT, type ElfSection, type ElfSymbol, type ElfRel } from './elf64.js';
