/**
 * The JIT against the interpreter on random verified programs that use maps: lookups (answered by
 * the compiled code's lookup cache when they repeat), updates and deletes that must end what the
 * cache and the kept map values hold, map values and global data read and written without a check,
 * keys from a packet the program itself rewrites, and user-space writes between executions. Each
 * program runs on both engines, in VMs of their own, through several executions with repeat; the
 * retval, data_out and every map's contents after each must be the same. A third of the programs
 * do some of their operations in a bpf_loop or bpf_for_each_map_elem callback, which the compiled
 * code runs itself, half of those callbacks some in a function they call.
 *
 * CI=true uses a fixed seed; otherwise a new one each run (printed). TSBPF_JIT_MAPS_SEED and
 * TSBPF_JIT_MAPS_COUNT override.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../src/isa/asm.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { testRun } from '../src/progtypes/test-run.js';
import { Vm, type VmMap, type VmOptions } from '../src/vm/runtime.js';
import { interpreterHandOvers, jitOf } from '../src/jit/index.js';
import type { MapSpec } from '../src/maps/types.js';
import { rng, type Rng } from './support/rng.js';
import { shrinkLines } from './support/shrink-lines.js';

const envSeed = process.env.TSBPF_JIT_MAPS_SEED;
const SEED = envSeed !== undefined && envSeed !== '' ? Number(envSeed) >>> 0
  : process.env.CI === 'true' ? 20261130 : (Date.now() ^ (process.pid << 8)) >>> 0;
const COUNT = Number(process.env.TSBPF_JIT_MAPS_COUNT ?? 400);

/** The program's maps, by index: what `map[idx:N]` names. Values are 16 bytes. */
const MAPS: readonly Omit<MapSpec, 'flags'>[] = [
  { name: 'h', type: 'hash', keySize: 4, valueSize: 16, maxEntries: 4 },
  { name: 'a', type: 'array', keySize: 4, valueSize: 16, maxEntries: 4 },
  { name: 'p', type: 'percpu_hash', keySize: 4, valueSize: 16, maxEntries: 4 },
  { name: 'l', type: 'lru_hash', keySize: 4, valueSize: 16, maxEntries: 3 },
  { name: 'g', type: 'array', keySize: 4, valueSize: 16, maxEntries: 1 },
  { name: 'jt', type: 'prog_array', keySize: 4, valueSize: 4, maxEntries: 4 },
] as const;
const KEYED = 4;
const GLOBAL = 4;
const JUMPS = 5;

/**
 * Random map operations into `out`. In the program: r9 the packet (16 bytes checked), r8 the
 * global data, r7 an accumulator, r6 a map value held across helper calls. In a bpf_loop callback
 * the same, but keys come from the index (r9) and what would go to the packet goes to the
 * caller's stack through the callback's ctx (spilled at r10 - 40).
 */
function mapOps(r: Rng, out: string[], inCallback: boolean, labels: { n: number }): void {
  const key = (): void => {
    // A constant key (5 is past the array's end), or one from a packet byte or the index.
    if (r.int(3) === 0) out.push(inCallback ? 'r1 = r9' : `r1 = *(u8 *)(r9 + ${r.int(16)})`, 'r1 &= 7', '*(u32 *)(r10 - 4) = r1');
    else out.push(`*(u32 *)(r10 - 4) = ${r.int(6)}`);
  };
  const ops = 2 + r.int(inCallback ? 5 : 9);
  for (let i = 0; i < ops; i++) {
    const m = r.int(KEYED);
    switch (r.int(8)) {
      case 0: case 1: case 2: {
        const skip = `skip${labels.n++}`;
        key();
        out.push(`r1 = map[idx:${m}] ll`, 'r2 = r10', 'r2 += -4', 'call 1', `if r0 == 0 goto ${skip}`,
          `r1 = *(u64 *)(r0 + ${8 * r.int(2)})`, 'r7 += r1', `r1 += ${1 + r.int(5)}`, `*(u64 *)(r0 + ${8 * r.int(2)}) = r1`);
        if (r.int(3) === 0) out.push('*(u32 *)(r0 + 4) = r7');
        out.push(`${skip}:`);
        break;
      }
      case 3:
        key();
        out.push('*(u64 *)(r10 - 24) = r7', `*(u64 *)(r10 - 16) = ${r.int(100)}`,
          `r1 = map[idx:${m}] ll`, 'r2 = r10', 'r2 += -4', 'r3 = r10', 'r3 += -24', `r4 = ${r.int(3)}`, 'call 2', 'r7 += r0');
        break;
      case 4:
        key();
        out.push(`r1 = map[idx:${m}] ll`, 'r2 = r10', 'r2 += -4', 'call 3', 'r7 += r0');
        break;
      case 5: {
        const o = 8 * r.int(2);
        out.push(`r1 = *(u64 *)(r8 + ${o})`, 'r1 += 1', `*(u64 *)(r8 + ${o}) = r1`, 'r7 ^= r1');
        break;
      }
      case 6: {
        // A value held across an update or a delete of its own key (the helper writes it in place,
        // or the element goes and its bytes may be the next insert's), then read and written.
        const skip = `skip${labels.n++}`;
        key();
        out.push(`r1 = map[idx:${m}] ll`, 'r2 = r10', 'r2 += -4', 'call 1', `if r0 == 0 goto ${skip}`, 'r6 = r0');
        if (r.int(2) === 0) {
          out.push('*(u64 *)(r10 - 24) = r7', `*(u64 *)(r10 - 16) = ${r.int(100)}`,
            `r1 = map[idx:${m}] ll`, 'r2 = r10', 'r2 += -4', 'r3 = r10', 'r3 += -24', 'r4 = 0', 'call 2');
        } else out.push(`r1 = map[idx:${m}] ll`, 'r2 = r10', 'r2 += -4', 'call 3');
        out.push('r7 += r0', `r1 = *(u64 *)(r6 + ${8 * r.int(2)})`, 'r7 += r1', `*(u64 *)(r6 + ${8 * r.int(2)}) = r7`, `${skip}:`);
        break;
      }
      default:
        if (inCallback) out.push('r1 = *(u64 *)(r10 - 40)', `*(u64 *)(r1 + ${8 * r.int(2)}) = r7`);
        else out.push(`*(u8 *)(r9 + ${r.int(16)}) = r7`);
    }
  }
}

