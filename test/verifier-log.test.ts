/**
 * tsbpf's verifier log against the running kernel's, line by line (parsing and normalising in
 * test/support/verifier-log-compare.ts): the same programs are loaded by the kernel at log level 1
 * and 2 and verified by tsbpf at the same level.
 *
 * - Every instruction both logs print has the same text (the verifier's disassembly syntax).
 * - A set of programs written here, whose verification the two agree on step by step, give the
 *   same level-2 log record for record: instruction lines, register states, `from X to Y` lines,
 *   call blocks, the live-register listing, messages.
 * - Over the verifier corpus (test/verifier-corpus/), the share of the kernel's records tsbpf's log
 *   has in the same order (longest common subsequence) is printed, and must not fall below a floor;
 *   the statistics line parses with the same fields in both.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ObjectSpec } from '../src/elf/object.js';
import { asmObjectSpec } from '../src/object/asm-spec.js';
import { loadObjectIntoKernel } from '../src/kernel/load-object.js';
import { loadBtfTracingProgram } from '../src/kernel/attach/btf-tracing.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { verifyProgram, isVerifierError } from '../src/verifier/index.js';
import { kernelUnavailable } from './support/kernel-oracle.js';
import { removeTempDir } from './support/tools.js';
import { corpusEntries } from './support/verifier-corpus.js';
import { COMPARED, lcs, parseLog, parseStats, type ParsedLog } from './support/verifier-log-compare.js';

const skip = kernelUnavailable();
if (skip) console.log(`# verifier log: kernel comparisons skipped (${skip})`);
after(() => removeTempDir());

const helpers = kernelHelpers();

function kernelLog(spec: ObjectSpec, name: string, level: number): { ok: boolean; text: string } {
  try {
    if (spec.programs.find((x) => x.name === name)?.sectionInfo.def.attachBtf) {
      // tp_btf: loaded on its own with the target's BTF id, the object giving only the maps.
      const obj = loadObjectIntoKernel(spec, { programs: [] });
      try {
        const prog = loadBtfTracingProgram(obj, name, { logLevel: level });
        const text = prog.log ?? '';
        prog.close();
        return { ok: true, text };
      } finally {
        obj.close();
      }
    }
    const obj = loadObjectIntoKernel(spec, { programs: [name], logLevel: level });
    const text = obj.programs.get(name)!.log ?? '';
    obj.close();
    return { ok: true, text };
  } catch (e) {
    const x = e as { log?: string; message: string };
    return { ok: false, text: String(x.log ?? x.message) };
  }
}

function ourLog(spec: ObjectSpec, name: string, level: number): { ok: boolean; text: string } {
  const p = spec.programs.find((x) => x.name === name)!;
  try {
    const r = verifyProgram(p.insns, { progType: p.type, maps: spec.maps.map((m) => m.spec), helpers, program: p, object: spec, logLevel: level });
    return { ok: true, text: r.log.text() };
  } catch (e) {
    if (!isVerifierError(e)) throw e;
    return { ok: false, text: e.log.join('\n') + '\n' };
  }
}

const compared = (l: ParsedLog): string[] => l.records.filter((r) => COMPARED.test(r) || r.startsWith('M '));

/** Programs whose verification tsbpf and the kernel carry out the same way, step for step. */
const EXACT: Record<string, string> = {
  map_value_unbounded_index: `
; section: xdp
; map counts hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
r1 = *(u64 *)(r0 + 0)
r1 &= 0xff
r2 = r0
r2 += r1
r0 = *(u8 *)(r2 + 0)
r0 = 2
exit`,
  packet_unchecked: `
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto +2
r0 = *(u8 *)(r2 + 20)
exit
r0 = 2
exit`,
  spill_fill_alu32: `
; section: socket
r6 = r1
*(u64 *)(r10 - 16) = r1
r7 = 5
*(u64 *)(r10 - 24) = r7
*(u32 *)(r10 - 28) = r7
w2 = w7
w2 += 3
r3 = *(u64 *)(r10 - 24)
r2 = *(u64 *)(r10 - 16)
r0 = 0
exit`,
  subprogram_call: `
; section: socket
r1 = 7
r2 = 9
call pc+2
r0 = 0
exit
r0 = r1
r0 += r2
exit`,
  uninit_r0: `
; section: socket
r1 = 1
exit`,
};

