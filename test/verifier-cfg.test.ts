/**
 * The verifier's subprogram and control-flow checks (src/verifier/cfg.ts) against the kernel's
 * check_subprogs / check_cfg: every program of the table is loaded into the running kernel (socket
 * filter, GPL, log level 1) and given to analyzeCfg; the verdict, the errno and the kernel's first log
 * line must agree. Programs that pass the CFG checks are otherwise valid so the kernel accepts them,
 * except those marked `later`, which the kernel refuses in state exploration with a non-CFG message.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assemble } from '../src/isa/asm.js';
import { encode } from '../src/isa/insn.js';
import { isKernelError } from '../src/kernel/errors.js';
import { closeFd, kernelAvailable } from '../src/kernel/syscall.js';
import { progLoad } from '../src/kernel/prog-load.js';
import { analyzeCfg, type Cfg } from '../src/verifier/cfg.js';
import { MSG, VLOG, VerifierLog, isVerifierError } from '../src/verifier/log.js';
import { toSlots } from '../src/verifier/subprogs.js';

const SOCKET_FILTER = 1;

interface Case {
  name: string;
  src: string;
  /** Our expected outcome: the message of the refusal, or undefined when the CFG checks pass. */
  error?: string;
  /** Passes the CFG checks but the kernel refuses it later; the kernel's message must contain this. */
  later?: string;
  loopHeads?: number[];
  /** The errno of a refusal (EINVAL by default). */
  errno?: string;
  subprogs?: [number, number][];
}

/** main calls n distinct functions, each `r0 = 0; exit`. */
function manyFunctions(n: number): string {
  const main = n + 2;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`call pc+${main + 2 * i - i - 1}`);
  lines.push('r0 = 0', 'exit');
  for (let i = 0; i < n; i++) lines.push('r0 = 0', 'exit');
  return lines.join('\n');
}

