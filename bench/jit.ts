/**
 * `node dist/bench/jit.js`: the JIT beside the kernel's JIT and the interpreter, in one run.
 *
 *  - verified path: bench/jit/progs.c (clang) and bench/programs/compute.s as XDP programs on one
 *    1,500-byte TCP frame, timed as `tsbpf prog run OBJ --prog P --data-in F --repeat N --engine E
 *    --json` times them (testRun's duration_ns), and in the kernel with BPF_PROG_TEST_RUN repeat N;
 *  - raw path: bench/programs/*.s and an empty program, timed as `tsbpf run X --engine E --repeat N`
 *    times them (runRepeated: ns_per_run, each run on the input as given, bounds checks kept);
 *  - compile time per 1,000 instructions, with V8's default tiering, its baseline compiler only
 *    (Liftoff) and its optimising compiler only (TurboFan), each in a child process;
 *  - 1,000 distinct programs compiled and run in one process, then unloaded: memory and how many
 *    compiled programs were collected.
 * Every engine's result is checked against the others' before anything is timed.
 *
 * Options: --quick (shorter timing), --child tiers|many (internal).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble } from '../src/isa/asm.js';
import { encode } from '../src/isa/insn.js';
import { loadObjectSpec, type ObjectSpec } from '../src/elf/object.js';
import { asmObjectSpec } from '../src/object/asm-spec.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { testRun } from '../src/progtypes/test-run.js';
import { loadObjectIntoVm } from '../src/vm/load-object.js';
import { Vm, type VmOptions, type VmProgram } from '../src/vm/runtime.js';
import { prepare, execute, type PreparedProgram } from '../src/vm/interpreter.js';
import { compile, executeJit, jitOf, type Engine } from '../src/jit/index.js';
import { runtimeTable } from '../src/jit/runtime-abi.js';
import { runRepeated } from '../src/jit/repeat.js';
import { CTRL, C_LEFT } from '../src/jit/layout.js';
import { linearMemory } from '../src/vm/resident.js';
import { kernelAvailable } from '../src/kernel/syscall.js';
import { generateProgram, randomFrame } from '../test/support/differential-gen.js';
import { rng } from '../test/support/rng.js';
import { makeFrame, makeHashInput } from './js-baselines.js';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const CHILD = args.includes('--child') ? args[args.indexOf('--child') + 1] : undefined;
const MIN_NS = QUICK ? 0.15e9 : 0.6e9;
const BATCH_NS = 20e6;
const WARM_NS = QUICK ? 0.1e9 : 0.3e9;

function fail(msg: string): never {
  console.error(`bench: FAILED: ${msg}`);
  process.exit(1);
}

/**
 * Median ns per run of `batch(n)`, which runs n times and returns the total ns (the kernel's own
 * timer) or undefined, to be timed here. Timed here means CPU time (process.cpuUsage), not wall
 * time: like the kernel's test-run timer, which stops while the task is preempted, it leaves out
 * the time other processes take on a shared machine.
 */
type Batch = (n: number) => number | undefined;

/** Total ns of `batch(n)`: its own figure, else the CPU time it took. */
function timeBatch(batch: Batch, n: number): number {
  const c0 = process.cpuUsage();
  const inner = batch(n);
  if (inner !== undefined) return inner;
  const c = process.cpuUsage(c0);
  return (c.user + c.system) * 1000;
}

/**
 * Runs a batch takes about BATCH_NS with, measured after WARM_NS of runs: CPU time is the whole
 * process's, V8's compiler threads included, and while they optimise the runtime's JavaScript
 * (hashmap_vary's first thousands of runs) a run looks 10-100x as long; a batch sized then is a
 * few hundred runs, in which the first run after the other side's batch (cold caches: ~0.1 ms
 * on these machines) weighs.
 */
