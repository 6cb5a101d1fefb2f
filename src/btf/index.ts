/** BTF: parsing, queries, C and value printing, CO-RE, line info, BTF-defined maps. */
export * from './types.js';
export { Btf, BTF_MAGIC, BTF_MAX_TYPE, PTR_SIZE, parseBtf, setDatasecLayout, type BtfDatasec, type BtfDatasecVar, type ParseBtfOptions } from './btf.js';
export { BtfStrings } from './strings.js';
export * from './btf-ext.js';
export { dumpC, typeToC, type DumpCOptions, type TypeToCOptions } from './c-dump.js';
export { formatValue, formatValueJson, type FormattedValue } from './value-format.js';
export { dumpRaw, formatRawType, type DumpRawOptions } from './raw-dump.js';
export {
  applyCoreRelo, findCoreCandidates, loadTargetBtf, poisonInsn, resolveCoreRelo, POISON_HELPER_ID, VMLINUX_BTF_PATH,
  type ApplyCoreReloOptions, type CoreReloInput, type CoreReloResult, type LoadTargetBtfOptions, type ResolveCoreReloOptions,
} from './core.js';
export { essentialName, fieldsAreCompat, typesAreCompat, typesMatch } from './core-compat.js';
export { CORE_RELO_KIND_NAMES } from './core-spec.js';
export { formatSourceLine, sourceLineOf } from './line-info.js';
export {
  LIBBPF_PIN_BY_NAME, parseBtfMapDef, parseBtfMapDefs, type BtfMapDef, type ParseBtfMapDefOptions, type ParseBtfMapDefsOptions,
} from './map-defs.js';