/** Slots of assembly lines as the generator writes them: labels none, lddw two. */
function slotsOf(lines: readonly string[]): number {
  return lines.reduce((n, l) => n + (l.endsWith(':') ? 0 : l.endsWith(' ll') ? 2 : 1), 0);
}

/**
 * A verified XDP program: r9 the packet (16 bytes checked), r8 the global data, r7 an accumulator
 * that becomes r0, r6 a map value held across helper calls; then random map operations, a third
 * of the programs with some of them in a bpf_loop or bpf_for_each_map_elem callback (the compiled
 * code runs the loop).
 */
function generate(r: Rng, tails: 'none' | 'entry' | 'target'): string {
  const out = [
    'r6 = r1', 'r2 = *(u32 *)(r6 + 0)', 'r3 = *(u32 *)(r6 + 4)', 'r4 = r2', 'r4 += 16', 'if r4 > r3 goto out',
    'r9 = r2', 'r7 = 0', `r8 = map[idx:${GLOBAL}]+0 ll`, '*(u64 *)(r10 - 48) = r6',
  ];
  const labels = { n: 0 };
  const loop = r.int(3) === 0;
  mapOps(r, out, false, labels);
  // A tail call through slot 0-3 of the prog array (3 stays empty: the call falls through; r0 is
  // not readable after it, RET_VOID), from the program itself or from a function it calls, which
  // the target then returns from.
  const tsub: string[] = [];
  if (tails !== 'none') {
    // (A call from a function may only reach the targets, which call slots 1-3 directly: a chain
    // of calls from functions nests a frame per call, and past eight the compiled code hands the
    // run to the interpreter, which this test wants never to see.)
    const direct = tails === 'target' || r.int(2) === 0;
    const slot = direct && tails === 'entry' ? r.int(4) : 1 + r.int(3);
    if (direct) out.push('r1 = *(u64 *)(r10 - 48)', `r2 = map[idx:${JUMPS}] ll`, `r3 = ${slot}`, 'call 12', 'r7 += 1');
    else {
      out.push('r1 = *(u64 *)(r10 - 48)', `r2 = ${slot}`, 'call tsub', 'r7 += r0');
      tsub.push('tsub:', 'r3 = r2', `r2 = map[idx:${JUMPS}] ll`, 'call 12', `r0 = ${r.int(50)}`, 'exit');
    }
    // (A tail call may change the packet: its pointers are checked again, as after any such helper.)
    out.push('r1 = *(u64 *)(r10 - 48)', 'r2 = *(u32 *)(r1 + 0)', 'r3 = *(u32 *)(r1 + 4)', 'r4 = r2', 'r4 += 16', 'if r4 > r3 goto out', 'r9 = r2');
    mapOps(r, out, false, labels);
  }
  const callback: string[] = [];
  if (loop) {
    // bpf_loop(n, cb, &ctx, 0) or bpf_for_each_map_elem(map, cb, &ctx, 0): ctx two u64 at
    // r10 - 32, the first the accumulator so far. The callback keys from the index, or from the
    // element's key, whose value it also reads and writes.
    const each = r.int(2) === 0;
    out.push('*(u64 *)(r10 - 32) = r7', '*(u64 *)(r10 - 24) = 0');
    if (each) out.push(`r1 = map[idx:${r.int(KEYED)}] ll`);
    else out.push(r.int(2) === 0 ? `r1 = ${r.int(12)}` : `r1 = *(u8 *)(r9 + ${r.int(16)})`);
    const at = slotsOf(out);
    out.push('r2 = subprog[+CB] ll', 'r3 = r10', 'r3 += -32', 'r4 = 0', `call ${each ? 164 : 181}`, 'r7 += r0',
      'r1 = *(u64 *)(r10 - 32)', 'r7 += r1', 'r1 = *(u64 *)(r10 - 24)', 'r7 ^= r1');
    if (each) {
      callback.push('*(u64 *)(r10 - 40) = r4', 'r9 = *(u32 *)(r2 + 0)', 'r7 = 0', `r8 = map[idx:${GLOBAL}]+0 ll`);
      const o = 8 * r.int(2);
      callback.push(`r1 = *(u64 *)(r3 + ${o})`, 'r7 += r1', `r1 += ${1 + r.int(5)}`, `*(u64 *)(r3 + ${8 * r.int(2)}) = r1`);
      if (o === 0) callback.push('r7 += r9');
    } else callback.push('*(u64 *)(r10 - 40) = r2', 'r9 = r1', 'r7 = 0', `r8 = map[idx:${GLOBAL}]+0 ll`);
    mapOps(r, callback, true, labels);
    // Half the callbacks do more of them in a function of their own (r1 the key source, r2 ctx).
    const sub: string[] = [];
    if (r.int(2) === 0) {
      callback.push('r1 = r9', 'r2 = *(u64 *)(r10 - 40)', 'call cbsub', 'r7 += r0');
      sub.push('cbsub:', 'r9 = r1', '*(u64 *)(r10 - 40) = r2', 'r7 = 0', `r8 = map[idx:${GLOBAL}]+0 ll`);
      mapOps(r, sub, true, labels);
      sub.push('r0 = r7', 'exit');
    }
    callback.push('r1 = *(u64 *)(r10 - 40)', 'r2 = *(u64 *)(r1 + 0)', 'r2 += r7', '*(u64 *)(r1 + 0) = r2', 'r0 = 0');
    // Now and then the callback stops the loop (r0 1) when its accumulator is odd.
    if (r.int(3) === 0) callback.push('r0 = r7', 'r0 &= 1');
    callback.push('exit');
    mapOps(r, out, false, labels);
    out.push('r0 = r7', 'exit', 'out:', 'r0 = 0', 'exit');
    const cb = slotsOf(out);
    out[out.indexOf('r2 = subprog[+CB] ll')] = `r2 = subprog[+${cb - at - 1}] ll`;
    return [...out, ...callback, ...sub, ...tsub].join('\n');
  }
  out.push('r0 = r7', 'exit', 'out:', 'r0 = 0', 'exit');
  return [...out, ...tsub].join('\n');
}

