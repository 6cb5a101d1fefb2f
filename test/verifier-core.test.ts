/**
 * The verifier core (src/verifier/verify.ts) against the kernel as the oracle. Each program of
 * test/c/verifier_valid.c and test/c/verifier_invalid.c is loaded into the running kernel and given
 * to verifyProgram: the verdicts must agree, and for a refusal our message must be a line of the
 * kernel's log (ids normalized). Then every program of every test/c object the kernel accepts goes
 * through verifyProgram; the agreement rate is printed, and each disagreement is a `todo` test
 * that still runs its assertion.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { loadObjectSpec, type ObjectSpec, type ProgramSpec } from '../src/elf/object.js';
import { loadObjectIntoKernel } from '../src/kernel/load-object.js';
import { kernelHelpers } from '../src/helpers/index.js';
import { findProgType } from '../src/progtypes/table.js';
import { verifyProgram, isVerifierError } from '../src/verifier/index.js';
import { kernelUnavailable } from './support/kernel-oracle.js';
import { C_DIR, compileObject, removeTempDir } from './support/tools.js';

const skip = kernelUnavailable();
const helpers = kernelHelpers();

type Verdict = { ok: true } | { ok: false; log: string[]; reason: string };

function kernelVerdict(spec: ObjectSpec, p: ProgramSpec): Verdict {
  try {
    loadObjectIntoKernel(spec, { programs: [p.name] }).close();
    return { ok: true };
  } catch (e) {
    const log = String((e as { log?: string }).log ?? (e as Error).message).split('\n');
    return { ok: false, log, reason: log.filter((l) => l && !l.startsWith('processed')).at(-1) ?? '' };
  }
}

function ourVerdict(spec: ObjectSpec, p: ProgramSpec): Verdict {
  try {
    verifyProgram(p.insns, { progType: p.type, maps: spec.maps.map((m) => m.spec), helpers, program: p, object: spec });
    return { ok: true };
  } catch (e) {
    if (!isVerifierError(e)) throw e;
    return { ok: false, log: [...e.log], reason: e.reason };
  }
}

const norm = (l: string): string => l.replace(/\bid=\d+/g, 'id=N').trim();

function specOf(name: string): ObjectSpec {
  const obj = compileObject(name);
  return loadObjectSpec(obj.bytes, { file: obj.path });
}

after(() => removeTempDir());

describe('verifier core against the kernel', { skip }, () => {
  for (const file of ['verifier_valid', 'verifier_invalid']) {
    describe(file, () => {
      const spec = skip ? undefined : specOf(file);
      for (const p of spec?.programs ?? []) {
        test(p.name, () => {
          const k = kernelVerdict(spec!, p);
          const ours = ourVerdict(spec!, p);
          assert.equal(ours.ok, k.ok, `kernel ${k.ok ? 'accepts' : `refuses: ${!k.ok && k.reason}`}; tsbpf ${ours.ok ? 'accepts' : `refuses: ${!ours.ok && ours.reason}`}`);
          assert.equal(k.ok, file === 'verifier_valid', 'the program is in the wrong file');
          if (!k.ok && !ours.ok) {
            const kernelLines = new Set(k.log.map(norm));
            assert.ok(kernelLines.has(norm(ours.reason)), `our message "${ours.reason}" is not in the kernel's log:\n${k.log.slice(-6).join('\n')}`);
          }
        });
      }
    });
  }
});

describe('verifier core over every test/c object the kernel accepts', { skip }, () => {
  const names = skip ? [] : readdirSync(C_DIR).filter((f) => f.endsWith('.c') && !f.startsWith('verifier_')).map((f) => f.slice(0, -2));
  let agree = 0, total = 0;
  const rows: { obj: string; p: ProgramSpec; spec: ObjectSpec; ours: Verdict }[] = [];
  for (const name of names) {
    let spec: ObjectSpec;
    try {
      spec = specOf(name);
    } catch {
      continue; // objects that need other flags or targets are covered by their own tests
    }
    for (const p of spec.programs) {
      if (!p.sectionInfo.autoload || !findProgType(p.type) || p.type === 'seccomp') continue;
      const k = kernelVerdict(spec, p);
      if (!k.ok) continue;
      const ours = ourVerdict(spec, p);
      total++;
      if (ours.ok) agree++;
      rows.push({ obj: name, p, spec, ours });
    }
  }
  test(`agreement: tsbpf accepts ${agree} of ${total} kernel-accepted programs`, () => {
    console.log(`# verifier agreement: ${agree}/${total} (${total ? ((100 * agree) / total).toFixed(1) : '0'}%)`);
    assert.ok(total > 0);
  });
  for (const r of rows) {
    const why = r.ours.ok ? undefined : `tsbpf refuses: ${r.ours.reason}`;
    test(`${r.obj}/${r.p.name} [${r.p.type}]`, why ? { todo: why } : {}, () => {
      assert.ok(r.ours.ok, why);
    });
  }
});
