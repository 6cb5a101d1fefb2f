/**
 * The public BPF conformance suite (../shared/conformance/*.data), read in place: every file is a
 * test case; `-- result` must match r0 exactly, `-- error` must fail. callx (`call %rN`) is not in
 * RFC 9669 and the kernel rejects it, so that file is an expected rejection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConformanceFile, conformanceProgram } from '../src/isa/conformance-file.js';
import { run } from '../src/vm/interpreter.js';
import { BpfError } from '../src/errors.js';
import { CONFORMANCE_DIR } from './support/paths.js';
import { conformanceFiles, conformanceHelpers } from './support/conformance-kit.js';

/** Files whose program must be refused, and the reason the refusal must give. */
const EXPECTED_REJECTIONS: Record<string, RegExp> = {
  'callx.data': /callx/,
};

const files = conformanceFiles();
const tally = { passed: 0, failed: 0, rejectedAsExpected: 0 };

test('conformance suite', { skip: files.length === 0 ? `no conformance vectors at ${CONFORMANCE_DIR}` : false }, async (t) => {
  for (const f of files) {
    await t.test(f, () => {
      try {
        const c = parseConformanceFile(readFileSync(join(CONFORMANCE_DIR, f), 'utf8'), f);
        const expectReject = EXPECTED_REJECTIONS[f];
        let outcome: { r0: bigint } | BpfError;
        try {
          outcome = run(conformanceProgram(c), { mem: c.mem, helpers: conformanceHelpers(), file: f });
        } catch (e) {
          if (!(e instanceof BpfError)) throw e;
          outcome = e;
        }
        if (expectReject || c.error !== undefined) {
          assert.ok(outcome instanceof BpfError, `${f}: expected an error, got r0 = 0x${(outcome as { r0: bigint }).r0?.toString(16)}`);
          if (expectReject) assert.match(outcome.message, expectReject);
          tally.rejectedAsExpected++;
        } else {
          if (outcome instanceof BpfError) assert.fail(`${f}: ${outcome.message}`);
          assert.equal('0x' + outcome.r0.toString(16), '0x' + BigInt.asUintN(64, c.result!).toString(16), `${f}: r0`);
        }
        tally.passed++;
      } catch (e) {
        tally.failed++;
        throw e;
      }
    });
  }
  // A plain closing line for people and CI: how much of the suite holds.
  console.log(`conformance: ${tally.passed} passed, ${tally.failed} failed (${files.length} files, ${tally.rejectedAsExpected} expected rejections)`);
  assert.equal(tally.passed, files.length);
});