function batchSize(batch: Batch): number {
  let n = 1;
  const resize = (t: number): number => Math.max(1, Math.round((n * BATCH_NS) / Math.max(t, 1)));
  for (let spent = 0; spent < WARM_NS; ) {
    const t0 = process.hrtime.bigint();
    timeBatch(batch, n);
    const t = Number(process.hrtime.bigint() - t0);
    spent += t;
    if (t < BATCH_NS / 4 && n < 1e7) n *= 2;
  }
  for (;;) {
    const t = timeBatch(batch, n);
    if (t > BATCH_NS / 4 || n > 1e7) { n = resize(t); break; }
    n *= 4;
  }
  n = resize(timeBatch(batch, n));
  return n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function timeIt(batch: Batch): number {
  const n = batchSize(batch);
  const per: number[] = [];
  for (let total = 0; total < MIN_NS || per.length < 5; ) {
    const t = timeBatch(batch, n);
    total += t;
    per.push(t / n);
  }
  return median(per);
}

/**
 * The kernel's and tsbpf's ns per run measured in alternating batches, and the median of the
 * ratio of each pair: a change of the CPU's clock between two separate measurements (a few per
 * cent on these machines) then moves both sides of a ratio alike.
 */
function timePair(kernel: Batch, tsbpf: Batch): { kernel: number; tsbpf: number; ratio: number } {
  const nk = batchSize(kernel), nt = batchSize(tsbpf);
  const k: number[] = [], t: number[] = [], ratio: number[] = [];
  for (let total = 0; total < 2 * MIN_NS || ratio.length < 9; ) {
    const tk = timeBatch(kernel, nk), tt = timeBatch(tsbpf, nt);
    total += tk + tt;
    k.push(tk / nk);
    t.push(tt / nt);
    ratio.push(tt / nt / (tk / nk));
  }
  return { kernel: median(k), tsbpf: median(t), ratio: median(ratio) };
}

function here(): string {
  return fileURLToPath(new URL('.', import.meta.url));
}

function benchDir(): string {
  for (const d of [join(here(), 'jit'), join(here(), '..', '..', 'bench', 'jit')]) if (existsSync(join(d, 'progs.c'))) return d;
  fail(`cannot find bench/jit/progs.c from ${here()}`);
}

function programsDir(): string {
  for (const d of [join(here(), 'programs'), join(here(), '..', '..', 'bench', 'programs')]) if (existsSync(d)) return d;
  fail(`cannot find bench/programs from ${here()}`);
}

/**
 * programs/compute.s as an XDP program (in assembly: clang's loop is 23 instructions a round, too
 * many for the kernel's verifier, which walks all 50,000 rounds within its 1,000,000-instruction
 * limit): r0's halves folded before the exit, as an XDP program returns 32 bits.
 */
function computeXdp(): string {
  const text = readFileSync(join(programsDir(), 'compute.s'), 'utf8');
  const at = text.lastIndexOf('exit');
  if (at < 0 || text.indexOf('exit') !== at) fail('programs/compute.s should end in its one exit');
  return `; section: xdp\n; license: GPL\n${text.slice(0, at)}r1 = r0\n\tr1 >>= 32\n\tr0 ^= r1\n\t${text.slice(at)}`;
}

function objects(): ObjectSpec[] {
  const dir = benchDir();
  const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-bench-'));
  try {
    const out = join(tmp, 'progs.o');
    execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', '-I/usr/include/x86_64-linux-gnu', '-c', join(dir, 'progs.c'), '-o', out]);
    return [
      loadObjectSpec(readFileSync(out), { file: 'progs.o', noSystemBtf: true }),
      asmObjectSpec(computeXdp(), { file: 'compute.s' }),
    ];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

const VERIFIED = ['fnv1a', 'compute', 'parse', 'empty', 'hashmap', 'hashmap_vary', 'tail_entry'];
const WHAT: Record<string, string> = {
  fnv1a: 'FNV-1a 64 over 1,500 bytes', compute: '50,000-round compute loop', parse: 'Eth/IPv4/TCP parse',
  empty: 'empty program', hashmap: '4 hash-map lookups/updates', hashmap_vary: 'the same, keys new every run', tail_entry: 'tail-call chain (5 programs)',
};

/** `ratio`: JIT/kernel measured pair by pair (timePair), else the ratio of the two medians. */
interface Row { name: string; what: string; kernel?: number; jit: number; interp: number; ratio?: number; native?: number }

function vmFor(specs: ObjectSpec[], engine: Engine): { vm: Vm; progs: Map<string, VmProgram>; verified: boolean } {
  let verified = true;
  const mk = (verify: boolean): { vm: Vm; progs: Map<string, VmProgram> } => {
    const o: VmOptions & { verify?: boolean } = { helpers: kernelHelpers(), nCpus: 2, engine, verify };
    const vm = new Vm(o);
    const progs = new Map<string, VmProgram>();
    for (const s of specs) for (const [n, p] of loadObjectIntoVm(vm, s).programs) progs.set(n, p);
    return { vm, progs };
  };
  try {
    return { ...mk(true), verified };
  } catch (e) {
    verified = false;
    console.log(`note: tsbpf's verifier refuses a bench program (${(e as Error).message.split('\n')[0]}); the VM runs them unverified`);
    return { ...mk(false), verified };
  }
}

interface KernelProg {
  testRun(o: { dataIn: Uint8Array; repeat?: number }): { retval: number; durationNs: number; dataOut?: Uint8Array };
}

function verifiedPath(): Row[] {
  const specs = objects();
  const frame = makeFrame();
  const interp = vmFor(specs, 'interp');
  const jit = vmFor(specs, 'jit');
  const kernel = new Map<string, KernelProg>();
  const closers: (() => void)[] = [];
  if (kernelModule !== undefined) {
    for (const s of specs) {
      const k = kernelModule.loadObjectIntoKernel(s);
      closers.push(() => k.close());
      for (const [n, p] of k.programs) kernel.set(n, p);
    }
  }
  const hex = (b?: Uint8Array): string => Buffer.from(b ?? []).toString('hex');
  const rows: Row[] = [];
  try {
    for (const name of VERIFIED) {
      const pi = interp.progs.get(name)!, pj = jit.progs.get(name)!;
      const j = jitOf(pj.prepared);
      if (typeof j === 'string') fail(`${name}: not compiled: ${j}`);
      const ri = testRun(interp.vm, pi, { dataIn: frame });
      const rj = testRun(jit.vm, pj, { dataIn: frame });
      if (ri.retval !== rj.retval || hex(ri.dataOut) !== hex(rj.dataOut)) fail(`${name}: interpreter ${ri.retval}, JIT ${rj.retval}`);
      const kp = kernel.get(name);
      if (kp) {
        const rk = kp.testRun({ dataIn: frame });
        if (rk.retval !== rj.retval || hex(rk.dataOut) !== hex(rj.dataOut)) fail(`${name}: kernel ${rk.retval} ${hex(rk.dataOut).slice(0, 16)}, JIT ${rj.retval} ${hex(rj.dataOut).slice(0, 16)}`);
      }
      // What `tsbpf prog run ... --repeat n` does; its duration_ns is wall time, so CPU time is taken here.
      const vmTime = (vm: Vm, p: VmProgram) => (n: number): undefined => { testRun(vm, p, { dataIn: frame, repeat: n }); return undefined; };
      const row: Row = { name, what: WHAT[name]!, jit: 0, interp: timeIt(vmTime(interp.vm, pi)) };
      if (kp) {
        const pair = timePair((n) => kp.testRun({ dataIn: frame, repeat: n }).durationNs * n, vmTime(jit.vm, pj));
        Object.assign(row, { kernel: pair.kernel, jit: pair.tsbpf, ratio: pair.ratio });
      } else row.jit = timeIt(vmTime(jit.vm, pj));
      if (name === 'fnv1a') {
        const floor = nativeFnv(frame, rj.retval);
        if (floor !== undefined) row.native = floor;
      }
      rows.push(row);
    }
  } finally {
    for (const c of closers) c();
  }
  return rows;
}

/**
 * FNV-1a over the same frame in native code (jit/fnv-native.c, the host's C compiler at -O2), the
 * floor no JIT passes: each byte's xor and multiply wait for the byte before's. Undefined (with
 * the reason printed) without a C compiler.
 */
function nativeFnv(frame: Uint8Array, expect: number): number | undefined {
  const cc = ['cc', 'gcc', 'clang'].find((c) => spawnSync(c, ['--version']).status === 0);
  if (cc === undefined) {
    console.log('note: no C compiler (cc, gcc, clang): no native FNV-1a floor');
    return undefined;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-bench-'));
  try {
    const exe = join(tmp, 'fnv-native'), input = join(tmp, 'frame.bin');
    execFileSync(cc, ['-O2', '-o', exe, join(benchDir(), 'fnv-native.c')]);
    writeFileSync(input, frame);
    const once = (runs: number): { ns_per_run: number; retval: number } => JSON.parse(execFileSync(exe, [input, String(runs)], { encoding: 'utf8' })) as { ns_per_run: number; retval: number };
    const first = once(1000);
    if (first.retval !== expect) fail(`native FNV-1a gives ${first.retval}, the programs ${expect}`);
    const runs = Math.max(1000, Math.round(BATCH_NS / Math.max(first.ns_per_run, 1)));
    const per: number[] = [];
    for (let total = 0; total < MIN_NS || per.length < 5; ) {
      const ns = once(runs).ns_per_run;
      per.push(ns);
      total += ns * runs;
    }
    per.sort((a, b) => a - b);
    return per[per.length >> 1];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The call into a compiled empty program alone: what a run costs with no run set up around it. */
function invocationNs(): number {
  const j = jitOf(prepare(assemble('r0 = 0\nexit\n')));
  if (typeof j === 'string') fail(j);
  const memory = linearMemory(64);
  const noop = (): void => undefined;
  const table = runtimeTable({ map: noop, fail: noop, ldpkt: () => 0n, enter: () => -1, helper0: noop, helper1: noop, helper2: noop, helper3: noop, helper4: noop, helper5: noop, lookup: noop, loop: () => 0, each: () => 0 });
  const inst = new WebAssembly.Instance(j.module, { env: { memory, table } });
  const run = inst.exports.run as (runs: number) => number;
  new DataView(memory.buffer).setUint32(CTRL + C_LEFT, 1e9, true);
  return timeIt((n) => { for (let i = 0; i < n; i++) run(1); return undefined; });
}

let kernelModule: { loadObjectIntoKernel: (s: ObjectSpec) => { programs: Map<string, KernelProg>; close(): void } } | undefined;

function rawPath(): Row[] {
  const dir = programsDir();
  const cases: { name: string; what: string; text: string; mem: Uint8Array }[] = [
    { name: 'fnv1a.s', what: 'FNV-1a 64 over 1,500 bytes', text: readFileSync(join(dir, 'fnv1a.s'), 'utf8'), mem: makeHashInput() },
    { name: 'compute.s', what: '50,000-round compute loop', text: readFileSync(join(dir, 'compute.s'), 'utf8'), mem: new Uint8Array(0) },
    { name: 'parse.s', what: 'Eth/IPv4/TCP parse', text: readFileSync(join(dir, 'parse.s'), 'utf8'), mem: makeFrame() },
    { name: 'empty', what: 'empty program', text: 'r0 = 0\nexit\n', mem: new Uint8Array(0) },
  ];
  const rows: Row[] = [];
  for (const c of cases) {
    const prog = prepare(assemble(c.text), { file: c.name });
    const a = execute(prog, { mem: c.mem.slice(), budget: 10_000_000 });
    const b = executeJit(prog, { mem: c.mem.slice(), budget: 10_000_000 });
    if (a.r0 !== b.r0 || a.insns !== b.insns) fail(`${c.name}: interpreter ${a.r0}/${a.insns}, JIT ${b.r0}/${b.insns}`);
    // As `tsbpf run --repeat N` runs them.
    const loop = (engine: Engine) => (n: number): undefined => {
      runRepeated(prog, c.mem, engine, n, 10_000_000);
      return undefined;
    };
    rows.push({ name: c.name, what: c.what, jit: timeIt(loop('jit')), interp: timeIt(loop('interp')) });
  }
  return rows;
}

const f = (ns: number | undefined): string => (ns === undefined ? '-' : ns >= 10000 ? `${(ns / 1000).toFixed(1)} µs` : `${ns.toFixed(ns < 100 ? 1 : 0)} ns`);

function table(title: string, rows: Row[], kernel: boolean): void {
  console.log(`\n${title}`);
  const head = ['program', 'what', ...(kernel ? ['kernel JIT'] : []), 'tsbpf JIT', 'interpreter', ...(kernel ? ['JIT/kernel'] : []), 'interp/JIT'];
  const body = rows.map((r) => [r.name, r.what, ...(kernel ? [f(r.kernel)] : []), f(r.jit), f(r.interp),
    ...(kernel ? [r.kernel ? `${(r.ratio ?? r.jit / r.kernel).toFixed(2)}x` : '-'] : []), `${(r.interp / r.jit).toFixed(1)}x`]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join(' | ') + ' |';
  console.log(line(head));
  console.log('|' + w.map((n, i) => (i < 2 ? '-'.repeat(n + 2) : '-'.repeat(n + 1) + ':')).join('|') + '|');
  for (const b of body) console.log(line(b));
  for (const r of rows) {
    const native = r.native;
    if (native === undefined) continue;
    const times = (ns: number | undefined): string => (ns === undefined ? '-' : `${(ns / native).toFixed(2)}x`);
    console.log(`${r.name} in native C (jit/fnv-native.c, cc -O2, the same frame, CPU time): ${f(native)}; tsbpf JIT ${times(r.jit)} of it, kernel JIT ${times(r.kernel)}`);
  }
}

/**
 * Compile time of generated programs, ns per 1,000 instructions: the first compiles (the compiler's
 * own JavaScript still cold, as in a short-lived process) and then a second set of programs with the
 * compiler warm; code generation and V8's part separately.
 */
interface CompileTimes {
  insns: number; coldPerK: number; perK: number; codegenPerK: number;
  bigInsns: number; bigPerK: number; bigCodegenPerK: number; fixedUs: number; fixedCodegenUs: number;
  fnvNs: number; computeNs: number;
}

function compileTimes(): CompileTimes {
  const set = (base: number, n = QUICK ? 60 : 200, size = (i: number): number => 120 + (i % 5) * 60): { progs: PreparedProgram[]; insns: number } => {
    const progs: PreparedProgram[] = [];
    let insns = 0;
    for (let i = 0; i < n; i++) {
      const p = prepare(generateProgram(base + i, { size: size(i) }).insns);
      progs.push(p);
      insns += p.slots;
    }
    return { progs, insns };
  };
  // CPU time of the whole set (all threads: V8 may compile on helpers), split between code
  // generation and V8 as the wall-clock parts of each compile split.
  const measure = (progs: PreparedProgram[]): { total: number; codegen: number } => {
    let wall = 0, codegen = 0;
    const c0 = process.cpuUsage();
    for (const p of progs) {
      const r = compile(p);
      if (!r.ok) fail(`a generated program is not compiled: ${r.reason}`);
      wall += r.jit.compileNs;
      codegen += r.jit.codegenNs;
    }
    const c = process.cpuUsage(c0);
    const total = (c.user + c.system) * 1000;
    return { total, codegen: (total * codegen) / wall };
  };
  // V8 keeps compiled modules by their bytes: every set is distinct programs, so none is a cache hit.
  const cold = set(0xc0ffee);
  const c = measure(cold.progs);
  for (let k = 1; k <= 3; k++) measure(set(0xc0ffee + k * 0x10000).progs);
  // Warm: the median of five sets (a set's time moves with the collector's work in it).
  const sets = [0, 1, 2, 3, 4].map((k) => set(0xbeef00 + k * 0x10000));
  const per = sets.map((x) => ({ insns: x.insns, ...measure(x.progs) })).sort((a, b) => a.total / a.insns - b.total / b.insns);
  const w = per[2]!;
  const warm = { insns: w.insns };
  // Large programs (2,000-3,500 instructions): the cost per instruction without the fixed cost of a
  // module; and that fixed cost alone, from two-instruction programs.
  const big = set(0xb16000, QUICK ? 8 : 24, () => 2000);
  const b = measure(big.progs);
  const tiny = Array.from({ length: QUICK ? 300 : 1000 }, (_, i) => prepare(assemble(`r0 = ${i + 7}\nexit\n`)));
  const t = measure(tiny);
  const dir = programsDir();
  const fnv = prepare(assemble(readFileSync(join(dir, 'fnv1a.s'), 'utf8')));
  const cmp = prepare(assemble(readFileSync(join(dir, 'compute.s'), 'utf8')));
  const input = makeHashInput();
  return {
    insns: warm.insns,
    coldPerK: (c.total / cold.insns) * 1000,
    perK: (w.total / warm.insns) * 1000,
    codegenPerK: (w.codegen / warm.insns) * 1000,
    bigInsns: big.insns / big.progs.length,
    bigPerK: (b.total / big.insns) * 1000,
    bigCodegenPerK: (b.codegen / big.insns) * 1000,
    fixedUs: t.total / tiny.length / 1000,
    fixedCodegenUs: t.codegen / tiny.length / 1000,
    fnvNs: timeIt((n) => { for (let i = 0; i < n; i++) executeJit(fnv, { mem: input }); return undefined; }),
    computeNs: timeIt((n) => { for (let i = 0; i < n; i++) executeJit(cmp, {}); return undefined; }),
  };
}

async function many(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) fail('--child many needs --expose-gc');
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 6; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); }
  };
  let freed = 0;
  const registry = new FinalizationRegistry<number>(() => { freed++; });
  const mb = (): string => {
    const m = process.memoryUsage();
    return `rss ${(m.rss / 2 ** 20).toFixed(0)} MB, heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MB, external ${(m.external / 2 ** 20).toFixed(0)} MB`;
  };
  const o: VmOptions & { verify?: boolean } = { helpers: kernelHelpers(), engine: 'jit', verify: false };
  const vm = new Vm(o);
  await settle();
  const lines: string[] = [`before: ${mb()}`];
  for (let round = 0; round < Number(process.env.ROUNDS ?? 3); round++) {
    const ids: number[] = [];
    const t0 = Date.now();
    for (let i = 0; i < 1000; i++) {
      const seed = 0x1000 + round * 1000 + i;
      const p = vm.loadProgram({ name: `p${i}`, type: 'xdp', insns: generateProgram(seed).insns });
      testRun(vm, p, { dataIn: randomFrame(rng(seed)) });
      const j = jitOf(p.prepared);
      if (typeof j === 'string') fail(`program ${seed} not compiled: ${j}`);
      registry.register(j, i);
      ids.push(p.id);
    }
    const ms = Date.now() - t0;
    await settle();
    lines.push(`round ${round + 1}: 1,000 programs loaded, compiled and run in ${ms} ms: ${mb()}`);
    for (const id of ids) vm.unloadProgram(id);
    await settle();
    lines.push(`round ${round + 1}: unloaded: ${mb()}, compiled programs collected so far: ${freed} of ${(round + 1) * 1000}`);
  }
  console.log(JSON.stringify(lines));
}

/**
 * The two commands the issue names, run as a user runs them (wall-clock numbers, process start-up
 * excluded): `tsbpf prog run OBJ --prog fnv1a ... --engine jit --json` and `tsbpf run X.bin
 * --engine jit --repeat N --json`, each beside --engine interp.
 */
function cliCheck(): void {
  const bin = [join(here(), '..', '..', 'bin', 'tsbpf.js'), join(here(), '..', 'bin', 'tsbpf.js')].find((b) => existsSync(b));
  if (bin === undefined) return;
  const tmp = mkdtempSync(join(tmpdir(), 'tsbpf-bench-cli-'));
  try {
    const obj = join(tmp, 'progs.o'), frame = join(tmp, 'frame.bin'), raw = join(tmp, 'fnv1a.bin'), input = join(tmp, 'input.bin');
    execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', '-I/usr/include/x86_64-linux-gnu', '-c', join(benchDir(), 'progs.c'), '-o', obj]);
    writeFileSync(frame, makeFrame());
    writeFileSync(raw, encode(assemble(readFileSync(join(programsDir(), 'fnv1a.s'), 'utf8'))));
    writeFileSync(input, makeHashInput());
    console.log('\nThe commands themselves (wall clock, one process each, after its start-up):');
    for (const engine of ['jit', 'interp']) {
      const a = JSON.parse(execFileSync(process.execPath, [bin, 'prog', 'run', obj, '--prog', 'fnv1a', '--data-in', frame, '--repeat', '20000', '--engine', engine, '--json'], { encoding: 'utf8' })) as { retval: string; duration_ns: number };
      const b = JSON.parse(execFileSync(process.execPath, [bin, 'run', raw, '--mem-file', input, '--engine', engine, '--repeat', '20000', '--json'], { encoding: 'utf8' })) as { retval: string; ns_per_run: number };
      console.log(`  --engine ${engine.padEnd(6)} prog run progs.o --prog fnv1a: retval ${a.retval}, duration_ns ${a.duration_ns};  run fnv1a.bin: retval ${b.retval}, ns_per_run ${Math.round(b.ns_per_run)}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (CHILD === 'tiers') {
    console.log(JSON.stringify(compileTimes()));
    return;
  }
  if (CHILD === 'many') return many();
  const ka = kernelAvailable();
  if (ka.ok) kernelModule = await import('../src/kernel/load-object.js');
  else console.log(`note: no kernel comparison: ${ka.reason}`);
  console.log(`bench/jit: Node ${process.version}, ${QUICK ? 'quick' : 'full'} timing; medians of ~20 ms batches (the kernel and the tsbpf JIT in alternating batches, JIT/kernel the median of their ratios); tsbpf in CPU time, the kernel by its test-run timer`);
  const verified = verifiedPath();
  table('Verified path: XDP programs on a 1,500-byte frame, BPF_PROG_TEST_RUN with repeat (duration per run)', verified, ka.ok);
  table('Raw path: tsbpf run X --engine E --repeat N (ns_per_run; bounds checks kept)', rawPath(), false);
  console.log(`Invocation of a compiled empty program alone (the module's run(), no run set up): ${f(invocationNs())}`);

  console.log('\nCompile time (generated programs of 150-400 insns; CPU time of codegen + new WebAssembly.Module):');
  const self = fileURLToPath(import.meta.url);
  // Node 20's V8 compiles wasm lazily by default (each function on its first call, with Liftoff, then
  // TurboFan when hot): the default row is module creation only; the two eager rows compile every
  // function with one tier up front, which is what a program's first run costs at most.
  for (const [label, flags] of [
    ['default (lazy: codegen + validation)', []],
    ['eager baseline (Liftoff)', ['--no-wasm-lazy-compilation', '--liftoff-only']],
    ['eager optimising (TurboFan)', ['--no-wasm-lazy-compilation', '--no-liftoff']],
  ] as const) {
    const r = spawnSync(process.execPath, [...flags, self, '--child', 'tiers', ...(QUICK ? ['--quick'] : [])], { encoding: 'utf8' });
    if (r.status !== 0) { console.log(`  ${label}: failed: ${r.stderr.slice(0, 200)}`); continue; }
    const t = JSON.parse(r.stdout.trim().split('\n').pop()!) as CompileTimes;
    const ms = (ns: number): string => (ns / 1e6).toFixed(3);
    console.log(`  ${label.padEnd(38)} ${ms(t.perK)} ms per 1,000 insns warm (codegen ${ms(t.codegenPerK)}, V8 ${ms(t.perK - t.codegenPerK)}), ${ms(t.coldPerK)} cold;`);
    console.log(`  ${''.padEnd(38)} ${ms(t.bigPerK)} ms per 1,000 insns in ${Math.round(t.bigInsns)}-insn programs (codegen ${ms(t.bigCodegenPerK)}); a module's fixed cost ${t.fixedUs.toFixed(0)} µs (codegen ${t.fixedCodegenUs.toFixed(0)} µs); then fnv1a.s ${f(t.fnvNs)}, compute.s ${f(t.computeNs)}`);
  }
  cliCheck();
  console.log('\nMany programs (1,000 distinct generated programs a round, compiled, run once, unloaded; --expose-gc):');
  const r = spawnSync(process.execPath, ['--expose-gc', self, '--child', 'many'], { encoding: 'utf8' });
  if (r.status !== 0) console.log(`  failed: ${r.stderr.slice(0, 300)}`);
  else for (const l of JSON.parse(r.stdout.trim().split('\n').pop()!) as string[]) console.log(`  ${l}`);
}

await main();
