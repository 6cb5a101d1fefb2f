/**
 * The verifier corpus (test/verifier-corpus/): programs the kernel accepts or rejects, each loaded
 * into the running kernel to get its verdict, and given to tsbpf's verifier.
 *
 * `.s` files hold many programs, each a block that starts with a header line
 *   === NAME accept|reject: what the program checks (for a reject: the one defect it has)
 * then the directives of src/object/asm-spec.ts (`; section: xdp`, `; map ...`) and the assembly.
 * `accept|reject` is the author's intent; the verdict compared with tsbpf's is the kernel's, got in
 * the test itself. `.c` files are compiled with clang; each program's function name starts with
 * `accept_` or `reject_` to state the intent the same way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadObjectSpec, type ObjectSpec, type ProgramSpec } from '../../src/elf/object.js';
import { asmObjectSpec } from '../../src/object/asm-spec.js';
import { loadObjectIntoKernel } from '../../src/kernel/load-object.js';
import { loadBtfTracingProgram } from '../../src/kernel/attach/btf-tracing.js';
import { kernelHelpers } from '../../src/helpers/index.js';
import { verifyProgram, isVerifierError } from '../../src/verifier/index.js';
import { REPO_ROOT } from './paths.js';
import { C_DIR, compileC, tempDir } from './tools.js';

export const CORPUS_DIR = join(REPO_ROOT, 'test', 'verifier-corpus');

export interface CorpusEntry {
  /** file:name, unique over the corpus. */
  id: string;
  file: string;
  name: string;
  intent: 'accept' | 'reject';
  /** What the program checks (the header's text; for C, the comment above the function if any). */
  about: string;
  spec: () => ObjectSpec;
  program: string;
}

const HEADER = /^===\s+(\S+)\s+(accept|reject)\s*:?\s*(.*)$/;

function asmEntries(file: string): CorpusEntry[] {
  const text = readFileSync(join(CORPUS_DIR, file), 'utf8');
  const out: CorpusEntry[] = [];
  let cur: { name: string; intent: 'accept' | 'reject'; about: string; lines: string[] } | undefined;
  const flush = (): void => {
    if (!cur) return;
    const c = cur;
    const src = c.lines.join('\n');
    let cached: ObjectSpec | undefined;
    out.push({
      id: `${file}:${c.name}`, file, name: c.name, intent: c.intent, about: c.about, program: c.name,
      spec: () => (cached ??= asmObjectSpec(src, { file: `${file}:${c.name}`, name: c.name })),
    });
  };
  for (const line of text.split('\n')) {
    const m = HEADER.exec(line);
    if (m) {
      flush();
      cur = { name: m[1]!, intent: m[2] as 'accept' | 'reject', about: m[3]!, lines: [] };
    } else if (cur) cur.lines.push(line);
  }
  flush();
  return out;
}

function cEntries(file: string): CorpusEntry[] {
  let cached: ObjectSpec | undefined;
  const spec = (): ObjectSpec => {
    if (!cached) {
      const obj = compileC(join(CORPUS_DIR, file), join(tempDir(), `corpus_${file.slice(0, -2)}.o`), ['-target', 'bpf', '-I', C_DIR]);
      cached = loadObjectSpec(obj.bytes, { file: obj.path });
    }
    return cached;
  };
  const text = readFileSync(join(CORPUS_DIR, file), 'utf8');
  const out: CorpusEntry[] = [];
  // The program functions, from the source: SEC("...") then the definition naming accept_/reject_.
  const re = /(?:\/\*\s*([^*]*?)\s*\*\/\s*)?SEC\("[^"]*"\)\s*(?:int|long|__u32|unsigned int)\s+((accept|reject)_\w+)\s*\(/g;
  for (const m of text.matchAll(re)) {
    out.push({ id: `${file}:${m[2]}`, file, name: m[2]!, intent: m[3] as 'accept' | 'reject', about: m[1] ?? '', program: m[2]!, spec });
  }
  return out;
}

/** Every program of the corpus, in file order. */
export function corpusEntries(): CorpusEntry[] {
  const files = readdirSync(CORPUS_DIR).sort();
  return files.flatMap((f) => (f.endsWith('.s') ? asmEntries(f) : f.endsWith('.c') ? cEntries(f) : []));
}

export type Verdict = { ok: true; insns?: number } | { ok: false; log: string[]; reason: string; errno: string };

const findProgram = (spec: ObjectSpec, name: string): ProgramSpec => {
  const p = spec.programs.find((x) => x.name === name);
  if (!p) throw new Error(`${spec.file}: no program ${name}`);
  return p;
};

/** The kernel's verdict: load the program with its maps, then release everything. */
export function kernelVerdict(e: CorpusEntry): Verdict {
  const spec = e.spec();
  try {
    if (findProgram(spec, e.program).sectionInfo.def.attachBtf) {
      // tp_btf and friends need the target's BTF id: the object gives the maps, the program loads on its own.
      const obj = loadObjectIntoKernel(spec, { programs: [] });
      try {
        loadBtfTracingProgram(obj, e.program).close();
      } finally {
        obj.close();
      }
      return { ok: true };
    }
    loadObjectIntoKernel(spec, { programs: [e.program], logLevel: 1 }).close();
    return { ok: true };
  } catch (err) {
    const x = err as { log?: string; message: string; errnoName?: string; code?: string };
    // A message the kernel prints without its newline ("expected prog array map for tail call") has
    // the statistics line glued to it: split them.
    const log = String(x.log ?? x.message).split('\n').flatMap((l) => {
      const m = /^(.+?)(processed \d+ insns \(limit .*)$/.exec(l);
      return m ? [m[1]!, m[2]!] : [l];
    }).filter((l) => l.length > 0);
    const reason = log.filter((l) => !l.startsWith('processed ') && !/^verification time/.test(l)).at(-1) ?? '';
    return { ok: false, log, reason, errno: x.errnoName ?? x.code ?? '' };
  }
}

const helpers = kernelHelpers();

/** tsbpf's verdict on the same program. */
export function ourVerdict(e: CorpusEntry): Verdict {
  const spec = e.spec();
  const p = findProgram(spec, e.program);
  try {
    const r = verifyProgram(p.insns, { progType: p.type, maps: spec.maps.map((m) => m.spec), helpers, program: p, object: spec });
    return { ok: true, insns: r.insnsProcessed };
  } catch (err) {
    if (!isVerifierError(err)) throw err;
    return { ok: false, log: [...err.log], reason: err.reason, errno: err.code };
  }
}

/** A log line without what differs from run to run (ids, pointers printed as numbers). */
export const normLine = (l: string): string => l.replace(/\bid=\d+/g, 'id=N').replace(/\s+/g, ' ').trim();
