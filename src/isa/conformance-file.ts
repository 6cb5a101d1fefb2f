/**
 * Reader for the `.data` test vectors of the bpf_conformance suite (see
 * shared/conformance/README.md): sections introduced by `-- name` lines, `#` comments.
 */
import { BpfError } from '../errors.js';
import { decode, type Insn } from './insn.js';
import { parseUbpf } from './asm-ubpf.js';

export interface ConformanceCase {
  name: string;
  /** The `-- asm` section, comments included (parseUbpf strips them). */
  asm?: string;
  /** Line number, in the file, of the first line of `asm`, so assembly errors name the file's line. */
  asmLine?: number;
  /** The `-- raw` section: each 8-byte slot as its little-endian 64-bit value. */
  raw?: bigint[];
  /** The `-- mem` input buffer; empty when the section is absent. */
  mem: Uint8Array;
  /** Expected r0 at exit, as an unsigned 64-bit value (a negative decimal is taken modulo 2^64). */
  result?: bigint;
  /** Expected error text, instead of a result. */
  error?: string;
}

const IGNORED = new Set(['c', 'no register offset']);
const KNOWN = new Set(['asm', 'raw', 'mem', 'result', 'error', ...IGNORED]);

interface Section {
  line: number;
  lines: string[];
}

function parseInt64(text: string): bigint | undefined {
  const m = /^(-?)(0x[0-9a-f]+|[0-9]+)$/i.exec(text);
  if (!m) return undefined;
  const v = BigInt(m[2]!);
  return m[1] ? -v : v;
}

export function parseConformanceFile(text: string, name: string): ConformanceCase {
  const sections = new Map<string, Section>();
  let current: Section | undefined;
  const bad = (line: number, why: string): BpfError => new BpfError('EINVAL', `${name}:${line}: ${why}`, { file: name, line });

  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.startsWith('-- ') || raw.trimEnd() === '--') {
      const title = raw.slice(2).trim();
      if (!KNOWN.has(title)) throw bad(i + 1, `unknown section '-- ${title}' (known: ${[...KNOWN].join(', ')})`);
      if (sections.has(title)) throw bad(i + 1, `duplicate section '-- ${title}'`);
      current = { line: i + 2, lines: [] };
      sections.set(title, current);
      return;
    }
    current?.lines.push(raw);
  });

  // Data sections as whitespace-separated tokens, comments removed, each token with its line.
  const tokens = (s: Section): { text: string; line: number }[] =>
    s.lines.flatMap((l, i) => l.replace(/#.*/, '').split(/\s+/).filter(Boolean).map((t) => ({ text: t, line: s.line + i })));

  const out: ConformanceCase = { name, mem: new Uint8Array(0) };
  const asm = sections.get('asm');
  if (asm) {
    out.asm = asm.lines.join('\n');
    out.asmLine = asm.line;
  }
  const raw = sections.get('raw');
  if (raw) {
    out.raw = tokens(raw).map((t) => {
      const v = /^0x/i.test(t.text) ? parseInt64(t.text) : undefined;
      if (v === undefined || v > 2n ** 64n - 1n) throw bad(t.line, `bad raw instruction word '${t.text}' (expected 0x and up to 16 hex digits)`);
      return v;
    });
  }
  const mem = sections.get('mem');
  if (mem) {
    out.mem = Uint8Array.from(
      tokens(mem).map((t) => {
        if (!/^[0-9a-f]{2}$/i.test(t.text)) throw bad(t.line, `bad mem byte '${t.text}' (expected two hex digits)`);
        return parseInt(t.text, 16);
      }),
    );
  }
  const result = sections.get('result');
  if (result) {
    const ts = tokens(result);
    if (ts.length !== 1) throw bad(result.line, `-- result needs exactly one value, found ${ts.length}`);
    const t = ts[0]!;
    // The README's rule: hex if it contains 0x, else decimal.
    const v = parseInt64(t.text);
    if (v === undefined || v < -(2n ** 63n) || v > 2n ** 64n - 1n) throw bad(t.line, `bad result '${t.text}'`);
    out.result = BigInt.asUintN(64, v);
  }
  const error = sections.get('error');
  if (error) out.error = error.lines.map((l) => l.replace(/#.*/, '').trim()).filter(Boolean).join('\n');
  if (out.asm === undefined && out.raw === undefined) {
    throw new BpfError('EINVAL', `${name}: no program (neither an -- asm nor a -- raw section)`, { file: name });
  }
  return out;
}

/** The program of a case: `-- raw` when present (it takes precedence), else the assembled `-- asm`. */
export function conformanceProgram(c: ConformanceCase): Insn[] {
  if (c.raw) {
    const bytes = new Uint8Array(c.raw.length * 8);
    const dv = new DataView(bytes.buffer);
    c.raw.forEach((w, i) => dv.setBigUint64(i * 8, w, true));
    return decode(bytes, c.name);
  }
  return parseUbpf(c.asm ?? '', c.name, c.asmLine ?? 1);
}