const CASES: Case[] = [
  // ---- valid programs ----
  { name: 'return 0', src: 'r0 = 0\nexit', subprogs: [[0, 2]], loopHeads: [] },
  { name: 'conditional jump', src: 'r0 = 0\nif r1 == 0 goto +1\nr0 = 1\nexit', loopHeads: [] },
  { name: 'lddw then exit', src: 'r0 = 5 ll\nexit', subprogs: [[0, 3]] },
  { name: 'jump over an lddw', src: 'r0 = 0\nif r1 == 0 goto +2\nr2 = 5 ll\nexit' },
  { name: 'bpf-to-bpf call', src: 'call pc+2\nr0 = 0\nexit\nr0 = 1\nexit', subprogs: [[0, 3], [3, 5]], loopHeads: [] },
  { name: 'two callees, called twice', src: 'call pc+4\ncall pc+5\ncall pc+2\nr0 = 0\nexit\nr0 = 1\nexit\nr0 = 2\nexit', subprogs: [[0, 5], [5, 7], [7, 9]] },
  { name: 'function ending with goto', src: 'r0 = 0\ngoto +1\nexit\ngoto -2', loopHeads: [] },
  { name: 'bounded loop (back-edge allowed)', src: 'r0 = 0\nr1 = 0\nr1 += 1\nif r1 < 10 goto -2\nexit', loopHeads: [2] },
  { name: 'loop in a callee', src: 'call pc+2\nr0 = 0\nexit\nr0 = 0\nr0 += 1\nif r0 < 4 goto -2\nexit', subprogs: [[0, 3], [3, 7]], loopHeads: [4] },
  { name: 'gotol forward', src: 'r0 = 0\nif r1 == 0 goto +1\ngotol +1\nr0 = 1\nexit' },
  // ---- loops the CFG allows and exploration refuses ----
  { name: 'conditional jump to self', src: 'r0 = 0\nif r1 == 0 goto -1\nexit', loopHeads: [1], later: 'infinite loop detected' },
  { name: 'goto -1 (jump to self)', src: 'r0 = 0\nif r1 == 0 goto +1\nexit\ngoto -1', loopHeads: [3], later: 'infinite loop detected' },
  // ---- subprogram defects ----
  { name: 'forward jump out of the program', src: 'r0 = 0\nif r1 == 0 goto +5\nexit', error: MSG.jumpOutOfRange(1, 7) },
  { name: 'backward jump out of the program', src: 'r0 = 0\ngoto -3\nexit', error: MSG.jumpOutOfRange(1, -1) },
  { name: 'gotol out of the program', src: 'r0 = 0\ngotol +5\nexit', error: MSG.jumpOutOfRange(1, 7) },
  { name: 'jump from main into a callee', src: 'r0 = 0\ncall pc+2\nif r1 == 0 goto +2\nexit\nr0 = 1\nexit', error: MSG.jumpOutOfRange(2, 5) },
  { name: 'jump from a callee back into main', src: 'call pc+2\nr0 = 0\nexit\nr0 = 1\nif r0 == 1 goto -4\nexit', error: MSG.jumpOutOfRange(4, 1) },
  { name: 'last insn is not exit', src: 'r0 = 0', error: MSG.lastInsnNotExit() },
  { name: 'last insn is a conditional jump', src: 'r0 = 0\nif r1 == 0 goto -2', error: MSG.lastInsnNotExit() },
  { name: 'last insn is a helper call', src: 'r0 = 0\ncall 7', error: MSG.lastInsnNotExit() },
  { name: 'last insn is an lddw', src: 'r0 = 0\nexit\nr0 = 1 ll', error: MSG.lastInsnNotExit() },
  { name: 'main falls through into its callee', src: 'call pc+1\nr0 = 0\nr0 = 1\nexit', error: MSG.lastInsnNotExit() },
  { name: 'callee falls off the end', src: 'call pc+1\nexit\nr0 = 0', error: MSG.lastInsnNotExit() },
  { name: 'call past the end', src: 'call pc+10\nr0 = 0\nexit', error: MSG.callToInvalidDestination() },
  { name: 'call before the start', src: 'r0 = 0\ncall pc-5\nexit', error: MSG.callToInvalidDestination() },
  { name: 'function pointer past the end', src: 'r1 = subprog[+10]\nr0 = 0\nexit', error: MSG.callToInvalidDestination() },
  { name: 'call into the middle of an lddw', src: 'call pc+3\nr0 = 0\nexit\nr0 = 5 ll\nexit', error: MSG.lastInsnNotExit() },
  // ---- control-flow defects ----
  { name: 'unreachable exit', src: 'r0 = 0\nexit\nexit', error: MSG.unreachableInsn(2) },
  { name: 'unreachable after goto', src: 'goto +1\ngoto +0\nr0 = 0\nexit', error: MSG.unreachableInsn(1) },
  { name: 'jump into the middle of an lddw', src: 'r0 = 0\nif r1 == 0 goto +1\nr2 = 5 ll\nexit', error: MSG.jumpIntoLdimm64(2) },
  { name: 'dead code at the end of a callee', src: 'call pc+2\nr0 = 0\nexit\nr0 = 1\nexit\nr0 = 2\nexit', error: MSG.unreachableInsn(5) },
  { name: 'dead subprog (called only from dead code)', src: 'r0 = 0\nexit\ncall pc+1\nexit\nr0 = 1\nexit', error: MSG.unreachableInsn(2) },
  { name: 'jmp32 out of the program', src: 'r0 = 0\nif w1 == 0 goto +5\nexit', error: MSG.jumpOutOfRange(1, 7) },
  { name: 'call into the middle of an lddw in a callee', src: 'call pc+2\nr0 = 0\nexit\nr0 = 5 ll\nexit\ncall pc-3\nexit', error: MSG.lastInsnNotExit() },
  { name: 'recursive call (CFG allows the back-edge)', src: 'call pc+1\nexit\ncall pc-1\nr0 = 0\nexit', loopHeads: [2], later: 'the call stack of 9 frames is too deep' },
  { name: 'function pointer without BTF (CFG passes)', src: 'r1 = subprog[+3]\nr0 = 0\nexit\nr0 = 1\nexit', subprogs: [[0, 4], [4, 6]], later: 'func_info' },
  { name: '257 functions', src: manyFunctions(256), error: MSG.tooManySubprograms(), errno: 'E2BIG' },
  { name: '256 functions', src: manyFunctions(255), loopHeads: [] },
  { name: 'unreachable lddw', src: 'r0 = 0\nexit\nr0 = 1 ll\nexit', error: MSG.unreachableInsn(2) },
];

const avail = kernelAvailable();
const noKernel = avail.ok ? undefined : avail.reason;
if (noKernel) console.log(`# verifier-cfg: kernel comparisons skipped: ${noKernel}`);

type Outcome = { ok: true; cfg: Cfg } | { ok: false; errno: string; first: string; log: readonly string[] };

function ours(src: string): Outcome {
  try {
    return { ok: true, cfg: analyzeCfg(assemble(src, undefined, 'kernel')) };
  } catch (e) {
    if (!isVerifierError(e)) throw e;
    return { ok: false, errno: e.code, first: e.log[0] ?? '', log: e.log };
  }
}

