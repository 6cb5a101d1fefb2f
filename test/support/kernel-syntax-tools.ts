/**
 * The LLVM tools the syntax tests compare against: clang to compile the C programs in test/c,
 * llvm-mc to turn raw bytes into an object, llvm-objdump to print them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function findTool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin').split(':')) {
    for (const n of [name, `${name}-14`]) {
      const p = join(dir, n);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

export const tools = {
  clang: findTool('clang'),
  objdump: findTool('llvm-objdump'),
  mc: findTool('llvm-mc'),
};

const dirs: string[] = [];

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tsbpf-syntax-'));
  dirs.push(d);
  return d;
}

export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Compile a C file with clang for BPF; returns the object's path and bytes. */
export function compile(cFile: string, outDir: string, cpu: string): { path: string; bytes: Uint8Array } {
  const path = join(outDir, `${cFile.replace(/^.*\//, '').replace(/\.c$/, '')}-${cpu}.o`);
  execFileSync(tools.clang!, ['-O2', '-g', '-target', 'bpf', `-mcpu=${cpu}`, '-c', cFile, '-o', path, '-I/usr/include/x86_64-linux-gnu'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { path, bytes: readFileSync(path) };
}

/** `llvm-objdump -d` of an object file, of one section unless `section` is undefined. */
export function objdump(path: string, section: string | undefined, alu32: boolean, extra: string[] = []): string {
  const args = ['-d', ...extra, ...(section === undefined ? [] : ['-j', section]), path];
  if (alu32) args.unshift('--mattr=+alu32');
  return execFileSync(tools.objdump!, args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** An object whose .text is exactly `bytes`, with one symbol `f` at its start. */
export function objectFromBytes(bytes: Uint8Array, dir: string): string {
  const lines = ['.text', '.globl f', 'f:'];
  for (let i = 0; i < bytes.length; i += 8) lines.push(`.byte ${Array.from(bytes.subarray(i, i + 8)).join(',')}`);
  const s = join(dir, 'sweep.s');
  const o = join(dir, 'sweep.o');
  writeFileSync(s, lines.join('\n') + '\n');
  execFileSync(tools.mc!, ['-triple', 'bpf', '-filetype=obj', s, '-o', o], { stdio: ['ignore', 'pipe', 'pipe'] });
  return o;
}

/** Assemble a file of LLVM BPF assembly with llvm-mc (alu32 enabled, so w-register forms are accepted). */
export function assembleWithLlvm(sFile: string, dir: string): string {
  const o = join(dir, `${sFile.replace(/^.*\//, '')}.o`);
  execFileSync(tools.mc!, ['-triple', 'bpf', '-mattr=+alu32', '-filetype=obj', sFile, '-o', o], { stdio: ['ignore', 'pipe', 'pipe'] });
  return o;
}

/** The instruction lines of an objdump listing, from the first symbol header on. */
export function listingLines(text: string): string[] {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => /^[0-9a-f]{16} <.*>:$/.test(l));
  return lines.slice(first < 0 ? lines.length : first);
}
