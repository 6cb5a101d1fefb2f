/**
 * `npm run bench:verifier`: how long tsbpf's verifier takes on the programs of
 * bench/programs/verifier.c, beside the running kernel's own load of the same object in the same
 * run, and how much memory it needs for a program whose verification processes close to 1,000,000
 * instructions.
 *
 * Method: the C file is compiled with clang; each program is verified by tsbpf (verifyProgram) and
 * loaded into the kernel (loadObjectIntoKernel, log level 0) alternately, after a warm-up of 0.3 s
 * (V8 optimises the verifier's hot functions only after some calls); each round repeats a program
 * for at least 30 ms, and the median of 7 rounds is reported. A second kernel load at log level 4 (BPF_LOG_STATS) gives
 * the kernel's processed-instruction count and its own "verification time". Peak memory is measured
 * in a child process started with --max-old-space-size=500 (so a heap over 500 MB fails the run):
 * its maximum resident set size after verifying the big program, and its heap growth.
 *
 * Options: `--quick` (fewer rounds), `--only NAME`, `--no-kernel` (tsbpf only).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadObjectSpec, type ObjectSpec, type ProgramSpec } from '../src/elf/object.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { verifyProgram } from '../src/verifier/index.js';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const NO_KERNEL = args.includes('--no-kernel');
const CHILD = args.includes('--memory-child');
const ROUNDS = QUICK ? 3 : 7;
const WARMUP_MS = QUICK ? 100 : 300;
/** Small programs verify in well under a millisecond: each timed round repeats them for this long. */
const BATCH_MS = QUICK ? 10 : 30;
const PROGRAMS = ['branches', 'loop', 'parser', 'big'];
const helpers = kernelHelpers();

function source(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const d of [join(here, 'programs'), join(here, '..', '..', 'bench', 'programs')]) {
    if (existsSync(join(d, 'verifier.c'))) return join(d, 'verifier.c');
  }
  throw new Error(`bench: cannot find bench/programs/verifier.c from ${here}`);
}

