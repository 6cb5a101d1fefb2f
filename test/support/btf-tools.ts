/**
 * Tools for the BTF tests: clang to compile test/c/btf_*.c at test time, bpftool as the oracle for
 * BTF listings, C output and formatted map values, and gcc + libbpf to build small host harnesses
 * that report what libbpf itself does (CO-RE relocation) or what bpftool prints for real maps.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';
import { TestElf } from './btf-elf.js';

function findTool(names: string[]): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    for (const n of names) {
      const p = join(dir, n);
      if (existsSync(p)) return p;
    }
  }
  return undefined;
}

export const btfTools = {
  clang: findTool(['clang', 'clang-14']),
  bpftool: findTool(['bpftool']),
  gcc: findTool(['gcc', 'cc']),
};

export const C_DIR = join(REPO_ROOT, 'test', 'c');
export const VMLINUX = '/sys/kernel/btf/vmlinux';

/** Why a clang-based test cannot run, or undefined when it can. */
export const noClang = btfTools.clang ? undefined : 'clang is not installed';
export const noBpftool = btfTools.bpftool ? undefined : 'bpftool is not installed';
export const noVmlinux = existsSync(VMLINUX) ? undefined : `${VMLINUX} does not exist`;

let dir: string | undefined;

export function btfTempDir(): string {
  dir ??= mkdtempSync(join(tmpdir(), 'tsbpf-btf-'));
  return dir;
}

export function removeBtfTempDir(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
}

const compiled = new Map<string, string>();

/** Compile test/c/<name>.c for BPF with -g; the object's path (cached per process). */
export function compileBpf(name: string): string {
  const have = compiled.get(name);
  if (have) return have;
  const out = join(btfTempDir(), `${name}.o`);
  execFileSync(btfTools.clang!, ['-O2', '-g', '-target', 'bpf', '-c', join(C_DIR, `${name}.c`), '-o', out, '-I/usr/include/x86_64-linux-gnu'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  compiled.set(name, out);
  return out;
}

export interface CompiledObject {
  path: string;
  elf: TestElf;
}

export function bpfObject(name: string): CompiledObject {
  const path = compileBpf(name);
  return { path, elf: new TestElf(readFileSync(path)) };
}

/** Compile a host C harness against libbpf; undefined (with the reason) when that is impossible. */
export function hostHarness(name: string): { path?: string; why?: string } {
  if (!btfTools.gcc) return { why: 'no C compiler for the host' };
  const out = join(btfTempDir(), name);
  const r = spawnSync(btfTools.gcc, ['-O1', '-o', out, join(C_DIR, `${name}.c`), '-lbpf'], { encoding: 'utf8' });
  if (r.status !== 0) return { why: `cannot build ${name} against libbpf: ${r.stderr.trim().split('\n')[0]}` };
  return { path: out };
}

export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** clang -fsyntax-only of a C file: undefined when it compiles, else the first errors. */
export function syntaxErrors(cFile: string, extra: string[] = []): string | undefined {
  const r = spawnSync(btfTools.clang!, ['-fsyntax-only', '-target', 'bpf', '-x', 'c', ...extra, cFile], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return r.status === 0 ? undefined : r.stderr.split('\n').slice(0, 20).join('\n');
}
