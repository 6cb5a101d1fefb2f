/** The pin store: a bpffs-like directory shared by tsbpf processes. */
export { PinStore, type ObjectKind, type ResolvedPin, type LiveSet } from './store.js';
export { StoreSession, lineInfoPerSlot, loadObjectWithMeta, progMetaOf, type ProgMeta } from './session.js';
export { defaultStoreDir, SYS_BPFFS } from './store-path.js';
export { writeFileAtomic, appendFileDurable } from './atomic-file.js';
export { encodePinFile, decodePinFile, readPinFile, writePinFile, PIN_MAGIC, PIN_FORMAT_VERSION, type PinFileKind } from './pin-file.js';
export { encodeBtf } from './btf-encode.js';
export { funcProto } from './func-proto.js';
export type { MapRecord, ProgRecord, PinRecord, IndexRecord, IndexEntry, MapContents, MapSpecJson, LineInfoJson } from './records.js';