const hex = (b: Uint8Array | undefined): string => Buffer.from(b ?? []).toString('hex');

function dump(maps: readonly VmMap[]): string {
  return maps.map((m) => `${m.name}{${[...m.map.entries()].map(([k, v]) => `${hex(k)}=${hex(v)}`).sort().join(',')}}`).join(' ');
}

interface Plan {
  frames: Uint8Array[];
  repeats: number[];
  /** Between executions: [map, key, value bytes or undefined for a delete]. */
  writes: [number, number, Uint8Array | undefined][];
}

/** Runs texts[0] (its tail calls reach texts[k] through slot k of the prog array) on `engine`. */
function run(engine: 'interp' | 'jit', texts: readonly string[], plan: Plan): { out: string; cached: number; direct: boolean; loops: number; failed: number; elems: number } {
  const vm = new Vm({ helpers: kernelHelpers(), engine, nCpus: 2 } as VmOptions);
  const maps = MAPS.map((s) => vm.createMap({ ...s, flags: 0 } as MapSpec));
  const progs = texts.map((text, k) => vm.loadProgram({ name: `p${k}`, type: 'xdp', insns: assemble(text), license: 'GPL', maps }));
  progs.forEach((q, k) => maps[JUMPS]!.map.update(Uint8Array.of(k, 0, 0, 0), Uint8Array.of(q.id & 255, q.id >> 8, 0, 0), 0));
  const p = progs[0]!;
  const j = jitOf(p.prepared);
  const seq: string[] = [];
  let failed = 0;
  plan.frames.forEach((f, i) => {
    try {
      const o = testRun(vm, p, { dataIn: f, repeat: plan.repeats[i]! });
      seq.push(`${o.retval}:${hex(o.dataOut)}`);
    } catch (e) {
      seq.push((e as Error).message);
      failed++;
    }
    seq.push(dump(maps));
    const [m, k, v] = plan.writes[i]!;
    const key = Uint8Array.of(k, 0, 0, 0);
    try {
      if (v === undefined) maps[m]!.map.delete(key);
      else maps[m]!.map.update(key, maps[m]!.map.perCpu ? new Uint8Array(2 * 16).fill(v[0]!) : v);
    } catch (e) {
      seq.push((e as Error).message);
    }
  });
  const elems = maps.reduce((n, m) => n + [...m.map.entries()].length, 0);
  return { out: seq.join('\n'), cached: typeof j === 'string' ? 0 : j.cachedLookups, direct: typeof j !== 'string' && j.directValues, loops: typeof j === 'string' ? 0 : j.inlinedLoops, failed, elems };
}

