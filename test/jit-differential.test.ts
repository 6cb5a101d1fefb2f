/**
 * The JIT against the interpreter and the kernel on random programs.
 *
 *  1. The differential generator's XDP programs (valid by construction): the JIT and the
 *     interpreter must give the same retval, r0, instruction count and data_out on the same frames;
 *     where bpf(2) works, a sample also runs in the kernel, which the JIT must match too.
 *  2. The same programs mutated at random (an immediate, an offset, a register, a jump changed), run
 *     without the verifier: faults, budget exhaustion, wild pointers and odd control flow must end
 *     the same way on both engines, error message included.
 * A difference is shrunk (instructions deleted while it persists) and printed disassembled.
 *
 * CI=true uses a fixed seed; otherwise a new one each run (printed). TSBPF_JIT_DIFF_SEED and
 * TSBPF_JIT_DIFF_COUNT override.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateProgram, type Insn } from '../src/isa/insn.js';
import { disassembleKernel } from '../src/isa/disasm-kernel.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { testRun } from '../src/progtypes/test-run.js';
import { Vm, type VmOptions, type VmProgram } from '../src/vm/runtime.js';
import { jitOf } from '../src/jit/index.js';
import type { Engine } from '../src/jit/engine.js';
import { deleteInsn, generateProgram, randomFrame } from './support/differential-gen.js';
import { kernelLoad, kernelRun, type Outcome } from './support/differential-run.js';
import { closeFd } from '../src/kernel/syscall.js';
import { noKernel } from './support/kernel-kit.js';
import { rng, type Rng } from './support/rng.js';

const envSeed = process.env.TSBPF_JIT_DIFF_SEED;
const CI_SEED = 20261129;
const SEED = envSeed !== undefined && envSeed !== '' ? Number(envSeed) >>> 0
  : process.env.CI === 'true' ? CI_SEED : (Date.now() ^ (process.pid << 12)) >>> 0;
const COUNT = Number(process.env.TSBPF_JIT_DIFF_COUNT ?? 3000);
/** Every KERNEL_EVERY-th program is also run in the kernel. */
const KERNEL_EVERY = 4;
const FRAMES = 3;
const FRAME_SEED = 0x5bd1e995;
const noKernelWhy = noKernel();

interface Full extends Outcome {
  r0?: string;
  insns?: number;
}

const vms = new Map<Engine, { vm: Vm; loads: number }>();
const loaded = new Map<string, { insns: readonly Insn[]; prog: VmProgram }>();