function compile(): ObjectSpec {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-vbench-'));
  try {
    const out = join(dir, 'verifier.o');
    const clang = ['clang', 'clang-14'].find((c) => spawnSync(c, ['--version']).status === 0);
    if (!clang) throw new Error('bench: clang is needed to compile bench/programs/verifier.c');
    execFileSync(clang, ['-O2', '-g', '-target', 'bpf', '-I/usr/include/x86_64-linux-gnu', '-c', source(), '-o', out]);
    return loadObjectSpec(new Uint8Array(readFileSync(out)), { file: 'verifier.o' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function ours(spec: ObjectSpec, p: ProgramSpec): { ms: number; insns: number; states: number } {
  const t0 = process.hrtime.bigint();
  const r = verifyProgram(p.insns, { progType: p.type, maps: spec.maps.map((m) => m.spec), helpers, program: p, object: spec });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const stats = r.log.lines.find((l) => l.startsWith('processed')) ?? '';
  return { ms, insns: r.insnsProcessed, states: Number(/total_states (\d+)/.exec(stats)?.[1] ?? NaN) };
}

type KernelLoad = typeof import('../src/kernel/load-object.js').loadObjectIntoKernel;

function kernel(load: KernelLoad, spec: ObjectSpec, p: ProgramSpec): number {
  const t0 = process.hrtime.bigint();
  load(spec, { programs: [p.name] }).close();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function kernelStats(load: KernelLoad, spec: ObjectSpec, p: ProgramSpec): { insns: number; states: number; verifyMs: number } {
  const obj = load(spec, { programs: [p.name], logLevel: 4 });
  try {
    const log = [...obj.programs.values()][0]?.log ?? '';
    return {
      insns: Number(/processed (\d+) insns/.exec(log)?.[1] ?? NaN),
      states: Number(/total_states (\d+)/.exec(log)?.[1] ?? NaN),
      verifyMs: Number(/verification time (\d+) usec/.exec(log)?.[1] ?? NaN) / 1000,
    };
  } finally {
    obj.close();
  }
}

/** Mean time of `fn` (which returns its own time in ms) over calls adding up to at least BATCH_MS. */
function batch(fn: () => number): number {
  let total = 0, n = 0;
  do {
    total += fn();
    n++;
  } while (total < BATCH_MS);
  return total / n;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** In the child: verify the big program once and report memory as one JSON line. */
function memoryChild(): void {
  const spec = compile();
  const p = spec.programs.find((x) => x.name === 'big')!;
  const heap0 = process.memoryUsage().heapUsed;
  let peakHeap = heap0;
  // Sampled between the phases only: verifyProgram is synchronous. maxRSS covers the whole run.
  const r = ours(spec, p);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  console.log(JSON.stringify({ insns: r.insns, ms: r.ms, maxRssMb: process.resourceUsage().maxRSS / 1024, heapMb: (peakHeap - heap0) / 2 ** 20 }));
}

async function main(): Promise<void> {
  if (CHILD) return memoryChild();
  const spec = compile();
  let load: KernelLoad | undefined;
  if (!NO_KERNEL) {
    try {
      load = (await import('../src/kernel/load-object.js')).loadObjectIntoKernel;
      kernel(load, spec, spec.programs[0]!);
    } catch (e) {
      console.log(`bench: no kernel comparison (${(e as Error).message.split('\n')[0]})`);
      load = undefined;
    }
  }
  const rows: string[][] = [];
  let worst = 0;
  for (const name of PROGRAMS) {
    if (ONLY && name !== ONLY) continue;
    const p = spec.programs.find((x) => x.name === name);
    if (!p) throw new Error(`bench: program ${name} is missing from verifier.o`);
    // Warm-up: V8 compiles the verifier's hot functions only after some calls.
    const warmUntil = performance.now() + WARMUP_MS;
    let last = ours(spec, p);
    while (performance.now() < warmUntil) {
      last = ours(spec, p);
      if (load) kernel(load, spec, p);
    }
    const tOurs: number[] = [], tKernel: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      tOurs.push(batch(() => (last = ours(spec, p)).ms));
      const l = load;
      if (l) tKernel.push(batch(() => kernel(l, spec, p)));
    }
    const ks = load ? kernelStats(load, spec, p) : undefined;
    const mo = median(tOurs), mk = load ? median(tKernel) : NaN;
    if (load) worst = Math.max(worst, mo / mk);
    rows.push([
      name, String(p.insns.length), mo.toFixed(2), load ? mk.toFixed(2) : '-', load ? (mo / mk).toFixed(2) + 'x' : '-',
      ks ? ks.verifyMs.toFixed(2) : '-', String(last.insns), ks ? String(ks.insns) : '-', String(last.states), ks ? String(ks.states) : '-',
    ]);
  }
  const head = ['program', 'insns', 'tsbpf ms', 'kernel ms', 'ratio', 'kernel verif ms', 'processed', 'kernel processed', 'states', 'kernel states'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ');
  console.log(fmt(head));
  for (const r of rows) console.log(fmt(r));
  if (load) console.log(`Target: within 3x of the kernel's load time; worst ratio ${worst.toFixed(2)}x: ${worst <= 3 ? 'met' : 'NOT met'}.`);

  if (!ONLY || ONLY === 'big') {
    const self = fileURLToPath(import.meta.url);
    const c = spawnSync(process.execPath, ['--max-old-space-size=500', self, '--memory-child'], { encoding: 'utf8' });
    if (c.status !== 0) {
      console.log(`memory: the child failed (status ${c.status}): ${(c.stderr || c.stdout).trim().split('\n').slice(-3).join(' | ')}`);
      process.exitCode = 1;
    } else {
      const m = JSON.parse(c.stdout.trim().split('\n').at(-1)!) as { insns: number; ms: number; maxRssMb: number; heapMb: number };
      console.log(`memory: big (${m.insns} processed insns, ${m.ms.toFixed(0)} ms) under --max-old-space-size=500: peak RSS ${m.maxRssMb.toFixed(0)} MB, heap growth ${m.heapMb.toFixed(0)} MB; target < 500 MB: ${m.maxRssMb < 500 ? 'met' : 'NOT met'}.`);
    }
  }
}

await main();
