/**
 * The plain-words explanations of rejections (src/verifier/explain.ts): the values in words, the
 * register and bounds filled in from the state at the failure, and how much of the corpus's
 * rejections get one (every rejection should; the figure is printed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scalar } from '../src/verifier/scalar.js';
import { describeScalar, explainRejection } from '../src/verifier/explain.js';
import { verifyProgram, isVerifierError, type VerifierError } from '../src/verifier/index.js';
import { asmObjectSpec } from '../src/object/asm-spec.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { corpusEntries } from './support/verifier-corpus.js';

const helpers = kernelHelpers();

function rejection(src: string): VerifierError {
  const spec = asmObjectSpec(src, { file: 'x.s', name: 'x' });
  const p = spec.programs[0]!;
  try {
    verifyProgram(p.insns, { progType: p.type, maps: spec.maps.map((m) => m.spec), helpers, program: p, object: spec });
  } catch (e) {
    if (isVerifierError(e)) return e;
    throw e;
  }
  assert.fail('the verifier accepted it');
}

test('values in words', () => {
  assert.equal(describeScalar(Scalar.const(5n)), 'is 5');
  assert.equal(describeScalar(Scalar.unknown()), 'may be any number up to 2^64');
  assert.equal(describeScalar(Scalar.urange(0n, 255n)), 'is between 0 and 255');
  assert.equal(describeScalar(Scalar.urange(0n, (1n << 32n) - 1n)), 'may be any number up to 2^32');
  assert.match(describeScalar(Scalar.const(-3n).join(Scalar.const(4n))), /^may be negative \(from -3 to 4\)$/);
});

test('an unbounded index: the register, its bounds and a bound to add', () => {
  const e = rejection(`; section: xdp
; map m array key=4 value=64 entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r1 = *(u64 *)(r0 + 0)
r1 >>= 2
r0 += r1
r0 = *(u8 *)(r0 + 0)
exit`);
  assert.match(e.reason, /^R0 unbounded memory access/);
  assert.equal(e.explanation?.register, 'r0');
  assert.match(e.explanation!.reason, /in r0 may be any number up to 2\^62/);
  assert.match(e.explanation!.reason, /r0=map_value\(map=m,ks=4,vs=64,smin=0,smax=umax=0x3fffffffffffffff/);
  assert.match(e.explanation!.fix, /if \(len > 64\) return 0;/);
});

test('an index past the end of a map value: the size and the largest allowed index', () => {
  const e = rejection(`; section: xdp
; map m array key=4 value=16 entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r1 = *(u64 *)(r0 + 0)
r1 &= 31
r0 += r1
r0 = *(u32 *)(r0 + 0)
exit`);
  assert.match(e.reason, /^R0 max value is outside of the allowed memory range/);
  assert.equal(e.explanation?.register, 'r0');
  assert.match(e.explanation!.reason, /16-byte map value/);
  assert.match(e.explanation!.reason, /between 0 and 31/);
  assert.match(e.explanation!.fix, /if \(idx > 12\) return 0;/);
});

test('a possibly NULL pointer and an unset register', () => {
  const e = rejection(`; section: xdp
; map m hash key=4 value=8 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit`);
  assert.equal(e.explanation?.register, 'r0');
  assert.match(e.explanation!.reason, /may be NULL/);
  assert.match(e.explanation!.fix, /if r0 == 0 goto/);
  const u = rejection('r0 = r3\nexit');
  assert.equal(u.explanation?.register, 'r3');
  assert.match(u.explanation!.reason, /read before anything was written/);
  const noRet = rejection('r1 = 0\nexit');
  assert.match(noRet.explanation!.reason, /exits without setting r0/);
});

test('a message the table does not know has no explanation', () => {
  assert.equal(explainRejection('something new the kernel says'), undefined);
});

test('the corpus: every rejection has an explanation, naming the register the message names', () => {
  let rejected = 0;
  let explained = 0;
  const unexplained = new Map<string, number>();
  for (const e of corpusEntries()) {
    if (!e.file.endsWith('.s') || e.intent !== 'reject') continue;
    const spec = e.spec();
    const p = spec.programs.find((x) => x.name === e.program)!;
    // Programs that run the verifier to its 1M-instruction limit take long and say one thing.
    if (/1,000,000|processed-instruction limit/i.test(e.about)) continue;
    let err: VerifierError | undefined;
    try {
      verifyProgram(p.insns, { progType: p.type, maps: spec.maps.map((m) => m.spec), helpers, program: p, object: spec });
    } catch (x) {
      if (!isVerifierError(x)) throw x;
      err = x;
    }
    if (!err) continue;
    rejected++;
    const ex = err.explanation;
    if (!ex) {
      const k = err.reason.replace(/\d+/g, 'N');
      unexplained.set(k, (unexplained.get(k) ?? 0) + 1);
      continue;
    }
    explained++;
    const named = /^R(\d+) /.exec(err.reason);
    if (named) assert.equal(ex.register, `r${named[1]}`, `${e.id}: ${err.reason}`);
    assert.ok(ex.reason.length > 0 && ex.fix.length > 0, e.id);
  }
  console.log(`# explanations: ${explained} of ${rejected} rejections of the assembly corpus${unexplained.size ? `; none for: ${[...unexplained.keys()].join(' | ')}` : ''}`);
  assert.ok(rejected > 100, `only ${rejected} rejections`);
  assert.ok(explained / rejected >= 0.95, `explanations for ${explained} of ${rejected}`);
});
