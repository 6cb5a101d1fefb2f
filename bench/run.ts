/**
 * `npm run bench`: interpreter speed on three programs (bench/programs/*.s), each beside the same
 * algorithm written directly in JavaScript (bench/js-baselines.ts), and beside a second interpreter
 * with BigInt registers (bench/bigint-interp.ts) so the two register representations are measured
 * in the same run. Every engine's result is checked against the others before anything is timed.
 *
 * Options: `--quick` (shorter timing, for a smoke test), `--only NAME` (one program).
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { assemble } from '../src/isa/asm.js';
import { prepare, execute, type PreparedProgram } from '../src/vm/interpreter.js';
import type { RunResult } from '../src/vm/api.js';
import { executeBigInt } from './bigint-interp.js';
import {
  COMPUTE_ROUNDS, computeJs, computeJsBigInt, fnv1aJs, fnv1aJsBigInt, parseJs, makeFrame, makeHashInput,
} from './js-baselines.js';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
/** Minimum timed duration per engine and program, after warm-up. */
const MIN_NS = QUICK ? 0.1e9 : 0.5e9;
const WARMUP_NS = QUICK ? 0.05e9 : 0.2e9;
const BUDGET = 10_000_000;
const REPEATS = 5;

/** The programs directory, whether this runs as dist/bench/run.js or from bench/ directly. */
function programsDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const d of [join(here, 'programs'), join(here, '..', '..', 'bench', 'programs')]) if (existsSync(d)) return d;
  throw new Error(`bench: cannot find bench/programs from ${here}`);
}

interface Bench {
  name: string;
  file: string;
  what: string;
  input: Uint8Array;
  /** The same algorithm in JavaScript: the fast version and the BigInt one. */
  js: () => bigint;
  jsBigInt?: () => bigint;
  /**
   * Runs the JS versions on a small input, so that V8 has type feedback for all of their code
   * before the first long run is compiled in the middle of its loop (on-stack replacement). Without
   * it V8 may go on entering the slower OSR code of that first run, and the timing is bimodal.
   */
  warmJs?: () => void;
  /** Extra inputs on which the program and the JS version must agree (not timed). */
  checks?: Uint8Array[];
  jsOn?: (input: Uint8Array) => bigint;
}

const hashInput = makeHashInput();
const frame = makeFrame();

const BENCHES: Bench[] = [
  {
    name: 'compute', file: 'compute.s', what: `${COMPUTE_ROUNDS} rounds LCG + xorshift mix + mod`,
    input: new Uint8Array(0), js: () => computeJs(), jsBigInt: () => computeJsBigInt(),
    warmJs: () => { computeJs(8); computeJsBigInt(8); },
  },
  {
    name: 'fnv1a', file: 'fnv1a.s', what: `FNV-1a 64 over ${hashInput.length} bytes`,
    input: hashInput, js: () => fnv1aJs(hashInput), jsBigInt: () => fnv1aJsBigInt(hashInput),
    warmJs: () => { fnv1aJs(hashInput.subarray(0, 8)); fnv1aJsBigInt(hashInput.subarray(0, 8)); },
    checks: [new Uint8Array(0), new Uint8Array([0x61]), makeHashInput(77)], jsOn: (b) => fnv1aJs(b),
  },
  {
    name: 'parse', file: 'parse.s', what: `Ethernet/IPv4/TCP parse of a ${frame.length}-byte frame`,
    input: frame, js: () => BigInt(parseJs(frame)),
    checks: [
      makeFrame({ size: 60, dstPort: 80, flags: 0x02 }), makeFrame({ ethertype: 0x86dd }), makeFrame({ protocol: 17 }),
      makeFrame({ ihl: 4 }), makeFrame({ ihl: 7, dstPort: 22 }), makeFrame({ fragOff: 0x2000 }), makeFrame({ fragOff: 0x0010 }),
      makeFrame({ dataOffset: 4 }), makeFrame({ dataOffset: 15, totalLength: 60 }), makeFrame({ totalLength: 2000 }),
      makeFrame({ size: 33 }), makeFrame({ size: 53 }), new Uint8Array(0),
    ],
    jsOn: (b) => BigInt(parseJs(b)),
  },
];