/** The programs of a test as one text: the entry, then the tail calls' targets. */
const joined = (texts: readonly string[]): string => texts.join('\n--- tail call target\n');

test('a difference is shown on a program shrunk line by line', () => {
  // A stand-in for a difference: two lines, one of each program, must stay; all others can go.
  const r = rng(7);
  const texts = [generate(r, 'entry'), generate(r, 'target')];
  const a = texts[0]!.split('\n')[5]!, b = texts[1]!.split('\n')[9]!;
  const small = shrinkLines(texts, (t) => t[0]!.split('\n').includes(a) && t[1]!.split('\n').includes(b));
  assert.deepEqual(small, [a, b]);
});

test(`random verified programs with maps: the JIT gives what the interpreter gives (seed ${SEED}, ${COUNT} programs)`, () => {
  const t0 = Date.now();
  const differences: string[] = [];
  let cachedPrograms = 0, directPrograms = 0, loopPrograms = 0, callingLoops = 0, tailPrograms = 0, handOvers = 0, failed = 0, elems = 0;
  for (let i = 0; i < COUNT && differences.length < 3; i++) {
    const seed = (SEED + i) >>> 0;
    const r = rng(seed);
    const tails = r.int(3) === 0;
    const texts = [generate(r, tails ? 'entry' : 'none')];
    if (tails) texts.push(generate(r, 'target'), generate(r, 'target'));
    const text = joined(texts);
    const n = 4;
    const plan: Plan = {
      frames: Array.from({ length: n }, () => r.bytes(64)),
      repeats: Array.from({ length: n }, () => [1, 2, 3, 5, 8][r.int(5)]!),
      writes: Array.from({ length: n }, (): [number, number, Uint8Array | undefined] => [r.int(KEYED), r.int(6), r.int(3) === 0 ? undefined : r.bytes(16)]),
    };
    const a = run('interp', texts, plan);
    const handed = interpreterHandOvers();
    const b = run('jit', texts, plan);
    handOvers += interpreterHandOvers() - handed;
    if (tails) tailPrograms++;
    failed += a.failed;
    elems += a.elems;
    if (b.cached > 0) cachedPrograms++;
    if (b.direct) directPrograms++;
    if (b.loops > 0) loopPrograms++;
    if (b.loops > 0 && text.includes('call cbsub')) callingLoops++;
    if (a.out !== b.out) {
      const differs = (t: string[]): boolean => { try { return run('interp', t, plan).out !== run('jit', t, plan).out; } catch { return false; } };
      const small = shrinkLines(texts, differs);
      const [x, y] = [run('interp', small, plan), run('jit', small, plan)];
      differences.push(`seed ${seed} (shrunk from ${text.split('\n').length} lines):\n${joined(small)}\n--- interp\n${x.out}\n--- jit\n${y.out}`);
    }
  }
  console.log(`jit maps differential: ${COUNT} programs, ${cachedPrograms} with cached lookups, ${directPrograms} with unchecked value accesses, ${loopPrograms} with map operations in a compiled bpf_loop or bpf_for_each_map_elem (${callingLoops} of them in a function the callback calls too), ${tailPrograms} making tail calls (from a function too), ${handOvers} runs handed to the interpreter, ${failed} executions failed, ${(elems / COUNT).toFixed(1)} map elements at the end on average, ${differences.length} differences (seed ${SEED}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  assert.deepEqual(differences, []);
  assert.ok(failed === 0, 'every execution of a verified program ends normally');
  assert.equal(handOvers, 0, 'the compiled code runs every execution to its end, tail calls included');
  assert.ok(cachedPrograms >= COUNT / 2 && directPrograms >= COUNT / 2 && loopPrograms >= COUNT / 5 && callingLoops >= COUNT / 12 && tailPrograms >= COUNT / 5,
    `${cachedPrograms} programs with cached lookups, ${directPrograms} with unchecked value accesses, ${loopPrograms} with a compiled bpf_loop, ${callingLoops} with a callback calling a function, ${tailPrograms} with tail calls: too few`);
});
