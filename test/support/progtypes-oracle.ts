/**
 * The kernel as the oracle for the program-type tests: compile test/c/progtypes_*.c with clang,
 * load the objects into tsbpf and into Linux (`bpftool prog loadall`, pinned under
 * /sys/fs/bpf/tsbpf-pt-*), and run the same inputs through `bpftool prog run` or, for what
 * bpftool cannot express (raw tracepoints, flags, cpu), a small bpf(2) harness
 * (test/c/progtypes_testrun_oracle.c). Everything created is removed by `cleanup`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';
import { loadObjectSpec } from '../../src/elf/object.js';
import { loadObjectIntoVm, type VmObject } from '../../src/vm/load-object.js';
import { Vm } from '../../src/vm/runtime.js';
import { HelperRegistry, type HelperDef } from '../../src/helpers/registry.js';
import { PACKET_OPS, type PacketOps } from '../../src/vm/packet-ops.js';
import type { RunContext } from '../../src/vm/runtime.js';
import { fixedEnv } from '../../src/vm/env.js';

const C_DIR = join(REPO_ROOT, 'test', 'c');

function findTool(names: string[]): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    for (const n of names) if (existsSync(join(dir, n))) return join(dir, n);
  }
  return undefined;
}

const clang = findTool(['clang', 'clang-14']);
const bpftool = findTool(['bpftool']);
const gcc = findTool(['gcc', 'cc']);

let work: string | undefined;
function workDir(): string {
  work ??= mkdtempSync(join(tmpdir(), 'tsbpf-pt-'));
  return work;
}

/** Compile test/c/progtypes_<name>.c for BPF; the object's bytes and path. */
export function compileProgtypes(name: string): { path: string; bytes: Uint8Array } {
  if (!clang) throw new Error('clang is not installed');
  const out = join(workDir(), `progtypes_${name}.o`);
  if (!existsSync(out)) {
    execFileSync(clang, ['-O2', '-g', '-target', 'bpf', '-c', join(C_DIR, `progtypes_${name}.c`), '-o', out, '-I/usr/include/x86_64-linux-gnu'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }
  return { path: out, bytes: new Uint8Array(readFileSync(out)) };
}

/**
 * Helpers the differential tests need, until src/helpers provides kernelHelpers(): the XDP
 * adjustments go straight to the program type's PacketOps, as the real helpers will.
 */
function packetShim(): HelperRegistry {
  const ops = (call: { services: unknown }): PacketOps => (call.services as RunContext).state[PACKET_OPS] as PacketOps;
  const int = (r: bigint): number => Number(BigInt.asIntN(32, r));
  const ret = (n: number): bigint => BigInt.asUintN(64, BigInt(n));
  const def = (id: number, name: string, f: (o: PacketOps, delta: number) => number): HelperDef => ({
    id, name, args: ['ptr_to_ctx', 'anything'], ret: 'integer', impl: (call, _r1, r2) => ret(f(ops(call), int(r2))),
  });
  // bpf_skb_change_tail(skb, new_len, flags) and bpf_skb_change_head(skb, head_room, flags):
  // the helper checks its flags, the program type's buffer its sizes.
  const EINVAL = -22;
  const skbDef = (id: number, name: string, f: (o: PacketOps, arg: number) => number): HelperDef => ({
    id, name, args: ['ptr_to_ctx', 'anything', 'anything'], ret: 'integer',
    impl: (call, _r1, r2, r3) => ret(r3 !== 0n ? EINVAL : f(ops(call), Number(r2 & 0xffffffffn))),
  });
  return new HelperRegistry([
    def(44, 'bpf_xdp_adjust_head', (o, d) => o.adjustHead(d)),
    def(54, 'bpf_xdp_adjust_meta', (o, d) => o.adjustMeta(d)),
    def(65, 'bpf_xdp_adjust_tail', (o, d) => o.adjustTail(d)),
    skbDef(38, 'bpf_skb_change_tail', (o, newLen) => o.adjustTail(newLen - o.length())),
    skbDef(43, 'bpf_skb_change_head', (o, room) => o.adjustHead(-room)),
  ]);
}

/**
 * src/helpers' kernelHelpers(), with the shim's helpers added for ids it does not have yet
 * (`from` says which came from where); only the shim when src/helpers has no kernelHelpers.
 */
export async function testHelpers(): Promise<{ registry: HelperRegistry; from: string }> {
  const shim = packetShim();
  let registry: HelperRegistry | undefined;
  try {
    const url = new URL('../../src/helpers/index.js', import.meta.url).href;
    const mod = (await import(url)) as { kernelHelpers?: () => HelperRegistry };
    if (typeof mod.kernelHelpers === 'function') registry = mod.kernelHelpers();
  } catch {
    // not there yet
  }
  if (!registry) return { registry: shim, from: 'the test shim' };
  const added = shim.all().filter((d) => !registry!.get(d.id));
  for (const d of added) registry.register(d);
  return { registry, from: added.length ? `src/helpers, with the test shim for ${added.map((d) => d.name).join(', ')}` : 'src/helpers' };
}

/** A VM with `name`'s object loaded. */
export async function loadVm(name: string, opts: { nCpus?: number } = {}): Promise<{ vm: Vm; obj: VmObject }> {
  const { path, bytes } = compileProgtypes(name);
  const { registry } = await testHelpers();
  const vm = new Vm({ helpers: registry, env: fixedEnv(), ...(opts.nCpus !== undefined ? { nCpus: opts.nCpus } : {}) });
  const obj = loadObjectIntoVm(vm, loadObjectSpec(bytes, { file: path }));
  return { vm, obj };
}

// ---- the kernel ----

/** Why the kernel oracle cannot run here, or undefined. */
export function kernelUnavailable(): string | undefined {
  if (!clang) return 'clang is not installed';
  if (!bpftool) return 'bpftool is not installed';
  if (process.getuid?.() !== 0) return 'not root: bpf(2) needs CAP_BPF';
  if (!existsSync('/sys/fs/bpf')) return '/sys/fs/bpf is not mounted';
  return undefined;
}

const pinned: string[] = [];

/** Load `name`'s object into the kernel; the pin directory (one pinned program per function). */
export function pinProgtypes(name: string): string {
  const { path } = compileProgtypes(name);
  const dir = `/sys/fs/bpf/tsbpf-pt-${name}-${process.pid}`;
  rmSync(dir, { recursive: true, force: true });
  const r = spawnSync(bpftool!, ['prog', 'loadall', path, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bpftool prog loadall ${path} failed: ${r.stderr}`);
  pinned.push(dir);
  return dir;
}

export function cleanup(): void {
  for (const d of pinned.splice(0)) rmSync(d, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
  work = undefined;
}

export interface KernelRun {
  /** The errno name when the kernel refused (EINVAL...), else undefined. */
  errno?: string;
  retval: number;
  dataOut?: Uint8Array;
  ctxOut?: Uint8Array;
}

export interface KernelRunOptions {
  dataIn?: Uint8Array;
  ctxIn?: Uint8Array;
  ctxOut?: boolean;
  repeat?: number;
  flags?: number;
  cpu?: number;
}

const ERRNO_TEXT: Record<string, string> = {
  'Invalid argument': 'EINVAL', 'Argument list too long': 'E2BIG', 'No such device': 'ENODEV',
  'Unknown error 524': 'ENOTSUPP', 'Operation not supported': 'EOPNOTSUPP', 'No such device or address': 'ENXIO',
  'Bad address': 'EFAULT', 'Cannot allocate memory': 'ENOMEM', 'No space left on device': 'ENOSPC', 'Message too long': 'EMSGSIZE',
};
const ERRNO_NUM: Record<number, string> = { 12: 'ENOMEM', 22: 'EINVAL', 7: 'E2BIG', 19: 'ENODEV', 524: 'ENOTSUPP', 95: 'EOPNOTSUPP', 6: 'ENXIO', 14: 'EFAULT', 28: 'ENOSPC', 90: 'EMSGSIZE' };

let runCount = 0;

function files(opts: KernelRunOptions): { dir: string; data?: string; ctx?: string; dataOut: string; ctxOut: string } {
  const dir = join(workDir(), `run${runCount++}`);
  mkdirSync(dir);
  const f: { dir: string; data?: string; ctx?: string; dataOut: string; ctxOut: string } = { dir, dataOut: join(dir, 'data_out'), ctxOut: join(dir, 'ctx_out') };
  if (opts.dataIn) writeFileSync((f.data = join(dir, 'data_in')), opts.dataIn);
  if (opts.ctxIn) writeFileSync((f.ctx = join(dir, 'ctx_in')), opts.ctxIn);
  return f;
}

function readOut(path: string): Uint8Array | undefined {
  return existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined;
}

/** BPF_PROG_TEST_RUN through `bpftool prog run` (always passes repeat; no flags or cpu). */
export function bpftoolRun(pin: string, opts: KernelRunOptions): KernelRun {
  const f = files(opts);
  const args = ['prog', 'run', 'pinned', pin];
  if (f.data) args.push('data_in', f.data, 'data_out', f.dataOut);
  if (f.ctx) args.push('ctx_in', f.ctx);
  if (opts.ctxOut ?? f.ctx !== undefined) args.push('ctx_out', f.ctxOut);
  if (opts.repeat !== undefined) args.push('repeat', String(opts.repeat));
  const r = spawnSync(bpftool!, args, { encoding: 'utf8' });
  const text = `${r.stdout}${r.stderr}`;
  try {
    const ok = /Return value: (\d+)/.exec(text);
    if (ok) return { retval: Number(ok[1]), ...optional('dataOut', readOut(f.dataOut)), ...optional('ctxOut', readOut(f.ctxOut)) };
    const err = /failed to run program: (.*)/.exec(text);
    if (err) return { errno: ERRNO_TEXT[err[1]!.trim()] ?? err[1]!.trim(), retval: 0 };
    throw new Error(`bpftool prog run said: ${text}`);
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
}

function optional<K extends string>(k: K, v: Uint8Array | undefined): Partial<Record<K, Uint8Array>> {
  return v === undefined ? {} : ({ [k]: v } as Record<K, Uint8Array>);
}

let harness: string | undefined;

/** BPF_PROG_TEST_RUN through the bpf(2) harness: every attribute as given. */
export function syscallRun(pin: string, opts: KernelRunOptions & { dataOut?: boolean }): KernelRun {
  if (!harness) {
    if (!gcc) throw new Error('no C compiler for the test-run harness');
    harness = join(workDir(), 'progtypes_testrun_oracle');
    execFileSync(gcc, ['-O1', '-o', harness, join(C_DIR, 'progtypes_testrun_oracle.c')], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  const f = files(opts);
  try {
    const out = execFileSync(harness, [
      pin, f.data ?? '-', f.ctx ?? '-', String(opts.repeat ?? 0), String(opts.flags ?? 0), String(opts.cpu ?? 0),
      opts.dataOut ?? f.data !== undefined ? f.dataOut : '-', opts.ctxOut ? f.ctxOut : '-',
    ], { encoding: 'utf8' });
    const j = JSON.parse(out) as { errno: number; retval: number };
    if (j.errno !== 0) return { errno: ERRNO_NUM[j.errno] ?? `errno ${j.errno}`, retval: 0 };
    return { retval: j.retval, ...optional('dataOut', readOut(f.dataOut)), ...optional('ctxOut', readOut(f.ctxOut)) };
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
}

/** The programs pinned in a directory. */
export function pinnedPrograms(dir: string): string[] {
  return readdirSync(dir);
}

export function hex(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b).toString('hex');
}
