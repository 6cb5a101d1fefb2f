/**
 * The kernel's printf for BPF (bpf_bprintf_prepare + bstr_printf in kernel/bpf/helpers.c and
 * lib/vsprintf.c), shared by bpf_trace_printk, bpf_trace_vprintk and bpf_snprintf. It accepts
 * exactly the subset the kernel accepts, and an invalid format is the kernel's -EINVAL:
 *
 *   %d %i %u %x %X with an optional l or ll (int-sized without: the argument's low 32 bits)
 *   %s, %pks, %pus   a NUL-terminated string read from BPF memory ("" when the address is bad)
 *   %c               the argument's low byte
 *   %p %pK %px       a pointer: 16 hex digits. The kernel hashes %p; VM addresses reveal nothing
 *                    about the host, so tsbpf prints them as they are
 *   %ps %pS %pB      a symbol: tsbpf has no symbols, so "0x" and the address (the kernel's fallback)
 *   %pI4 %pi4 %pI6 %pi6  an IPv4/IPv6 address read from BPF memory (zeros when unreadable)
 *   %%               a percent sign
 * Flags '0', '-', '+' and ' ' and a width may precede the conversion; there is no precision, no '#'
 * and no '*'. Every byte of the format must be printable ASCII or white space. The arguments'
 * packed form may take at most 512 bytes (strings included); more is -ENOSPC.
 */

/** MAX_BPRINTF_BIN_ARGS: room for the packed arguments. */
export const MAX_BPRINTF_BIN_ARGS = 512;
/** MAX_BPRINTF_BUF: trace_printk's output buffer (1023 characters and a NUL). */
export const MAX_BPRINTF_BUF = 1024;
/** MAX_BPRINTF_VARARGS: the most arguments snprintf, trace_vprintk and seq_printf take. */
export const MAX_BPRINTF_VARARGS = 12;

/** How the formatter reads BPF memory for %s and %pI; undefined means the read faulted. */
export interface FormatMemory {
  /** The string at `addr` without its NUL; exactly `max` bytes when no NUL comes within `max` bytes. */
  string(addr: bigint, max: number): Uint8Array | undefined;
  bytes(addr: bigint, n: number): Uint8Array | undefined;
}

export type FormatOutcome =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; errno: 'EINVAL' | 'ENOSPC'; reason: string };

interface Spec {
  left: boolean;
  plus: boolean;
  space: boolean;
  zero: boolean;
  /** -1: none given. */
  width: number;
}

const enc = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

function isPrint(c: number): boolean {
  return c >= 0x20 && c <= 0x7e;
}
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
function isPunct(c: number): boolean {
  return isPrint(c) && c !== 0x20 && !isAlnum(c);
}
function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** vsprintf's widen_string: pad to the width with spaces, on the left unless '-'. */
function widen(out: number[], s: ArrayLike<number>, spec: Spec): void {
  const pad = Math.max(0, spec.width - s.length);
  if (!spec.left) for (let i = 0; i < pad; i++) out.push(0x20);
  for (let i = 0; i < s.length; i++) out.push(s[i]!);
  if (spec.left) for (let i = 0; i < pad; i++) out.push(0x20);
}

/** vsprintf's number(): sign, zero or space padding, digits. */
function number(out: number[], value: bigint, signed: boolean, base: 10 | 16, upper: boolean, spec: Spec): void {
  let width = spec.width;
  let sign = '';
  let v = value;
  if (signed) {
    if (v < 0n) { sign = '-'; v = -v; } else if (spec.plus) sign = '+'; else if (spec.space) sign = ' ';
    if (sign) width--;
  }
  let digits = v.toString(base);
  if (upper) digits = digits.toUpperCase();
  width -= digits.length;
  const zero = spec.zero && !spec.left;
  if (!spec.left && !zero) for (; width > 0; width--) out.push(0x20);
  out.push(...enc(sign));
  if (zero) for (; width > 0; width--) out.push(0x30);
  out.push(...enc(digits));
  for (; width > 0; width--) out.push(0x20);
}

function ipv4(b: Uint8Array, padded: boolean): string {
  return Array.from(b, (x) => (padded ? String(x).padStart(3, '0') : String(x))).join('.');
}

function ipv6(b: Uint8Array, colons: boolean): string {
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(b[i]!.toString(16).padStart(2, '0') + b[i + 1]!.toString(16).padStart(2, '0'));
  return words.join(colons ? ':' : '');
}

const hex64 = (v: bigint): string => BigInt.asUintN(64, v).toString(16);

/**
 * Format `fmt` (the bytes before its NUL) with `args` the way the kernel does. The result is the
 * whole output; callers truncate it to their buffer.
 */
