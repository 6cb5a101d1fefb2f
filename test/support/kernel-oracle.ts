/**
 * The kernel as the oracle of the differential tests (helpers, maps, program types, pcap runs):
 * objects loaded with `bpftool prog loadall`, pinned under /sys/fs/bpf/tsbpf-test-*, and run with
 * BPF_PROG_TEST_RUN through `bpftool prog run` or, for what bpftool cannot express (raw
 * tracepoints, flags, cpu), a small bpf(2) harness (test/c/progtypes_testrun_oracle.c). The files
 * go into the temp dir of tools.ts; kernelCleanup removes the pins and that dir.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { C_DIR, noBpftool, noClang, noKernelLoad, removeTempDir, tempDir, tools } from './tools.js';

/** Why programs cannot be loaded and run in the kernel here, or undefined when they can. */
export function kernelMissing(): string | undefined {
  return noBpftool ?? noKernelLoad;
}

/** The same for tests that also compile test/c with clang. */
export function kernelUnavailable(): string | undefined {
  return noClang ?? kernelMissing();
}

const pinDirs: string[] = [];

/**
 * Load every program of an object into the kernel, pinned in /sys/fs/bpf/tsbpf-test-<tag>-<pid>;
 * the pin dir (one pinned program per function). The maps are pinned too, in <pin dir>-maps: a
 * prog_array loses its slots when the last user-space reference goes.
 */
export function kernelLoad(objPath: string, tag: string): string {
  const dir = `/sys/fs/bpf/tsbpf-test-${tag}-${process.pid}`;
  const maps = `${dir}-maps`;
  for (const d of [dir, maps]) rmSync(d, { recursive: true, force: true });
  pinDirs.push(dir, maps);
  const r = spawnSync(tools.bpftool!, ['prog', 'loadall', objPath, dir, 'pinmaps', maps], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bpftool prog loadall ${objPath} failed: ${r.stderr}`);
  return dir;
}

/** Remove what kernelLoad pinned and the files of the runs. */
export function kernelCleanup(): void {
  for (const d of pinDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  removeTempDir();
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

interface RunFiles {
  data?: string;
  ctx?: string;
  dataOut: string;
  ctxOut: string;
}

/** `run(files)` with the run's input written to a fresh dir (and the names of its output files there), removed afterwards. */
function withRunFiles<T>(opts: KernelRunOptions, run: (f: RunFiles) => T): T {
  const dir = mkdtempSync(join(tempDir(), 'run-'));
  try {
    const f: RunFiles = { dataOut: join(dir, 'data_out'), ctxOut: join(dir, 'ctx_out') };
    if (opts.dataIn) writeFileSync((f.data = join(dir, 'data_in')), opts.dataIn);
    if (opts.ctxIn) writeFileSync((f.ctx = join(dir, 'ctx_in')), opts.ctxIn);
    return run(f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A successful run: its retval and the output files it wrote. */
function ran(retval: number, f: RunFiles): KernelRun {
  const r: KernelRun = { retval };
  if (existsSync(f.dataOut)) r.dataOut = new Uint8Array(readFileSync(f.dataOut));
  if (existsSync(f.ctxOut)) r.ctxOut = new Uint8Array(readFileSync(f.ctxOut));
  return r;
}

/** BPF_PROG_TEST_RUN through `bpftool prog run` (repeat only when given; no flags or cpu). */
export function bpftoolRun(pin: string, opts: KernelRunOptions): KernelRun {
  return withRunFiles(opts, (f) => {
    const args = ['prog', 'run', 'pinned', pin];
    if (f.data) args.push('data_in', f.data, 'data_out', f.dataOut);
    if (f.ctx) args.push('ctx_in', f.ctx);
    if (opts.ctxOut ?? f.ctx !== undefined) args.push('ctx_out', f.ctxOut);
    if (opts.repeat !== undefined) args.push('repeat', String(opts.repeat));
    const r = spawnSync(tools.bpftool!, args, { encoding: 'utf8' });
    const text = `${r.stdout}${r.stderr}`;
    const ok = /Return value: (\d+)/.exec(text);
    if (ok) return ran(Number(ok[1]), f);
    const err = /failed to run program: (.*)/.exec(text);
    if (err) return { errno: ERRNO_TEXT[err[1]!.trim()] ?? err[1]!.trim(), retval: 0 };
    throw new Error(`bpftool prog run said: ${text}`);
  });
}

/** bpftool prog run of a program that must run: its return value (as an int) and the packet it leaves (XDP: from data_meta). */
export function kernelRun(pinned: string, dataIn: Uint8Array, ctxIn?: Uint8Array): { ret: number; data: Uint8Array } {
  const k = bpftoolRun(pinned, { dataIn, ctxIn, ctxOut: false });
  if (k.errno !== undefined) throw new Error(`bpftool prog run ${pinned}: ${k.errno}`);
  return { ret: k.retval | 0, data: k.dataOut ?? new Uint8Array(0) };
}

let harness: string | undefined;

/** BPF_PROG_TEST_RUN through the bpf(2) harness: every attribute as given. */
export function syscallRun(pin: string, opts: KernelRunOptions & { dataOut?: boolean }): KernelRun {
  if (!harness || !existsSync(harness)) {
    if (!tools.gcc) throw new Error('no C compiler for the test-run harness');
    harness = join(tempDir(), 'progtypes_testrun_oracle');
    execFileSync(tools.gcc, ['-O1', '-o', harness, join(C_DIR, 'progtypes_testrun_oracle.c')], { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  const bin = harness;
  return withRunFiles(opts, (f) => {
    const out = execFileSync(bin, [
      pin, f.data ?? '-', f.ctx ?? '-', String(opts.repeat ?? 0), String(opts.flags ?? 0), String(opts.cpu ?? 0),
      opts.dataOut ?? f.data !== undefined ? f.dataOut : '-', opts.ctxOut ? f.ctxOut : '-',
    ], { encoding: 'utf8' });
    const j = JSON.parse(out) as { errno: number; retval: number };
    if (j.errno !== 0) return { errno: ERRNO_NUM[j.errno] ?? `errno ${j.errno}`, retval: 0 };
    return ran(j.retval, f);
  });
}

export function hex(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b).toString('hex');
}
