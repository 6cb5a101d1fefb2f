/**
 * Robustness of the ELF reader and object loader: valid objects corrupted at random (seeded; the
 * seed is printed) must each either load or fail with a BpfError. Any other exception is a bug, and
 * so is a slow input (the per-variant time is checked against a generous bound, as a hang guard).
 *
 * Reproduce a run with TSBPF_ELF_FUZZ_SEED=<seed>; change its size with TSBPF_ELF_FUZZ_COUNT.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { BpfError } from '../src/errors.js';
import { parseBtf } from '../src/btf/btf.js';
import { readElf64 } from '../src/elf/elf64.js';
import { loadObjectSpec } from '../src/elf/object.js';
import { compileObject, noClang, removeTempDir } from './support/tools.js';
import { mutate, parseBase } from './support/elf-mutate.js';
import { rng } from './support/rng.js';

after(removeTempDir);

const skip = noClang;
if (skip) console.log(`# elf-fuzz: skipped: ${skip}`);

const BASES = ['obj_calls', 'obj_maps', 'obj_globals', 'obj_legacy_maps', 'obj_static_prog', 'obj_progs', 'obj_core'];
const COUNT = Number(process.env.TSBPF_ELF_FUZZ_COUNT ?? 12000);
const SEED = Number(process.env.TSBPF_ELF_FUZZ_SEED ?? (Date.now() % 0x7fffffff));
/** One variant taking this long means something loops; a normal one takes well under a millisecond. */
const SLOW_MS = 2000;

test(`corrupted objects load or fail with a BpfError (${COUNT} variants, seed ${SEED})`, { skip, timeout: 300_000 }, () => {
  console.log(`# elf-fuzz: seed ${SEED} (TSBPF_ELF_FUZZ_SEED=${SEED} to reproduce), ${COUNT} variants`);
  // CO-RE against a fixed target, never the machine's vmlinux: the run must not depend on the kernel.
  const target = compileObject('obj_core_target');
  const targetBtf = parseBtf(readElf64(target.bytes).sectionByName('.BTF')!.data, { name: 'obj_core_target' });
  const opts = { targetBtf, noSystemBtf: true };
  const bases = BASES.map((name) => {
    const obj = compileObject(name);
    // Every base must load as it is, or the fuzz run would test nothing.
    loadObjectSpec(obj.bytes, { file: name, ...opts });
    return { name, bytes: obj.bytes, elf: parseBase(obj.bytes, name) };
  });
  const r = rng(SEED);
  const failures: string[] = [];
  const codes = new Map<string, number>();
  let loaded = 0;
  let slowest = 0;
  const started = performance.now();
  for (let i = 0; i < COUNT; i++) {
    const base = bases[i % bases.length]!;
    const m = mutate(base.bytes, base.elf, r);
    const t0 = performance.now();
    try {
      loadObjectSpec(m.bytes, { file: `${base.name}#${i}`, ...opts });
      loaded++;
    } catch (e) {
      if (e instanceof BpfError) codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      else if (failures.length < 10) failures.push(`variant ${i} of ${base.name} (${m.what}): ${e instanceof Error ? e.stack : String(e)}`);
    }
    const dt = performance.now() - t0;
    slowest = Math.max(slowest, dt);
    if (dt > SLOW_MS && failures.length < 10) failures.push(`variant ${i} of ${base.name} (${m.what}) took ${dt.toFixed(0)} ms`);
  }
  const total = performance.now() - started;
  console.log(
    `# elf-fuzz: ${loaded} loaded, ${COUNT - loaded} refused (${[...codes].map(([c, n]) => `${c} ${n}`).join(', ')}); ` +
      `${total.toFixed(0)} ms total, slowest variant ${slowest.toFixed(1)} ms`,
  );
  assert.deepEqual(failures, [], `seed ${SEED}: ${failures.join('\n')}`);
  // The run must exercise both outcomes, or the mutations are not reaching the loader.
  assert.ok(loaded > 0 && loaded < COUNT, `seed ${SEED}: ${loaded} of ${COUNT} loaded`);
});
