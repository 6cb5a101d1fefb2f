/**
 * Every test/c object under the JIT: each program of each object that loads into the VM is run the
 * same way in three VMs, one all-interpreter, one all-JIT and one where programs alternate between
 * the engines (so a map written on one engine is read on the other, and tail calls cross engines).
 * Packet programs get BPF_PROG_TEST_RUN on a set of frames, the others a run on a zeroed context;
 * retval, r0, instruction count, data_out / ctx_out, errors, the trace log and afterwards every
 * map's contents must be the same in all three. Each frame is also run with repeat 3 (one set-up,
 * writes carrying over). Objects the verifier accepts run a fourth time, verified, where the JIT
 * compiles the accesses the verifier proved inside the packet without a check.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { loadObjectSpec, type ObjectSpec } from '../src/elf/object.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { packet } from '../src/net/packet.js';
import { progTypeInfo, runWithContext, testRun } from '../src/progtypes/index.js';
import { fixedEnv } from '../src/vm/env.js';
import { loadObjectIntoVm, type VmObject } from '../src/vm/load-object.js';
import { Vm, type VmOptions } from '../src/vm/runtime.js';
import { jitOf } from '../src/jit/index.js';
import type { Engine } from '../src/jit/engine.js';
import { C_DIR, compileObject, noClang, removeTempDir } from './support/tools.js';
import { rng } from './support/rng.js';

after(removeTempDir);

function frames(): Uint8Array[] {
  const r = rng(0x7e57);
  const mac = { src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
  return [
    packet({ eth: mac, src: '10.0.0.1', dst: '10.0.0.2', udp: { srcPort: 1234, dstPort: 53 }, payload: 'hello' }),
    packet({ eth: mac, src: '192.168.1.7', dst: '10.1.2.3', tcp: { srcPort: 40000, dstPort: 80, flags: 0x02 }, payload: 'GET / HTTP/1.0\r\n\r\n' }),
    packet({ eth: mac, src: 'fd00::1', dst: 'fd00::2', udp: { srcPort: 5353, dstPort: 5353 }, payload: r.bytes(40) }),
    Uint8Array.from([...r.bytes(12), 0x08, 0x00]),
    r.bytes(200),
  ];
}

const hex = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString('hex'));

function contents(o: VmObject): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, m] of o.maps) {
    const rows: string[] = [];
    try {
      for (let k = m.map.getNextKey(undefined); k; k = m.map.getNextKey(k)) rows.push(`${hex(k)}=${hex(m.map.lookup(k))}`);
    } catch (e) {
      rows.push(`(${(e as Error).message})`);
    }
    out[name] = rows.sort();
  }
  return out;
}

type Mode = 'interp' | 'jit' | 'mixed' | 'verified';

function load(spec: ObjectSpec, mode: Mode): { vm: Vm; obj: VmObject } {
  const engine = mode === 'jit' || mode === 'verified' ? 'jit' : 'interp';
  const o: VmOptions & { verify?: boolean } = { helpers: kernelHelpers(), env: fixedEnv(), nCpus: 2, engine, verify: mode === 'verified' };
  const vm = new Vm(o);
  const obj = loadObjectIntoVm(vm, spec);
  if (mode === 'mixed') {
    let i = 0;
    for (const p of obj.programs.values()) (p as { engine: Engine }).engine = i++ % 2 ? 'jit' : 'interp';
  }
  return { vm, obj };
}

/** Every run of every program of one object, as text, and the maps afterwards. */
function runAll(spec: ObjectSpec, mode: Mode): { runs: string[]; maps: Record<string, string[]>; trace: string[] } {
  const { vm, obj } = load(spec, mode);
  const runs: string[] = [];
  const fs = frames();
  for (const [name, prog] of obj.programs) {
    let info;
    try {
      info = progTypeInfo(prog.type);
    } catch {
      continue;
    }
    const record = (what: string, f: () => unknown): void => {
      try {
        runs.push(`${name} ${what}: ${JSON.stringify(f(), (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v instanceof Uint8Array ? hex(v) : v))}`);
      } catch (e) {
        runs.push(`${name} ${what}: error ${(e as Error).message}`);
      }
    };
    if (info.testRun !== 'unsupported' && info.name !== 'raw_tracepoint' && info.name !== 'syscall' && info.name !== 'flow_dissector') {
      for (const repeat of [1, 3]) {
        fs.forEach((frame, i) => record(`frame ${i} x${repeat}`, () => {
          const r = testRun(vm, prog, { dataIn: frame, repeat });
          return { retval: r.retval, r0: r.r0, insns: r.insns, dataOut: r.dataOut, ctxOut: r.ctxOut };
        }));
      }
    } else {
      record('context', () => {
        const r = runWithContext(vm, prog, new Uint8Array(Math.min(info.context.size || 64, 4096)));
        return { retval: r.retval, r0: r.r0, insns: r.insns, ctxOut: r.ctxOut };
      });
    }
  }
  return { runs, maps: contents(obj), trace: [...vm.traceLog] };
}

