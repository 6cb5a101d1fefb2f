/**
 * Compiling the C programs of test/c for the object-loader tests, and the LLVM/bpftool views of the
 * results that the tests compare against. Objects are built once per process into a temp dir.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

function findTool(...names: string[]): string | undefined {
  const path = (process.env.PATH ?? '/usr/bin') + ':/usr/sbin:/sbin';
  for (const dir of path.split(':')) {
    for (const n of names) {
      const p = join(dir, n);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

export const elfTools = {
  clang: findTool('clang', 'clang-14'),
  readelf: findTool('llvm-readelf', 'llvm-readelf-14'),
  bpftool: findTool('bpftool'),
};

export const C_DIR = join(REPO_ROOT, 'test', 'c');

/** Why the compiled-object tests cannot run here, or undefined when they can. */
export function clangMissing(): string | undefined {
  if (!elfTools.clang) return 'clang is not installed (apt-get install clang)';
  if (!existsSync('/usr/include/bpf/bpf_helpers.h')) return 'libbpf headers are missing (apt-get install libbpf-dev)';
  return undefined;
}

let dir: string | undefined;
const built = new Map<string, CompiledObject>();

export interface CompiledObject {
  path: string;
  bytes: Uint8Array;
}

export function elfTempDir(): string {
  dir ??= mkdtempSync(join(tmpdir(), 'tsbpf-elf-'));
  return dir;
}

export function removeElfTempDir(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  built.clear();
}

/** Compile test/c/<name>.c (extra clang args allowed) for BPF; cached per name+args. */
export function compileObject(name: string, extra: string[] = [], outName = name): CompiledObject {
  const key = `${name} ${extra.join(' ')} ${outName}`;
  const hit = built.get(key);
  if (hit) return hit;
  const path = join(elfTempDir(), `${outName}.o`);
  execFileSync(elfTools.clang!, ['-O2', '-g', '-target', 'bpf', ...extra, '-c', join(C_DIR, `${name}.c`), '-o', path, '-I/usr/include/x86_64-linux-gnu'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const obj = { path, bytes: new Uint8Array(readFileSync(path)) };
  built.set(key, obj);
  return obj;
}

/** Compile C source text given inline (for small one-off objects). */
export function compileSource(name: string, source: string, extra: string[] = ['-target', 'bpf']): CompiledObject {
  const src = join(elfTempDir(), `${name}.c`);
  const path = join(elfTempDir(), `${name}.o`);
  writeFileSync(src, source);
  execFileSync(elfTools.clang!, ['-O2', '-g', ...extra, '-c', src, '-o', path, '-I/usr/include/x86_64-linux-gnu'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { path, bytes: new Uint8Array(readFileSync(path)) };
}

export function run(tool: string, args: string[]): string {
  return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'] });
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