describe('verifier log in the kernel\'s format', { skip }, () => {
  for (const [name, src] of Object.entries(EXACT)) {
    test(`${name}: the level-2 log is the kernel's, record for record`, () => {
      const spec = asmObjectSpec(src, { file: `${name}.s`, name });
      for (const level of [1, 2]) {
        const k = kernelLog(spec, name, level);
        const ours = ourLog(spec, name, level);
        assert.equal(ours.ok, k.ok, `verdict (kernel log:\n${k.text})`);
        const kl = parseLog(k.text), ol = parseLog(ours.text);
        assert.deepEqual(compared(ol), compared(kl), `level ${level}\nkernel:\n${k.text}\ntsbpf:\n${ours.text}`);
        assert.ok(ol.stats && kl.stats, 'both end with the statistics line');
      }
    });
  }

  test('corpus: instruction text, line agreement at levels 1 and 2, statistics line', () => {
    const entries = corpusEntries();
    const fig = { skipped: 0, programs: 0, insnsBoth: 0, insnsSame: 0, k2: 0, match2: 0, k1: 0, match1: 0, rejectedBoth: 0, statsBoth: 0, statsProcessedSame: 0 };
    const badInsns: string[] = [];
    for (const e of entries) {
      const spec = e.spec();
      // A program that takes many steps to verify has a log too long to compare (and the kernel's is
      // cut): the kernel's count, which it gives in a few milliseconds, decides.
      const k1 = kernelLog(spec, e.program, 1);
      const steps = parseLog(k1.text).stats?.processed ?? 0;
      if (steps > 3000) { fig.skipped++; continue; }
      const k2 = kernelLog(spec, e.program, 2);
      const o2 = ourLog(spec, e.program, 2);
      fig.programs++;
      const kl = parseLog(k2.text), ol = parseLog(o2.text);
      for (const [pc, text] of kl.insns) {
        const mine = ol.insns.get(pc);
        if (mine === undefined) continue;
        fig.insnsBoth++;
        if (mine === text) fig.insnsSame++;
        else if (badInsns.length < 10) badInsns.push(`${e.id} insn ${pc}: kernel '${text}', tsbpf '${mine}'`);
      }
      const kc = compared(kl).filter((r) => r[0] !== 'M'), oc = compared(ol).filter((r) => r[0] !== 'M');
      fig.k2 += kc.length;
      fig.match2 += lcs(kc, oc);
      if (kl.stats && ol.stats) {
        fig.statsBoth++;
        assert.equal(ol.stats.limit, 1_000_000);
        if (kl.stats.processed === ol.stats.processed) fig.statsProcessedSame++;
      }
      if (!k2.ok && !o2.ok) {
        // Level 1: the failing path only.
        fig.rejectedBoth++;
        const kp = compared(parseLog(k1.text));
        const op = compared(parseLog(ourLog(spec, e.program, 1).text));
        fig.k1 += kp.length;
        fig.match1 += lcs(kp, op);
      }
    }
    const pct = (a: number, b: number): string => (b ? ((100 * a) / b).toFixed(1) : '100.0');
    console.log(`# verifier log: ${fig.programs} programs (${fig.skipped} with over 3000 steps left out); instruction text equal for ${fig.insnsSame}/${fig.insnsBoth}; ` +
      `level-2 records matched ${fig.match2}/${fig.k2} (${pct(fig.match2, fig.k2)}%); ` +
      `level-1 failing paths (${fig.rejectedBoth} programs both reject) ${fig.match1}/${fig.k1} (${pct(fig.match1, fig.k1)}%); ` +
      `statistics line parsed in both for ${fig.statsBoth}, same processed count for ${fig.statsProcessedSame}`);
    assert.ok(fig.programs > 0, 'the corpus is empty');
    assert.deepEqual(badInsns, [], 'instruction text differs');
    assert.equal(fig.statsBoth, fig.programs, 'every log ends with a statistics line');
    // A floor under the measured agreement: the rest is verification that differs (precision marks,
    // pruning points, pointer ranges), not the format.
    assert.ok(fig.match2 / fig.k2 >= 0.75, `level-2 agreement fell to ${pct(fig.match2, fig.k2)}%`);
  });
});

test('the statistics line has the kernel\'s fields with tsbpf\'s numbers', () => {
  const spec = asmObjectSpec('; section: socket\nr0 = 0\nif r1 == 0 goto +1\nr0 = 1\nexit', { file: 'branch.s', name: 'branch' });
  const r = verifyProgram(spec.programs[0]!.insns, { progType: 'socket_filter', maps: [], helpers });
  const s = parseStats(r.log.lines.at(-1)!);
  assert.ok(s, r.log.text());
  // Both sides of the branch: four instructions, then the taken side's exit.
  assert.ok(s.processed >= 5, r.log.text());
  assert.equal(s.processed, r.insnsProcessed);
  assert.equal(s.limit, 1_000_000);
});
