/**
 * Soundness of the verifier: no program it accepts may fault when run. Programs come from
 * test/support/soundness-gen.ts (random ones aimed at memory accesses and bounds, and mutations of
 * accepted ones); each accepted program runs in the interpreter over several random inputs (frame
 * bytes and length, map contents, context fields). A fault is a run-time error of the VM (an access
 * outside its region: stack, map value, context), a helper refusing its arguments, a run that does
 * not end, or one of the checks the trace adds where the VM's regions are wider than what a program
 * may touch: a packet access outside [data, data_end) (the VM's packet region is the whole buffer,
 * headroom and tailroom included) and a context store to a field the type may not write.
 *
 * Seed: fixed under CI=true, random otherwise; TSBPF_SOUND_SEED and TSBPF_SOUND_COUNT override.
 * A sample of programs also goes to the kernel, and the verdicts that differ are counted (printed,
 * not asserted: test/verifier-corpus.test.ts owns agreement).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode, slotOffsets, type Insn } from '../src/isa/insn.js';
import { CLASS, MODE } from '../src/isa/opcodes.js';
import { disassembleKernel } from '../src/isa/disasm-kernel.js';
import { assemble } from '../src/isa/asm.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { verifyProgram, isVerifierError } from '../src/verifier/index.js';
import { Vm, type VmMap } from '../src/vm/runtime.js';
import { testRun } from '../src/progtypes/test-run.js';
import { progTypeInfo } from '../src/progtypes/table.js';
import { type ContextLayout, fieldAt } from '../src/progtypes/context.js';
import { PROG_TYPE } from '../src/elf/sections.js';
import { XDP_PACKET_HEADROOM } from '../src/progtypes/xdp.js';
import { SKB_HEADROOM } from '../src/progtypes/skb.js';
import { kernelMissing } from './support/kernel-oracle.js';
import { rng, type Rng } from './support/rng.js';
import { generateSoundProgram, mutate, soundFrame, type SoundProgram } from './support/soundness-gen.js';

const CI = process.env.CI === 'true';
const SEED = process.env.TSBPF_SOUND_SEED ? Number(process.env.TSBPF_SOUND_SEED) : CI ? 0x5eed5 : (Date.now() % 0x7fffffff) | 1;
const COUNT = process.env.TSBPF_SOUND_COUNT ? Number(process.env.TSBPF_SOUND_COUNT) : 8000;
/** The test stops generating after this long (CI keeps the whole test under a minute). */
const TIME_LIMIT_MS = 40_000;
const INPUTS = 4;
/** One program in this many also goes to the kernel. */
const KERNEL_EVERY = 8;
const helpers = kernelHelpers();

interface Fault {
  program: SoundProgram;
  input: string;
  error: string;
}

const SIZE_BYTES = [4, 2, 1, 8];

/** The program disassembled (raw fields for what the disassembler refuses, such as a reserved field set). */
function listing(insns: readonly Insn[]): string {
  try {
    return disassembleKernel(insns);
  } catch {
    return insns.map((x, i) => `${i}: code=0x${x.code.toString(16)} dst=r${x.dst} src=r${x.src} off=${x.off} imm=${x.imm}`).join('\n');
  }
}

/** Every byte of [off, off+size) lies in a field the program type may write (the VM's context region is all writable). */
function ctxWritable(layout: ContextLayout, off: number, size: number): boolean {
  for (let i = 0; i < size; i++) if (fieldAt(layout, off + i)?.access !== 'read-write') return false;
  return true;
}