let sink: unknown;

/** Median ns per call of `fn`, timed in batches for at least MIN_NS after a warm-up. */
function measure(fn: () => unknown): number {
  const now = process.hrtime.bigint;
  // Warm up, and find a batch size that takes about 20 ms.
  let batch = 1;
  const warmEnd = now() + BigInt(WARMUP_NS);
  for (;;) {
    const t0 = now();
    for (let i = 0; i < batch; i++) sink = fn();
    const dt = Number(now() - t0);
    if (now() >= warmEnd && dt >= 10e6) break;
    if (dt < 20e6) batch *= 2;
  }
  const samples: number[] = [];
  let total = 0;
  while (total < MIN_NS || samples.length < 5) {
    const t0 = now();
    for (let i = 0; i < batch; i++) sink = fn();
    const dt = Number(now() - t0);
    total += dt;
    samples.push(dt / batch);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

function fail(msg: string): never {
  console.error(`bench: FAILED: ${msg}`);
  process.exit(1);
}

/** Run `fn` REPEATS times; every run must return the same r0, instruction count and memory. */
function repeat(name: string, engine: string, fn: () => RunResult): RunResult {
  const first = fn();
  for (let i = 1; i < REPEATS; i++) {
    const r = fn();
    if (r.r0 !== first.r0 || r.insns !== first.insns || !sameBytes(r.mem, first.mem)) {
      fail(`${name}: ${engine} run ${i + 1} returned ${hex(r.r0)} after ${r.insns} instructions, run 1 ${hex(first.r0)} after ${first.insns}`);
    }
  }
  return first;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

interface Row {
  name: string;
  insns: number;
  interpNs: number;
  bigNs: number;
  jsNs: number;
  jsBigNs?: number;
}

function runBench(b: Bench): Row {
  const dir = programsDir();
  const insns = assemble(readFileSync(join(dir, b.file), 'utf8'), b.file);
  const prog: PreparedProgram = prepare(insns, { file: b.file });
  const opts = { mem: b.input, budget: BUDGET };

  // Correctness first: interpreter, BigInt interpreter and JS must agree, or nothing is timed. Each
  // engine runs a few times in a row and must give the same result every time (runs reuse pooled
  // state). Running each back to back also lets V8 optimize it with complete type feedback before
  // the next one runs; otherwise V8 may keep entering a long loop through the code it compiled in
  // the middle of the first run (on-stack replacement), ~20% slower, and timings turn bimodal.
  const ref = repeat(b.name, 'interpreter', () => execute(prog, opts));
  const big = repeat(b.name, 'BigInt interpreter', () => executeBigInt(prog, opts));
  for (let i = 0; i < 100; i++) b.warmJs?.();
  const want = b.js();
  for (let i = 1; i < REPEATS; i++) if (b.js() !== want) fail(`${b.name}: the JavaScript version is not deterministic`);
  if (ref.r0 !== want) fail(`${b.name}: interpreter returned ${hex(ref.r0)}, the JavaScript version ${hex(want)}`);
  if (big.r0 !== want) fail(`${b.name}: BigInt interpreter returned ${hex(big.r0)}, the JavaScript version ${hex(want)}`);
  if (big.insns !== ref.insns) fail(`${b.name}: BigInt interpreter counted ${big.insns} instructions, the interpreter ${ref.insns}`);
  if (b.jsBigInt && b.jsBigInt() !== want) fail(`${b.name}: the BigInt JavaScript version returned ${hex(b.jsBigInt())}, not ${hex(want)}`);
  for (const [i, input] of (b.checks ?? []).entries()) {
    const got = execute(prog, { mem: input, budget: BUDGET }).r0;
    const exp = b.jsOn!(input);
    if (got !== exp) fail(`${b.name}: extra input #${i} (${input.length} bytes): interpreter ${hex(got)}, JavaScript ${hex(exp)}`);
    const gotBig = executeBigInt(prog, { mem: input, budget: BUDGET }).r0;
    if (gotBig !== exp) fail(`${b.name}: extra input #${i}: BigInt interpreter ${hex(gotBig)}, JavaScript ${hex(exp)}`);
  }

  const interpNs = measure(() => execute(prog, opts));
  const bigNs = measure(() => executeBigInt(prog, opts));
  const jsNs = measure(b.js);
  const jsBigNs = b.jsBigInt ? measure(b.jsBigInt) : undefined;
  return { name: b.name, insns: ref.insns, interpNs, bigNs, jsNs, jsBigNs };
}

const mips = (insns: number, ns: number): number => (insns / ns) * 1e3;
const pad = (s: string, n: number): string => s.padStart(n);
const fmt = (v: number, digits = 1): string => v.toFixed(digits);

function main(): void {
  const t0 = process.hrtime.bigint();
  console.log(`tsbpf benchmark: Node ${process.version}, ${process.arch}${QUICK ? ' (quick)' : ''}`);
  for (const b of BENCHES) if (!ONLY || b.name === ONLY) console.log(`  ${b.name.padEnd(8)} ${b.what}`);
  console.log('');
  if (ONLY && !BENCHES.some((b) => b.name === ONLY)) fail(`--only: no program '${ONLY}' (${BENCHES.map((b) => b.name).join(', ')})`);
  const rows: Row[] = [];
  for (const b of BENCHES) if (!ONLY || b.name === ONLY) rows.push(runBench(b));

  const head = ['program', 'insns/run', 'interp M/s', 'interp ns/run', 'BigInt-interp M/s', 'JS ns/run', 'interp/JS'];
  const widths = [8, 10, 11, 14, 18, 11, 10];
  console.log(head.map((h, i) => (i === 0 ? h.padEnd(widths[i]!) : pad(h, widths[i]!))).join(' '));
  for (const r of rows) {
    console.log([
      r.name.padEnd(widths[0]!),
      pad(String(r.insns), widths[1]!),
      pad(fmt(mips(r.insns, r.interpNs)), widths[2]!),
      pad(fmt(r.interpNs, 0), widths[3]!),
      pad(fmt(mips(r.insns, r.bigNs)), widths[4]!),
      pad(fmt(r.jsNs, 0), widths[5]!),
      pad(fmt(r.interpNs / r.jsNs) + 'x', widths[6]!),
    ].join(' '));
  }
  console.log('interp: src/vm/interpreter.ts (registers as pairs of 32-bit halves); BigInt-interp: bench/bigint-interp.ts;');
  console.log('JS: the same algorithm in plain JavaScript (bench/js-baselines.ts); interp/JS: how many times longer the interpreter takes.');
  for (const r of rows) {
    if (r.jsBigNs !== undefined) {
      console.log(`  ${r.name}: the JS version with BigInt instead of 32-bit halves takes ${fmt(r.jsBigNs, 0)} ns/run (${fmt(r.jsBigNs / r.jsNs)}x the halves version; the interpreter takes ${fmt(r.interpNs / r.jsBigNs, 2)}x as long as it).`);
    }
  }
  const compute = rows.find((r) => r.name === 'compute');
  if (compute) {
    const m = mips(compute.insns, compute.interpNs);
    console.log(`Target: compute loop >= 100 M insns/s: ${fmt(m)} M insns/s, ${m >= 100 ? 'met' : 'NOT met'} (uBPF's interpreter, in C: about 230-320 M).`);
  }
  const speedups = rows.map((r) => r.bigNs / r.interpNs);
  const geo = Math.exp(speedups.reduce((a, s) => a + Math.log(s), 0) / speedups.length);
  const per = rows.map((r, i) => `${r.name} ${fmt(speedups[i]!)}x`).join(', ');
  const [winner, loser] = geo >= 1
    ? ['pairs of 32-bit halves (Int32Array)', 'BigInt (BigUint64Array)']
    : ['BigInt (BigUint64Array)', 'pairs of 32-bit halves (Int32Array)'];
  console.log(`Register representation: ${winner} won over ${loser}, ${fmt(geo >= 1 ? geo : 1 / geo)}x faster (geometric mean of BigInt time / halves time: ${per}).`);
  console.log(`(bench took ${fmt(Number(process.hrtime.bigint() - t0) / 1e9)} s)`);
  if (sink === Symbol.for('never')) console.log(sink);
}

main();
