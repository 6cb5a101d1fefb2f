/**
 * The conformance suite (../shared/conformance) under the JIT: every vector must give exactly what
 * the interpreter gives (r0, instruction count, the memory block afterwards, or the same error),
 * and the vectors with an expected result must also give that result. A vector the JIT hands to
 * the interpreter (irreducible control flow) is counted and must stay rare.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConformanceFile, conformanceProgram } from '../src/isa/conformance-file.js';
import { prepare, execute } from '../src/vm/interpreter.js';
import { executeJit, jitOf } from '../src/jit/index.js';
import { BpfError } from '../src/errors.js';
import { CONFORMANCE_DIR } from './support/paths.js';
import { conformanceFiles, conformanceHelpers } from './support/conformance-kit.js';

type Outcome = { r0: string; insns: number; mem: string } | { error: string };

function outcome(f: () => { r0: bigint; insns: number; mem: Uint8Array }): Outcome {
  try {
    const r = f();
    return { r0: '0x' + r.r0.toString(16), insns: r.insns, mem: Buffer.from(r.mem).toString('hex') };
  } catch (e) {
    if (!(e instanceof BpfError)) throw e;
    return { error: `${e.code}: ${e.message}` };
  }
}

const files = conformanceFiles();
if (files.length === 0) console.log(`jit conformance: skipped: no conformance vectors at ${CONFORMANCE_DIR}`);

test('conformance suite: the JIT gives what the interpreter gives', { skip: files.length === 0 ? `no conformance vectors at ${CONFORMANCE_DIR}` : false }, () => {
  let same = 0, compiled = 0, prepared = 0;
  const fallbacks: string[] = [];
  const differences: string[] = [];
  for (const f of files) {
    const c = parseConformanceFile(readFileSync(join(CONFORMANCE_DIR, f), 'utf8'), f);
    let prog;
    try {
      prog = prepare(conformanceProgram(c), { helpers: conformanceHelpers(), file: f });
    } catch (e) {
      if (e instanceof BpfError) continue; // refused before running: no engine involved
      throw e;
    }
    prepared++;
    const j = jitOf(prog);
    if (typeof j === 'string') fallbacks.push(`${f}: ${j}`);
    else compiled++;
    const a = outcome(() => execute(prog, { mem: c.mem.slice() }));
    const b = outcome(() => executeJit(prog, { mem: c.mem.slice() }));
    if (JSON.stringify(a) === JSON.stringify(b)) same++;
    else differences.push(`${f}:\n  interp ${JSON.stringify(a)}\n  jit    ${JSON.stringify(b)}`);
    if (c.result !== undefined && 'r0' in b) {
      if (b.r0 !== '0x' + BigInt.asUintN(64, c.result).toString(16)) differences.push(`${f}: jit r0 ${b.r0}, expected 0x${BigInt.asUintN(64, c.result).toString(16)}`);
    }
  }
  console.log(`jit conformance: ${same} of ${prepared} runnable vectors identical, ${compiled} compiled, ${fallbacks.length} on the interpreter`);
  for (const x of fallbacks) console.log(`  interpreter: ${x}`);
  assert.deepEqual(differences, []);
  assert.ok(fallbacks.length <= 2, `too many vectors fell back to the interpreter:\n${fallbacks.join('\n')}`);
});