/** The memory checks the VM's regions do not make on their own (see the header). */
function traceChecks(vm: Vm, p: SoundProgram, frameLen: number): { trace: (pc: number, lo: Int32Array, hi: Int32Array) => void; error: () => string | undefined } {
  const offsets = slotOffsets(p.insns);
  const bySlot: Insn[] = [];
  p.insns.forEach((x, i) => (bySlot[offsets[i]!] = x));
  const start = p.type === 'xdp' ? XDP_PACKET_HEADROOM : SKB_HEADROOM;
  const end = start + frameLen;
  const layout = progTypeInfo(p.type).context;
  let err: string | undefined;
  const trace = (pc: number, lo: Int32Array, hi: Int32Array): void => {
    const x = bySlot[pc];
    if (!x || err) return;
    const cls = x.code & 7, mode = x.code & 0xe0;
    if ((cls !== CLASS.LDX && cls !== CLASS.STX && cls !== CLASS.ST) || (mode !== MODE.MEM && mode !== MODE.MEMSX && mode !== MODE.ATOMIC)) return;
    const base = cls === CLASS.LDX ? x.src : x.dst;
    const size = SIZE_BYTES[(x.code >> 3) & 3]!;
    const addr = BigInt.asUintN(64, ((BigInt(hi[base]! >>> 0) << 32n) | BigInt(lo[base]! >>> 0)) + BigInt(x.off));
    const at = vm.memory.resolve(addr);
    if (!at) return; // the VM faults on it itself
    const write = cls !== CLASS.LDX;
    if (at.region.kind === 'packet' && (at.offset < start || at.offset + size > end)) {
      err = `insn ${pc}: packet ${write ? 'write' : 'read'} of ${size} bytes at data${at.offset - start >= 0 ? '+' : ''}${at.offset - start}, outside [data, data_end) of ${frameLen} bytes`;
    } else if (at.region.kind === 'ctx' && write && !ctxWritable(layout, at.offset, size)) {
      err = `insn ${pc}: store of ${size} bytes to ${layout.name} offset ${at.offset}, which ${p.type} programs may not write`;
    }
  };
  return { trace, error: () => err };
}

function fillMaps(r: Rng, maps: VmMap[]): void {
  const key = (k: number): Uint8Array => new Uint8Array(new Uint32Array([k]).buffer);
  for (const m of maps) {
    const n = m.map.spec.type === 'array' ? m.map.spec.maxEntries : r.int(6);
    for (let k = 0; k < n; k++) m.map.update(key(m.map.spec.type === 'array' ? k : r.int(6)), r.bytes(m.map.spec.valueSize), 0);
  }
}

/** Run `p` on INPUTS random inputs; the first fault, if any. */
function runAccepted(r: Rng, p: SoundProgram): Fault | undefined {
  for (let i = 0; i < INPUTS; i++) {
    const vm = new Vm({ helpers });
    const maps = p.maps.map((s) => vm.createMap(s));
    fillMaps(r, maps);
    const prog = vm.loadProgram({ name: 'sound', type: p.type, insns: p.insns, maps });
    const frame = soundFrame(r);
    let ctxIn: Uint8Array | undefined;
    if (p.type === 'sched_cls' && r.int(2) === 0) {
      ctxIn = new Uint8Array(192);
      const dv = new DataView(ctxIn.buffer);
      dv.setUint32(8, r.next(), true); // mark
      dv.setUint32(32, r.next() & 0xff, true); // priority
      for (let c = 0; c < 5; c++) dv.setUint32(48 + 4 * c, r.int(3) === 0 ? r.int(64) : r.next(), true); // cb
    }
    const input = `frame (${frame.length} bytes) ${Buffer.from(frame).toString('hex')}${ctxIn ? `, ctx_in ${Buffer.from(ctxIn.subarray(0, 68)).toString('hex')}` : ''}` +
      `, maps ${maps.map((m) => `${m.name}: ${[...m.map.entries()].map(([k, v]) => `${Buffer.from(k).toString('hex')}=${Buffer.from(v).toString('hex')}`).join(' ')}`).join('; ')}`;
    const checks = traceChecks(vm, p, frame.length);
    try {
      testRun(vm, prog, { dataIn: frame, ...(ctxIn ? { ctxIn } : {}), trace: checks.trace, budget: 1_000_000 });
    } catch (e) {
      return { program: p, input, error: e instanceof Error ? e.message : String(e) };
    }
    const err = checks.error();
    if (err) return { program: p, input, error: err };
  }
  return undefined;
}

