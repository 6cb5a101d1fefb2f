/**
 * The outside tools the tests compare against, found once: clang (to compile the C programs of
 * test/c for BPF), llvm-readelf, llvm-objdump and llvm-mc, bpftool, and gcc + libbpf for small host
 * harnesses that report what libbpf itself does. Each test file says why it skips with the `no*`
 * reasons here (undefined when the tool is there). Everything a process builds goes into one temp
 * dir, removed by removeTempDir() (call it from `after`); compiled test/c objects are cached per
 * process. The objects are read with the project's own ELF reader (readElf64): the tests of that
 * reader compare it with llvm-readelf instead.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElf64, type ElfFile } from '../../src/elf/elf64.js';
import { REPO_ROOT } from './paths.js';

/** The first of `names` on the PATH (or in /usr/sbin, /sbin), or undefined. */
export function findTool(...names: string[]): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    for (const n of names) {
      const p = join(dir, n);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

export const tools = {
  clang: findTool('clang', 'clang-14'),
  readelf: findTool('llvm-readelf', 'llvm-readelf-14'),
  objdump: findTool('llvm-objdump', 'llvm-objdump-14'),
  mc: findTool('llvm-mc', 'llvm-mc-14'),
  bpftool: findTool('bpftool'),
  gcc: findTool('gcc', 'cc'),
};

export const C_DIR = join(REPO_ROOT, 'test', 'c');
export const VMLINUX = '/sys/kernel/btf/vmlinux';

// ---------------------------------------------------------------------------------------------
// Why a test cannot run here (undefined when it can)

/** Compiling test/c needs clang and the libbpf headers (bpf_helpers.h). */
export const noClang: string | undefined = !tools.clang
  ? 'clang is not installed (apt-get install clang)'
  : !existsSync('/usr/include/bpf/bpf_helpers.h') ? 'libbpf headers are missing (apt-get install libbpf-dev)' : undefined;
export const noBpftool = tools.bpftool ? undefined : 'bpftool is not installed';
export const noReadelf = tools.readelf ? undefined : 'llvm-readelf is not installed';
export const noLlvm = tools.clang && tools.objdump && tools.mc ? undefined : 'clang, llvm-mc or llvm-objdump not found';
export const noVmlinux = existsSync(VMLINUX) ? undefined : `${VMLINUX} does not exist`;
/** Loading into the kernel (bpftool prog loadall) needs root and a mounted bpffs. */
export const noKernelLoad = process.getuid?.() === 0 && existsSync('/sys/fs/bpf') ? undefined : 'needs root and a mounted bpffs';

// ---------------------------------------------------------------------------------------------
// Temp dir and running tools

let dir: string | undefined;
const built = new Map<string, CompiledObject>();

/** This process's temp dir (made on first use). */
export function tempDir(): string {
  dir ??= mkdtempSync(join(tmpdir(), 'tsbpf-test-'));
  return dir;
}

export function removeTempDir(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  built.clear();
}

export function run(tool: string, args: string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Like run, but returns the failure's stderr instead of throwing. */
export function runStatus(tool: string, args: string[]): { ok: boolean; out: string } {
  try {
    return { ok: true, out: run(tool, args) };
  } catch (e) {
    const err = e as { stderr?: Buffer | string; stdout?: Buffer | string };
    return { ok: false, out: String(err.stderr ?? '') + String(err.stdout ?? '') };
  }
}

// ---------------------------------------------------------------------------------------------
// Compiling for BPF

export interface CompiledObject {
  path: string;
  bytes: Uint8Array;
}

/** `clang -O2 -g <flags> -c cFile -o out`; flags must include the target (-target bpf). */
export function compileC(cFile: string, out: string, flags: string[] = ['-target', 'bpf']): CompiledObject {
  run(tools.clang!, ['-O2', '-g', ...flags, '-c', cFile, '-o', out, '-I/usr/include/x86_64-linux-gnu']);
  return { path: out, bytes: new Uint8Array(readFileSync(out)) };
}

/** Compile test/c/<name>.c (extra clang args allowed) for BPF; cached per name+args. */
export function compileObject(name: string, extra: string[] = [], outName = name): CompiledObject {
  const key = `${name} ${extra.join(' ')} ${outName}`;
  let obj = built.get(key);
  if (!obj) {
    obj = compileC(join(C_DIR, `${name}.c`), join(tempDir(), `${outName}.o`), ['-target', 'bpf', ...extra]);
    built.set(key, obj);
  }
  return obj;
}

/** Compile C source text given inline (for small one-off objects); `extra` replaces the default target flags. */
export function compileSource(name: string, source: string, extra: string[] = ['-target', 'bpf']): CompiledObject {
  const src = join(tempDir(), `${name}.c`);
  writeFileSync(src, source);
  return compileC(src, join(tempDir(), `${name}.o`), extra);
}

/** A compiled test/c object read with the project's ELF reader. */
export interface ElfObject extends CompiledObject {
  elf: ElfFile;
  /** The bytes of section `name` (a test failure when there is none). */
  section(name: string): Uint8Array;
}

export function bpfObject(name: string): ElfObject {
  return readObject(compileObject(name));
}

export function readObject(obj: CompiledObject): ElfObject {
  const elf = readElf64(obj.bytes, obj.path);
  return {
    ...obj,
    elf,
    section(name: string): Uint8Array {
      const s = elf.sectionByName(name);
      if (!s) throw new Error(`${obj.path}: no section ${name}`);
      return s.data;
    },
  };
}

/** clang -fsyntax-only of a C file: undefined when it compiles, else the first errors. */
export function syntaxErrors(cFile: string, extra: string[] = []): string | undefined {
  const r = spawnSync(tools.clang!, ['-fsyntax-only', '-target', 'bpf', '-x', 'c', ...extra, cFile], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return r.status === 0 ? undefined : r.stderr.split('\n').slice(0, 20).join('\n');
}

/** Compile a host C harness against libbpf; undefined (with the reason) when that is impossible. */
export function hostHarness(name: string): { path?: string; why?: string } {
  if (!tools.gcc) return { why: 'no C compiler for the host' };
  const out = join(tempDir(), name);
  const r = spawnSync(tools.gcc, ['-O1', '-o', out, join(C_DIR, `${name}.c`), '-lbpf'], { encoding: 'utf8' });
  if (r.status !== 0) return { why: `cannot build ${name} against libbpf: ${r.stderr.trim().split('\n')[0]}` };
  return { path: out };
}

// ---------------------------------------------------------------------------------------------
// LLVM assembler and disassembler

/** `llvm-objdump -d` of an object file, of one section unless `section` is undefined. */
export function objdump(path: string, section: string | undefined, alu32: boolean, extra: string[] = []): string {
  const args = ['-d', ...extra, ...(section === undefined ? [] : ['-j', section]), path];
  if (alu32) args.unshift('--mattr=+alu32');
  return run(tools.objdump!, args);
}

/** The instruction lines of an objdump listing, from the first symbol header on. */
export function listingLines(text: string): string[] {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => /^[0-9a-f]{16} <.*>:$/.test(l));
  return lines.slice(first < 0 ? lines.length : first);
}

/** Assemble a file of LLVM BPF assembly with llvm-mc (alu32 enabled, so w-register forms are accepted). */
export function assembleWithLlvm(sFile: string, outDir = tempDir()): string {
  const o = join(outDir, `${sFile.replace(/^.*\//, '')}.o`);
  run(tools.mc!, ['-triple', 'bpf', '-mattr=+alu32', '-filetype=obj', sFile, '-o', o]);
  return o;
}

/** An object whose .text is exactly `bytes`, with one symbol `f` at its start. */
export function objectFromBytes(bytes: Uint8Array, outDir = tempDir()): string {
  const lines = ['.text', '.globl f', 'f:'];
  for (let i = 0; i < bytes.length; i += 8) lines.push(`.byte ${Array.from(bytes.subarray(i, i + 8)).join(',')}`);
  const s = join(outDir, 'sweep.s');
  const o = join(outDir, 'sweep.o');
  writeFileSync(s, lines.join('\n') + '\n');
  run(tools.mc!, ['-triple', 'bpf', '-filetype=obj', s, '-o', o]);
  return o;
}

// ---------------------------------------------------------------------------------------------
// The kernel, through bpftool

/**
 * `bpftool prog loadall` of an object into a pin dir under /sys/fs/bpf, then `check(pinDir)`; the
 * pins are removed afterwards. When bpf(2) refuses the object here, `t` is skipped with the reason.
 * The caller skips first when noKernelLoad or noBpftool says so.
 */
export function withLoadedObject(t: { skip(message?: string): void }, path: string, pinName: string, check: (pinDir: string) => void): void {
  const pin = `/sys/fs/bpf/${pinName}_${process.pid}`;
  const loaded = runStatus(tools.bpftool!, ['prog', 'loadall', path, pin]);
  try {
    if (!loaded.ok) {
      t.skip(`bpf(2) refused the object here: ${loaded.out.split('\n').slice(-3).join(' ')}`);
      return;
    }
    check(pin);
  } finally {
    rmSync(pin, { recursive: true, force: true });
  }
}
