/**
 * An object's BTF as the kernel needs it, and BPF_BTF_LOAD.
 *
 * The raw .BTF clang writes is not what the kernel accepts: clang leaves every DATASEC's size and
 * variable offsets at 0 (libbpf's btf_fixup_datasec fills them in before loading). The ELF loader
 * already fixed them in the parsed model, so the kernel's bytes are that model encoded again
 * (src/pin/btf-encode.ts). Re-encoding builds a new string table, so the line-info records, which
 * name their file and source text by string offset, get offsets in the new table: the strings
 * they need are looked up there, or appended to it.
 */
import type { Btf } from '../btf/btf.js';
import { encodeBtf } from '../pin/btf-encode.js';
import { BPF_CMD, BTF_LOAD } from './attr.js';
import { ERRNO } from './errors.js';
import { withScratch } from './native.js';
import { adoptFd, errorFor, newAttr, rawBpf } from './syscall.js';

const HEADER_LEN = 24;
/** Offsets in struct btf_header. */
const HDR = { hdr_len: 4, type_off: 8, type_len: 12, str_off: 16, str_len: 20 } as const;

/** BTF bytes for BPF_BTF_LOAD plus the string offsets other records (line info) refer to. */
export interface KernelBtfImage {
  readonly bytes: Uint8Array;
  /** The offset of `s` in the image's string section. */
  stringOffset(s: string): number;
}

/**
 * The kernel image of `btf`, with `extraStrings` (file names and source lines of line info)
 * added to its string section when they are not already there.
 */
export function kernelBtfImage(btf: Btf, extraStrings: Iterable<string> = []): KernelBtfImage {
  const base = encodeBtf(btf);
  const dv = new DataView(base.buffer, base.byteOffset, base.byteLength);
  const hdrLen = dv.getUint32(HDR.hdr_len, true);
  const strOff = dv.getUint32(HDR.str_off, true);
  const strLen = dv.getUint32(HDR.str_len, true);
  const strStart = hdrLen + strOff;
  const offsets = new Map<string, number>();
  // Index every string of the encoded table (its first occurrence wins, as in any BTF writer).
  let from = 0;
  const table = base.subarray(strStart, strStart + strLen);
  for (let i = 0; i < table.length; i++) {
    if (table[i] !== 0) continue;
    const s = Buffer.from(table.subarray(from, i)).toString('utf8');
    if (!offsets.has(s)) offsets.set(s, from);
    from = i + 1;
  }
  const added: Buffer[] = [];
  let size = strLen;
  for (const s of extraStrings) {
    if (offsets.has(s)) continue;
    const enc = Buffer.from(s + '\0', 'utf8');
    offsets.set(s, size);
    added.push(enc);
    size += enc.length;
  }
  let bytes = base;
  if (added.length) {
    // The string section is the last part of the image, so appending keeps every other offset.
    if (strStart + strLen !== base.length) throw new Error('kernelBtfImage: the string section is not last in the encoded BTF');
    bytes = new Uint8Array(Buffer.concat([base, ...added]));
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(HDR.str_len, size, true);
  }
  return {
    bytes,
    stringOffset(s: string): number {
      const off = offsets.get(s);
      if (off === undefined) throw new Error(`kernelBtfImage: string '${s}' is not in the image (pass it in extraStrings)`);
      return off;
    },
  };
}

export interface BtfLoadOptions {
  /** For messages: where the BTF comes from. */
  what?: string;
  /** Log level for the first attempt (0: none; a failure is retried with level 1 to explain it). */
  logLevel?: number;
  logSize?: number;
}

export interface LoadedBtf {
  fd: number;
  /** The kernel's log, when a log level was asked for. */
  log: string;
}

/** BPF_BTF_LOAD: the BTF object's fd (owned: close it with closeFd). */
export function btfLoad(bytes: Uint8Array, opts: BtfLoadOptions = {}): LoadedBtf {
  const what = opts.what ?? 'BTF';
  if (bytes.length < HEADER_LEN) throw errorFor(BPF_CMD.BTF_LOAD, ERRNO.EINVAL, what, { EINVAL: `${bytes.length} bytes is shorter than a BTF header` });
  const attempt = (level: number, logSize: number): LoadAttempt =>
    withScratch((s) => {
      const log = level ? s.alloc(logSize) : undefined;
      const attr = newAttr(s)
        .ptr(BTF_LOAD.btf, s.copy(bytes))
        .u32(BTF_LOAD.btf_size, bytes.length)
        .ptr(BTF_LOAD.btf_log_buf, log)
        .u32(BTF_LOAD.btf_log_size, log ? logSize : 0)
        .u32(BTF_LOAD.btf_log_level, level);
      const r = rawBpf(BPF_CMD.BTF_LOAD, attr, BTF_LOAD.size);
      return { r, log: log ? cText(log.bytes) : '', trueSize: attr.getU32(BTF_LOAD.btf_log_true_size) };
    });
  const { r, log } = attemptWithLog(attempt, opts.logLevel ?? 0, opts.logSize ?? 64 << 10, [ERRNO.EINVAL, ERRNO.EACCES]);
  if (r >= 0) return { fd: adoptFd(r), log };
  throw errorFor(BPF_CMD.BTF_LOAD, -r, what, { EINVAL: 'the kernel refused the BTF (see its log)' }, log, 'BTF log');
}

/** The kernel's largest log buffer (UINT_MAX >> 2 for programs; we stop well below). */
export const MAX_LOG_SIZE = 64 << 20;

/** One BTF_LOAD or PROG_LOAD: its return (an fd, or -errno), the log, and the log size the kernel wanted. */
export interface LoadAttempt {
  r: number;
  log: string;
  trueSize: number;
}

/**
 * Try a load with a log (level and size) until it settles: a log too small for the kernel (ENOSPC)
 * grows to the size the kernel asked for, up to MAX_LOG_SIZE; a load without a log that fails with
 * one of `logOn` is tried once more at log level 1, so that the error carries the kernel's reasons.
 * The last attempt: it succeeded (r >= 0) or failed for good.
 */
export function attemptWithLog(attempt: (level: number, logSize: number) => LoadAttempt, level: number, size: number, logOn: readonly number[]): LoadAttempt {
  for (;;) {
    const a = attempt(level, size);
    if (a.r >= 0) return a;
    if (a.r === -ERRNO.ENOSPC && level && size < MAX_LOG_SIZE) {
      size = Math.min(MAX_LOG_SIZE, Math.max(a.trueSize, size * 4));
      continue;
    }
    if (!level && logOn.includes(-a.r)) {
      level = 1;
      continue;
    }
    return a;
  }
}

/** A NUL-terminated buffer as text. */
export function cText(b: Uint8Array): string {
  const end = b.indexOf(0);
  return Buffer.from(end < 0 ? b : b.subarray(0, end)).toString('utf8');
}
