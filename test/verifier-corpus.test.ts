/**
 * The verifier corpus against the kernel (test/verifier-corpus/, read by test/support/verifier-corpus.ts):
 * every program is loaded into the running kernel, whose verdict is the truth, and given to tsbpf's
 * verifier. The verdicts must agree, except the documented differences of
 * test/verifier-corpus/differences.json (each with its reason; a listed program that now agrees fails,
 * so the list stays true). The author's intent (accept/reject in the header) must match the kernel's
 * verdict, so each program tests what it says it tests. A summary line gives the figures.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kernelUnavailable } from './support/kernel-oracle.js';
import { removeTempDir } from './support/tools.js';
import { CORPUS_DIR, corpusEntries, kernelVerdict, normLine, ourVerdict, type Verdict } from './support/verifier-corpus.js';

const skip = kernelUnavailable();
if (skip) console.log(`verifier corpus: skipped (${skip})`);

const differences: Record<string, string> = JSON.parse(readFileSync(join(CORPUS_DIR, 'differences.json'), 'utf8'));

after(() => removeTempDir());

describe('verifier corpus against the kernel', { skip }, () => {
  const entries = skip ? [] : corpusEntries();
  const stats = { total: 0, kAccept: 0, kReject: 0, agree: 0, sameMessage: 0, documented: 0 };
  const reasons = new Map<string, string[]>();
  const describeV = (v: Verdict): string => (v.ok ? 'accepts' : `rejects (${v.errno}): ${v.reason}`);

  test('the corpus has unique names and a stated intent for each program', () => {
    const ids = entries.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length, 'duplicate program names');
    for (const id of Object.keys(differences)) assert.ok(ids.includes(id), `differences.json names ${id}, which is not in the corpus`);
  });

  for (const e of entries) {
    test(e.id, () => {
      const k = kernelVerdict(e);
      const ours = ourVerdict(e);
      stats.total++;
      if (k.ok) stats.kAccept++; else stats.kReject++;
      if (!k.ok) reasons.set(normLine(k.reason), [...(reasons.get(normLine(k.reason)) ?? []), e.id]);
      assert.equal(k.ok, e.intent === 'accept', `the program is meant to be ${e.intent}ed (${e.about}), but the kernel ${describeV(k)}`);
      const agree = k.ok === ours.ok;
      const documented = differences[e.id];
      if (documented !== undefined) {
        stats.documented++;
        assert.ok(!agree, `listed in differences.json (${documented}) but tsbpf now agrees with the kernel: remove it from the list`);
        return;
      }
      if (agree) stats.agree++;
      assert.ok(agree, `kernel ${describeV(k)}\ntsbpf ${describeV(ours)}${!ours.ok ? `\ntsbpf log tail:\n  ${ours.log.slice(-5).join('\n  ')}` : ''}${!k.ok ? `\nkernel log tail:\n  ${k.log.slice(-5).join('\n  ')}` : ''}`);
      if (!k.ok && !ours.ok) {
        if (k.log.map(normLine).includes(normLine(ours.reason))) stats.sameMessage++;
        assert.equal(ours.errno, k.errno, `same verdict, but errno ${ours.errno} where the kernel gives ${k.errno}`);
      }
    });
  }

  after(() => {
    if (!stats.total) return;
    console.log(`verifier corpus: ${stats.total} programs (${stats.kAccept} accepted, ${stats.kReject} rejected by Linux with ${reasons.size} distinct messages); ` +
      `tsbpf agrees on ${stats.agree} of ${stats.total - stats.documented} (documented differences: ${stats.documented}); ` +
      `rejection message is a line of the kernel's log for ${stats.sameMessage}`);
  });
});