/** Run on one engine in a VM of its own (both VMs have the same history, so the same addresses). */
function runOn(engine: Engine, insns: readonly Insn[], frame: Uint8Array, verify: boolean): Full {
  let v = vms.get(engine);
  if (v === undefined || v.loads++ > 400) {
    const o: VmOptions & { verify?: boolean } = { helpers: kernelHelpers(), engine, verify: false };
    v = { vm: new Vm(o), loads: 0 };
    vms.set(engine, v);
    for (const verify of [false, true]) loaded.delete(`${engine}/${verify}`);
  }
  const vm = v.vm;
  try {
    // The same program on the next frame reuses the load (and its verification).
    const key = `${engine}/${verify}`;
    let held = loaded.get(key);
    if (held === undefined || held.insns !== insns) {
      if (held !== undefined) vm.programs.delete(held.prog.id);
      loaded.delete(key);
      held = { insns, prog: vm.loadProgram({ name: 'jit_diff', type: 'xdp', insns, verify }) };
      loaded.set(key, held);
    }
    const prog = held.prog;
    {
      // Verified programs run as the VM runs them, without a budget (their code has no checks),
      // three times on one set-up (the JIT runs them back to back in the compiled code).
      const o = testRun(vm, prog, { dataIn: frame, ...(verify ? { repeat: 3 } : { budget: 20000 }) });
      return { retval: o.retval, dataOut: Buffer.from(o.dataOut ?? []).toString('hex'), r0: o.r0.toString(16), insns: o.insns };
    }
  } catch (e) {
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

const same = (a: Full, b: Full): boolean => JSON.stringify(a) === JSON.stringify(b);
const show = (o: Full): string => JSON.stringify(o);

/** Delete instructions while the engines still differ on `frame`. */
function shrinkEngines(insns: Insn[], frame: Uint8Array): Insn[] {
  let cur = insns;
  const differs = (p: Insn[]): boolean => !same(runOn('interp', p, frame, false), runOn('jit', p, frame, false));
  for (let changed = true; changed;) {
    changed = false;
    for (let i = cur.length - 1; i >= 0; i--) {
      if (i >= cur.length) continue;
      const del = deleteInsn(cur, i);
      if (del.length && differs(del)) {
        cur = del;
        changed = true;
      }
    }
  }
  return cur;
}

function report(kind: string, seed: number, insns: Insn[], frame: Uint8Array, a: Full, b: Full, aName: string): string {
  const small = shrinkEngines(insns, frame);
  return `${kind} seed ${seed}, frame ${Buffer.from(frame).toString('hex')}:\n  ${aName}: ${show(a)}\n  jit:    ${show(b)}\n` +
    `shrunk from ${insns.length} to ${small.length} instructions (interp ${show(runOn('interp', small, frame, false))}, jit ${show(runOn('jit', small, frame, false))}):\n${disassembleKernel(small)}`;
}

test(`random programs: the JIT, the interpreter and the kernel agree (seed ${SEED}, ${COUNT} programs)`, () => {
  const t0 = Date.now();
  const differences: string[] = [];
  let kernelCompared = 0, fallbacks = 0, verifiedRuns = 0;
  for (let i = 0; i < COUNT && differences.length < 3; i++) {
    const seed = (SEED + i) >>> 0;
    const { insns } = generateProgram(seed);
    const r = rng((seed + FRAME_SEED) >>> 0);
    const frames = Array.from({ length: FRAMES }, () => randomFrame(r));
    const vm = new Vm({ helpers: kernelHelpers() });
    if (typeof jitOf(vm.loadProgram({ name: 'p', type: 'xdp', insns, verify: false } as never).prepared) === 'string') fallbacks++;
    const kfd = noKernelWhy === undefined && i % KERNEL_EVERY === 0 ? kernelLoad(insns) : undefined;
    try {
      for (const f of frames) {
        const a = runOn('interp', insns, f, false);
        const b = runOn('jit', insns, f, false);
        if (!same(a, b)) {
          differences.push(report('program', seed, insns, f, a, b, 'interp'));
          break;
        }
        // Verified by tsbpf: the JIT compiles what the verifier proved without checks.
        const va = runOn('interp', insns, f, true);
        if (va.error === undefined) {
          verifiedRuns++;
          const vb = runOn('jit', insns, f, true);
          if (!same(va, vb)) {
            differences.push(report('verified program', seed, insns, f, va, vb, 'interp'));
            break;
          }
        }
        if (kfd !== undefined && 'fd' in kfd) {
          const k = kernelRun(kfd.fd, f);
          if (k.retval !== b.retval || k.dataOut !== b.dataOut || (k.error === undefined) !== (b.error === undefined)) {
            differences.push(report('program (vs the kernel)', seed, insns, f, k, b, 'kernel'));
            break;
          }
        }
      }
      if (kfd !== undefined && 'fd' in kfd) kernelCompared++;
    } finally {
      if (kfd !== undefined && 'fd' in kfd) closeFd(kfd.fd);
    }
  }
  console.log(`jit differential: ${COUNT} programs x ${FRAMES} frames, ${verifiedRuns} runs also verified, ${kernelCompared} programs also in the kernel, ${fallbacks} on the interpreter, ${differences.length} differences (seed ${SEED}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (noKernelWhy) console.log(`jit differential: kernel comparison skipped: ${noKernelWhy}`);
  assert.equal(fallbacks, 0, 'every generated program compiles');
  assert.ok(verifiedRuns >= COUNT, `only ${verifiedRuns} runs of verified programs`);
  assert.deepEqual(differences, []);
});

/** One random change to one instruction that keeps it a valid encoding (isa/insn.ts classify). */
function mutate(insns: Insn[], r: Rng): Insn[] {
  for (let tries = 0; tries < 20; tries++) {
    const out = insns.map((x) => ({ ...x }));
    const i = r.int(out.length);
    const x = out[i]!;
    switch (r.int(6)) {
      case 0: x.imm = [0, 1, -1, 8, 31, 63, 64, 0x7fffffff, -0x80000000, r.next() | 0][r.int(10)]!; break;
      case 1: x.off = [0, 1, -1, -8, -512, -513, 511, 4096, (r.next() << 16) >> 16][r.int(9)]!; break;
      case 2: x.dst = r.int(11); break;
      case 3: x.src = r.int(11); break;
      case 4: x.off = x.off + (r.int(9) - 4); break; // memory offsets and jumps shift, jumps go backwards too
      default: {
        const j = r.int(out.length);
        if ((out[j]!.code & 7) === (x.code & 7)) x.code = out[j]!.code;
        break;
      }
    }
    try {
      validateProgram(out);
      return out;
    } catch {
      // not a valid program: try another change
    }
  }
  return insns;
}

test(`mutated programs without the verifier: the JIT ends every run as the interpreter does (seed ${SEED})`, () => {
  const t0 = Date.now();
  const n = Math.max(200, COUNT >> 1);
  const differences: string[] = [];
  const endings = new Map<string, number>();
  for (let i = 0; i < n && differences.length < 3; i++) {
    const seed = (SEED ^ 0x6a09e667) + i >>> 0;
    const r = rng(seed);
    let insns = generateProgram(seed).insns;
    const k = 1 + r.int(3);
    for (let m = 0; m < k; m++) insns = mutate(insns, r);
    const f = randomFrame(r);
    const a = runOn('interp', insns, f, false);
    const b = runOn('jit', insns, f, false);
    const ending = a.error ? a.error.replace(/^BpfError: (?:program '[^']*': )?(?:insn \d+: )?/, '').replace(/[0-9a-fx]{6,}/g, 'N').replace(/\d+/g, 'N').slice(0, 40) : 'ok';
    endings.set(ending, (endings.get(ending) ?? 0) + 1);
    if (!same(a, b)) differences.push(report('mutated program', seed, insns, f, a, b, 'interp'));
  }
  console.log(`jit differential (mutated): ${n} programs, ${differences.length} differences (${((Date.now() - t0) / 1000).toFixed(1)} s); endings: ${[...endings].sort((x, y) => y[1] - x[1]).slice(0, 8).map(([e, c]) => `${c} ${e}`).join('; ')}`);
  assert.ok(endings.size > 3, 'the mutations reach several kinds of ending');
  assert.deepEqual(differences, []);
});