type KernelVerdict = 'accept' | 'reject' | 'unavailable';
/** The last line of the kernel's log for the last rejection. */
let kernelReason = '';

let kernelLoad: ((p: SoundProgram) => KernelVerdict) | undefined;

async function kernelOracle(): Promise<((p: SoundProgram) => KernelVerdict) | undefined> {
  if (kernelMissing()) return undefined;
  const { progLoad } = await import('../src/kernel/prog-load.js');
  const { KernelMap } = await import('../src/kernel/kernel-map.js');
  const { closeFd } = await import('../src/kernel/syscall.js');
  const { isKernelError } = await import('../src/kernel/errors.js');
  return (p) => {
    const maps = p.maps.map((s) => KernelMap.create(s));
    try {
      const insns = p.insns.map((x) => (x.code === 0x18 && x.src === 5 ? { ...x, src: 1, imm: maps[x.imm]!.fd } : x));
      try {
        closeFd(progLoad({ type: PROG_TYPE[p.type], insns: encode(insns), license: 'GPL', name: 'sound', logLevel: 0 }).fd);
        return 'accept';
      } catch (e) {
        kernelReason = isKernelError(e) ? (e.log ?? '').trim().split('\n').filter((l) => !l.startsWith('processed')).at(-1) ?? e.code : '';
        if (isKernelError(e) && ['EACCES', 'EINVAL', 'E2BIG', 'ERANGE', 'ENOTSUPP', 'EFAULT'].includes(e.code)) return 'reject';
        // ENOSPC: a refusal whose retry at log level 1 (to say why) gave more log than fits; no verdict.
        if (isKernelError(e)) return 'unavailable';
        throw e;
      }
    } finally {
      for (const m of maps) m.close();
    }
  };
}

test('verifier soundness: accepted programs never fault at run time', async () => {
  kernelLoad = await kernelOracle();
  console.log(`soundness: seed ${SEED} (TSBPF_SOUND_SEED), ${COUNT} programs (TSBPF_SOUND_COUNT)${kernelLoad ? '' : ', no kernel comparison'}`);
  const r = rng(SEED);
  const pool: SoundProgram[] = [];
  const faults: Fault[] = [];
  const crashes: { program: SoundProgram; error: string }[] = [];
  let generated = 0, accepted = 0, runs = 0, mutants = 0;
  let verifyMs = 0, runMs = 0;
  let kSample = 0, kAcceptWeReject = 0, weAcceptKReject = 0;
  const examples: string[] = [];
  const t0 = Date.now();
  for (let i = 0; i < COUNT && Date.now() - t0 < TIME_LIMIT_MS; i++) {
    const p = pool.length && r.int(2) === 0 ? mutate(r, pool[r.int(pool.length)]!) : generateSoundProgram(r);
    if (p.origin !== 'gen') mutants++;
    generated++;
    let ok: boolean;
    let reason = '';
    const tv = performance.now();
    try {
      verifyProgram(p.insns, { progType: p.type, maps: p.maps, helpers });
      ok = true;
    } catch (e) {
      if (!isVerifierError(e)) {
        crashes.push({ program: p, error: e instanceof Error ? e.stack ?? e.message : String(e) });
        continue;
      }
      ok = false;
      reason = e.reason;
    }
    verifyMs += performance.now() - tv;
    if (process.env.TSBPF_SOUND_SLOW && performance.now() - tv > Number(process.env.TSBPF_SOUND_SLOW)) console.log(`slow: ${(performance.now() - tv).toFixed(0)} ms ${ok} ${reason} ${p.origin}\n${listing(p.insns)}`);
    if (kernelLoad && i % KERNEL_EVERY === 0) {
      const k = kernelLoad(p);
      if (k !== 'unavailable') kSample++;
      if (k === 'accept' && !ok) {
        kAcceptWeReject++;
        if (examples.length < 3) examples.push(`kernel accepts, tsbpf rejects (${reason}):\n${listing(p.insns)}`);
      }
      if (k === 'reject' && ok) {
        weAcceptKReject++;
        if (examples.length < 6) examples.push(`tsbpf accepts, kernel rejects (${k === 'reject' ? kernelReason : ''}):\n${listing(p.insns)}`);
      }
    }
    if (!ok) continue;
    accepted++;
    if (pool.length < 400) pool.push(p);
    else pool[r.int(pool.length)] = p;
    const tr = performance.now();
    const f = runAccepted(r, p);
    runMs += performance.now() - tr;
    runs += INPUTS;
    if (f) {
      faults.push(f);
      if (faults.length >= 5) break;
    }
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`soundness: ${generated} programs generated (${mutants} mutants), ${accepted} accepted, ${runs} runs, ${faults.length} faults, ${crashes.length} verifier crashes, ${secs} s (verifying ${(verifyMs / 1000).toFixed(1)} s, running ${(runMs / 1000).toFixed(1)} s)`);
  if (kernelLoad) {
    console.log(`soundness: kernel sample ${kSample}: kernel accepts / tsbpf rejects ${kAcceptWeReject}, tsbpf accepts / kernel rejects ${weAcceptKReject}`);
    for (const e of examples) console.log(e);
  }
  for (const f of faults) {
    console.log(`FAULT (${f.program.type}, ${f.program.origin}): ${f.error}\ninput: ${f.input}\n${listing(f.program.insns)}`);
  }
  for (const c of crashes.slice(0, 3)) console.log(`VERIFIER CRASH (${c.program.type}, ${c.program.origin}): ${c.error}\n${listing(c.program.insns)}`);
  assert.ok(generated > 0);
  assert.equal(faults.length, 0, `${faults.length} accepted program(s) faulted (seed ${SEED}); see the listings above`);
  assert.equal(crashes.length, 0, `the verifier crashed on ${crashes.length} program(s) instead of rejecting them (seed ${SEED})`);
});