function kernel(src: string, name: string): { ok: true } | { ok: false; errno: string; first: string; log: string } {
  try {
    const p = progLoad({ type: SOCKET_FILTER, insns: encode(assemble(src, undefined, 'kernel')), license: 'GPL', logLevel: 1, name: 'tsbpf_cfg' }, name);
    closeFd(p.fd);
    return { ok: true };
  } catch (e) {
    if (!isKernelError(e)) throw e;
    const log = e.log ?? '';
    return { ok: false, errno: e.errnoName, first: log.split('\n').find((l) => l.trim() !== '') ?? '', log };
  }
}

describe('analyzeCfg: the table', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const r = ours(c.src);
      if (c.error !== undefined) {
        assert.equal(r.ok, false, 'analyzeCfg accepted it');
        if (!r.ok) {
          assert.equal(r.first, c.error);
          assert.equal(r.errno, c.errno ?? 'EINVAL');
        }
        return;
      }
      assert.ok(r.ok, r.ok ? '' : `analyzeCfg refused it: ${r.first}`);
      if (c.loopHeads) assert.deepEqual(r.cfg.loopHeads, c.loopHeads);
      if (c.subprogs) assert.deepEqual(r.cfg.subprogs.map((s) => [s.start, s.end]), c.subprogs);
    });
  }
});

describe('analyzeCfg against the kernel (socket filter, GPL, log level 1)', { skip: noKernel }, () => {
  for (const c of CASES) {
    test(c.name, () => {
      const k = kernel(c.src, c.name);
      const r = ours(c.src);
      if (r.ok) {
        if (c.later) {
          assert.equal(k.ok, false, 'the kernel accepted a program expected to fail exploration');
          if (!k.ok) assert.ok(k.log.includes(c.later), `kernel log:\n${k.log}`);
        } else {
          assert.ok(k.ok, k.ok ? '' : `the kernel refused it (${k.errno}): ${k.log}`);
        }
        return;
      }
      assert.equal(k.ok, false, `the kernel accepted it; we said: ${r.first}`);
      if (!k.ok) {
        assert.equal(r.errno, k.errno, `errno (kernel log:\n${k.log})`);
        assert.equal(r.first, k.first, `first log line (kernel log:\n${k.log})`);
      }
    });
  }
});

describe('analyzeCfg: shape of the result', () => {
  test('successors per slot: lddw spans two slots, calls list the next slot then the callee', () => {
    const cfg = analyzeCfg(assemble('r1 = 5 ll\ncall pc+2\nr0 = 0\nexit\nif r1 > 2 goto +1\nr0 = 1\nexit', undefined, 'kernel'));
    assert.deepEqual(cfg.succ, [[2], [], [3, 5], [4], [], [6, 7], [7], []]);
    assert.deepEqual(cfg.subprogs, [{ start: 0, end: 5 }, { start: 5, end: 8 }]);
    assert.equal(cfg.slots.length, 8);
  });

  test('slots can be given directly', () => {
    const slots = toSlots(assemble('r0 = 0\nexit', undefined, 'kernel'));
    assert.deepEqual(analyzeCfg(slots).subprogs, [{ start: 0, end: 2 }]);
  });

  test('an unprivileged loader gets "back-edge" for a loop, as from the kernel', () => {
    const src = 'r0 = 0\nr1 = 0\nr1 += 1\nif r1 < 10 goto -2\nexit';
    assert.throws(() => analyzeCfg(assemble(src, undefined, 'kernel'), { privileged: false }), (e: unknown) =>
      isVerifierError(e) && e.code === 'EINVAL' && e.log.at(-1) === MSG.backEdge(3, 2));
  });

  test('a privileged load records every back-edge', () => {
    const cfg = analyzeCfg(assemble('r0 = 0\nr1 = 0\nr1 += 1\nif r1 < 10 goto -2\nif r1 < 20 goto -3\nexit', undefined, 'kernel'));
    assert.deepEqual(cfg.loopHeads, [2]);
    assert.equal(cfg.backEdges.length, 2);
  });

  test('log level 2 lists the functions, as the kernel does', () => {
    const log = new VerifierLog(VLOG.LEVEL1 | VLOG.LEVEL2);
    analyzeCfg(assemble('call pc+2\nr0 = 0\nexit\nr0 = 1\nexit', undefined, 'kernel'), { log });
    assert.deepEqual(log.lines, ['func#0 @0', 'func#1 @3']);
  });

  test('the error names the instruction and carries the log', () => {
    try {
      analyzeCfg(assemble('r0 = 0\nexit\nexit', undefined, 'kernel'));
      assert.fail('accepted');
    } catch (e) {
      assert.ok(isVerifierError(e));
      assert.equal(e.place.insn, 2);
      assert.match(e.message, /unreachable insn 2/);
      assert.deepEqual(e.log, ['unreachable insn 2']);
    }
  });
});
