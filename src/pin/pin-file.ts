/**
 * The on-disk envelope of every file in the pin store: one header line, then a JSON body.
 *
 *   tsbpf-pin 1 map 1234 sha256:9f86d081884c7d65...\n
 *   {"id":3,"spec":{...},...}
 *
 * Fields: magic, format version, kind (map, prog, pin, index), body length in bytes, SHA-256 of the
 * body. The length catches a truncated file and the digest a garbled one, so a reader can say what
 * is wrong with which file instead of failing somewhere inside a half-read map. A reader refuses a
 * newer version rather than guess at it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BpfError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';

export const PIN_MAGIC = 'tsbpf-pin';
export const PIN_FORMAT_VERSION = 1;

export type PinFileKind = 'map' | 'prog' | 'pin' | 'index';

const KINDS: readonly PinFileKind[] = ['map', 'prog', 'pin', 'index'];

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export function encodePinFile(kind: PinFileKind, body: unknown): Uint8Array {
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  const header = Buffer.from(`${PIN_MAGIC} ${PIN_FORMAT_VERSION} ${kind} ${json.length} sha256:${sha256(json)}\n`, 'utf8');
  return Buffer.concat([header, json]);
}

function corrupt(path: string, reason: string): BpfError {
  return new BpfError('EINVAL', `${path}: bad pin file: ${reason}`, { file: path });
}

/** The body of a pin file, checked against its header; `kind` is what the caller expects. */
export function decodePinFile(bytes: Uint8Array, path: string, kind?: PinFileKind): { kind: PinFileKind; body: unknown } {
  const nl = bytes.indexOf(0x0a);
  const headText = Buffer.from(bytes.subarray(0, nl < 0 ? Math.min(bytes.length, 200) : nl)).toString('latin1');
  if (!headText.startsWith(PIN_MAGIC + ' ')) {
    throw corrupt(path, bytes.length === 0 ? 'the file is empty' : `no '${PIN_MAGIC}' header (not written by tsbpf, or overwritten)`);
  }
  if (nl < 0) throw corrupt(path, 'the header line is truncated');
  const m = /^tsbpf-pin (\d+) (\S+) (\d+) sha256:([0-9a-f]{64})$/.exec(headText);
  if (!m) throw corrupt(path, `malformed header '${headText.slice(0, 120)}'`);
  const version = Number(m[1]);
  if (version > PIN_FORMAT_VERSION) {
    throw corrupt(path, `format version ${version} is newer than this tsbpf understands (${PIN_FORMAT_VERSION})`);
  }
  const fileKind = m[2] as PinFileKind;
  if (!KINDS.includes(fileKind)) throw corrupt(path, `unknown kind '${m[2]}'`);
  if (kind !== undefined && fileKind !== kind) {
    throw new BpfError('EINVAL', `${path}: is a pinned ${fileKind}, not a ${kind}`, { file: path });
  }
  const body = bytes.subarray(nl + 1);
  const want = Number(m[3]);
  if (body.length !== want) {
    throw corrupt(path, body.length < want
      ? `truncated: the header promises ${want} bytes of data, the file has ${body.length}`
      : `${body.length - want} bytes of trailing garbage after the ${want} bytes the header promises`);
  }
  if (sha256(body) !== m[4]) throw corrupt(path, 'checksum mismatch: the data was changed or damaged after it was written');
  try {
    return { kind: fileKind, body: JSON.parse(Buffer.from(body).toString('utf8')) };
  } catch (e) {
    throw corrupt(path, `its JSON does not parse: ${(e as Error).message}`);
  }
}

/** Read and check a pin file. ENOENT when it does not exist. */
export function readPinFile(path: string, kind?: PinFileKind): { kind: PinFileKind; body: unknown } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new BpfError('ENOENT', `${path}: no such pinned object`, { file: path });
    if (code === 'EISDIR') throw new BpfError('EINVAL', `${path}: is a directory, not a pinned object`, { file: path });
    throw new BpfError('EIO', `${path}: cannot read: ${code ?? (e as Error).message}`, { file: path });
  }
  return decodePinFile(bytes, path, kind);
}

export function writePinFile(path: string, kind: PinFileKind, body: unknown): void {
  writeFileAtomic(path, encodePinFile(kind, body));
}