/**
 * Pruning and precision, on programs small enough to reason about: r3 is 5 or 100 depending on a
 * random number, and the two paths meet at a join where the first one left a state. When r3 then
 * moves a stack pointer, the second path must not be pruned (r3 was made precise back to the join)
 * and its write at fp+84 is refused; when r3 is only stored as data, the second path is pruned there.
 */
function joinProgram(useAsOffset: boolean): Insn[] {
  return assemble(`
    call 7
    r5 = 1
    r5 = 2
    r5 = 3
    r5 = 4
    r5 = 5
    if r0 > 10 goto else
    r3 = 5
    goto join
else:
    r3 = 100
join:
    r4 = r10
    r4 += -16
    ${useAsOffset ? 'r4 += r3' : '*(u64 *)(r10 - 8) = r3'}
    *(u8 *)(r4 + 0) = 0
    r0 = 0
    exit
`);
}

test('pruning: a scalar that moves a pointer keeps the paths apart at the join', async () => {
  const insns = joinProgram(true);
  assert.throws(() => verifyProgram(insns, { progType: 'xdp', maps: [], helpers }), (e: unknown) => isVerifierError(e) && e.reason === 'invalid write to stack R4 off=84 size=1');
  const k = await kernelOracle();
  if (k) assert.equal(k({ type: 'xdp', insns, maps: [], origin: 'test' }), 'reject');
});

test('pruning: a scalar no check reads does not keep the paths apart (as many instructions as the kernel)', async () => {
  const insns = joinProgram(false);
  const ours = verifyProgram(insns, { progType: 'xdp', maps: [], helpers }).insnsProcessed;
  // 15 on the first path; the second runs `r3 = 100` and is pruned at the join (without pruning: 22).
  assert.equal(ours, 15 + 2);
  if (kernelMissing()) return;
  const { progLoad } = await import('../src/kernel/prog-load.js');
  const { closeFd } = await import('../src/kernel/syscall.js');
  const l = progLoad({ type: PROG_TYPE.xdp, insns: encode(insns), license: 'GPL', name: 'sound', logLevel: 4 });
  closeFd(l.fd);
  assert.equal(ours, Number(/processed (\d+) insns/.exec(l.log)?.[1]), l.log);
});