export function bprintf(fmt: Uint8Array, args: readonly bigint[], memory: FormatMemory): FormatOutcome {
  const out: number[] = [];
  const fail = (errno: 'EINVAL' | 'ENOSPC', reason: string): FormatOutcome => ({ ok: false, errno, reason });
  const at = (i: number): number => (i < fmt.length ? fmt[i]! : 0);
  let numSpec = 0;
  // Where the kernel's packed-argument buffer would be (bin_args), to give its ENOSPC.
  let packed = 0;
  const pack = (size: number): boolean => {
    packed = (packed + 3) & ~3;
    if (MAX_BPRINTF_BIN_ARGS - packed < size) return false;
    packed += size;
    return true;
  };

  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (!(isPrint(c) || isSpace(c))) return fail('EINVAL', `format byte ${i} (0x${c.toString(16)}) is not printable ASCII`);
    if (c !== 0x25) { out.push(c); continue; }
    if (at(i + 1) === 0x25) { out.push(0x25); i++; continue; }
    if (numSpec >= args.length) return fail('EINVAL', `the format has more conversions than the ${args.length} arguments`);
    const start = i;
    i++;
    const spec: Spec = { left: false, plus: false, space: false, zero: false, width: -1 };
    for (;;) {
      const f = at(i);
      if (f === 0x30) spec.zero = true;
      else if (f === 0x2b) spec.plus = true;
      else if (f === 0x2d) spec.left = true;
      else if (f === 0x20) spec.space = true;
      else break;
      i++;
    }
    if (at(i) >= 0x31 && at(i) <= 0x39) {
      let w = 0;
      while (isDigit(at(i))) w = w * 10 + (at(i++) - 0x30);
      spec.width = w;
    }
    const arg = args[numSpec]!;
    const conv = at(i);
    const bad = (): FormatOutcome => fail('EINVAL', `unsupported conversion '${String.fromCharCode(...fmt.subarray(start, Math.min(fmt.length, i + 1)))}' at format byte ${start}`);

    if (conv === 0x70 /* p */) {
      const n1 = at(i + 1), n2 = at(i + 2);
      let text: number[];
      if ((n1 === 0x6b || n1 === 0x75) && n2 === 0x73) { // %pks %pus: a string
        i += 2;
        if (at(i + 1) !== 0 && !isSpace(at(i + 1)) && !isPunct(at(i + 1))) return bad();
        const s = stringArg(arg);
        if (s === undefined) return fail('ENOSPC', 'the string arguments exceed 512 bytes');
        text = s;
      } else if (n1 === 0 || isSpace(n1) || isPunct(n1) || n1 === 0x4b || n1 === 0x78 || n1 === 0x73 || n1 === 0x53) {
        if (!pack(8)) return fail('ENOSPC', 'the arguments exceed 512 bytes');
        if (n1 === 0x73 || n1 === 0x53) {
          text = enc('0x' + hex64(arg)); // %ps %pS: no symbols
        } else {
          // pointer_string: 16 zero-padded hex digits unless a width is given.
          number(out, BigInt.asUintN(64, arg), false, 16, false, spec.width < 0 ? { ...spec, width: 16, zero: true } : spec);
          numSpec++;
          i = skipAlnum(i);
          continue;
        }
      } else if (n1 === 0x42 /* B */) {
        text = enc('0x' + hex64(arg));
        packed += text.length + 1;
      } else if ((n1 === 0x69 || n1 === 0x49) && (n2 === 0x34 || n2 === 0x36)) {
        const size = n2 === 0x34 ? 4 : 16;
        if (MAX_BPRINTF_BIN_ARGS - packed < size) return fail('ENOSPC', 'the arguments exceed 512 bytes');
        const b = memory.bytes(arg, size) ?? new Uint8Array(size);
        const s = size === 4 ? ipv4(b, n1 === 0x69) : ipv6(b, n1 === 0x49);
        text = enc(s);
        packed += s.length + 1;
      } else {
        return bad();
      }
      widen(out, text, spec);
      numSpec++;
      i = skipAlnum(i);
      continue;
    }
    if (conv === 0x73 /* s */) {
      if (at(i + 1) !== 0 && !isSpace(at(i + 1)) && !isPunct(at(i + 1))) return bad();
      const s = stringArg(arg);
      if (s === undefined) return fail('ENOSPC', 'the string arguments exceed 512 bytes');
      widen(out, s, spec);
      numSpec++;
      continue;
    }
    if (conv === 0x63 /* c */) {
      if (packed === MAX_BPRINTF_BIN_ARGS) return fail('ENOSPC', 'the arguments exceed 512 bytes');
      packed++;
      widen(out, [Number(arg & 0xffn)], spec);
      numSpec++;
      continue;
    }
    let size = 4;
    if (at(i) === 0x6c) { size = 8; i++; }
    if (at(i) === 0x6c) { size = 8; i++; }
    const t = at(i);
    if (t !== 0x69 && t !== 0x64 && t !== 0x75 && t !== 0x78 && t !== 0x58) return bad();
    if (!pack(size)) return fail('ENOSPC', 'the arguments exceed 512 bytes');
    const signed = t === 0x69 || t === 0x64;
    const v = size === 4 ? (signed ? BigInt.asIntN(32, arg) : BigInt.asUintN(32, arg)) : (signed ? BigInt.asIntN(64, arg) : BigInt.asUintN(64, arg));
    number(out, v, signed, t === 0x78 || t === 0x58 ? 16 : 10, t === 0x58, spec);
    numSpec++;
  }
  return { ok: true, bytes: Uint8Array.from(out) };

  /** bstr_printf skips every letter and digit after a %p conversion. */
  function skipAlnum(i: number): number {
    while (isAlnum(at(i + 1))) i++;
    return i;
  }

  /** A %s argument as the kernel copies it: into what is left of the 512 bytes, "" on a fault. */
  function stringArg(addr: bigint): number[] | undefined {
    if (packed >= MAX_BPRINTF_BIN_ARGS) return undefined;
    const room = MAX_BPRINTF_BIN_ARGS - packed;
    const s = memory.string(addr, room);
    if (s === undefined) { packed += 1; return []; }
    if (s.length >= room) { packed += room; return Array.from(s.subarray(0, room - 1)); }
    packed += s.length + 1;
    return Array.from(s);
  }
}