test('test objects: the JIT, the interpreter and a mix of both give the same runs and maps', { skip: noClang }, () => {
  const names = readdirSync(C_DIR).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)).sort();
  let objects = 0, programs = 0, compiled = 0, runs = 0, failed = 0, verified = 0, direct = 0, directCtx = 0, directStack = 0, directValues = 0, cachedLookups = 0;
  const fallbacks: string[] = [];
  const differences: string[] = [];
  for (const name of names) {
    let spec: ObjectSpec;
    try {
      spec = loadObjectSpec(compileObject(name).bytes, { file: `${name}.o`, noSystemBtf: true });
      load(spec, 'interp');
    } catch {
      continue; // not loadable into the VM on its own (a CO-RE target, a harness): other tests cover it
    }
    objects++;
    const { obj } = load(spec, 'jit');
    for (const p of obj.programs.values()) {
      programs++;
      const j = jitOf(p.prepared);
      if (typeof j === 'string') fallbacks.push(`${name}.c: ${p.name}: ${j}`);
      else compiled++;
    }
    const a = runAll(spec, 'interp');
    const b = runAll(spec, 'jit');
    const c = runAll(spec, 'mixed');
    const compared: [string, ReturnType<typeof runAll>][] = [['jit', b], ['mixed', c]];
    let accepted = true;
    try {
      for (const p of load(spec, 'verified').obj.programs.values()) {
        const j = jitOf(p.prepared);
        if (typeof j !== 'string' && j.directPacket) direct++;
        if (typeof j !== 'string' && j.directCtx) directCtx++;
        if (typeof j !== 'string' && j.directStack) directStack++;
        if (typeof j !== 'string' && j.directValues) directValues++;
        if (typeof j !== 'string' && j.cachedLookups > 0) cachedLookups++;
      }
    } catch {
      accepted = false; // a program the verifier refuses (the corpus tests cover why)
    }
    if (accepted) {
      verified++;
      compared.push(['verified', runAll(spec, 'verified')]);
    }
    runs += a.runs.length;
    failed += a.runs.filter((r) => r.includes(': error ')).length;
    for (const [label, x] of compared) {
      a.runs.forEach((r, i) => { if (x.runs[i] !== r) differences.push(`${name}.c (${label}):\n  interp ${r}\n  ${label.padEnd(6)} ${x.runs[i]}`); });
      if (JSON.stringify(x.maps) !== JSON.stringify(a.maps)) differences.push(`${name}.c (${label}): maps differ:\n  interp ${JSON.stringify(a.maps)}\n  ${label} ${JSON.stringify(x.maps)}`);
      if (JSON.stringify(x.trace) !== JSON.stringify(a.trace)) differences.push(`${name}.c (${label}): trace logs differ`);
    }
  }
  console.log(`jit objects: ${objects} objects, ${programs} programs (${compiled} compiled, ${fallbacks.length} on the interpreter), ${runs} runs per engine (${failed} ending in an error); ${verified} objects also verified, ${direct} programs with unchecked packet accesses, ${directCtx} with unchecked context accesses, ${directStack} with unchecked accesses through stack pointers, ${directValues} with unchecked map value accesses, ${cachedLookups} with cached map lookups; ${differences.length} differences`);
  for (const f of fallbacks) console.log(`  interpreter: ${f}`);
  assert.ok(objects >= 20, `only ${objects} objects loaded`);
  assert.ok(failed < runs / 4, `${failed} of ${runs} runs failed: the comparison would say little`);
  assert.deepEqual(differences.slice(0, 10), []);
  assert.equal(fallbacks.length, 0);
  assert.ok(verified >= 10 && direct >= 5 && directCtx >= 10 && directStack >= 1 && directValues >= 5 && cachedLookups >= 5,
    `${verified} verified objects, ${direct} with direct packet accesses, ${directCtx} with direct context accesses, ${directStack} with direct stack-pointer accesses, ${directValues} with direct map value accesses, ${cachedLookups} with cached lookups: too few to test them`);
});
