/**
 * CO-RE relocations applied by the object loader: against a hand-made target BTF (obj_core_target.c),
 * without any target (a clear error), against the running kernel's BTF, and compared with what
 * libbpf and the kernel make of the same object (bpftool prog loadall + dump xlated).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBtf } from '../src/btf/btf.js';
import { POISON_HELPER_ID } from '../src/btf/core.js';
import { BpfError } from '../src/errors.js';
import { readElf64 } from '../src/elf/elf64.js';
import { loadObjectSpec, type ProgramSpec } from '../src/elf/object.js';
import { slotOffsets, validateProgram } from '../src/isa/insn.js';
import { CALL_CODE } from '../src/isa/opcodes.js';
import {
  compileObject, compileSource, noBpftool, noClang, noKernelLoad, noVmlinux, removeTempDir, runStatus, tools, VMLINUX, withLoadedObject,
} from './support/tools.js';

after(removeTempDir);

const skip = noClang;
if (skip) console.log(`# elf-core: skipped: ${skip}`);

function targetBtf() {
  const t = compileObject('obj_core_target');
  return parseBtf(readElf64(t.bytes, t.path).sectionByName('.BTF')!.data, { name: t.path });
}

/** The immediates of `rX = imm` (mov64 imm) instructions, in order: where clang puts field offsets. */
const movImms = (p: ProgramSpec) => p.insns.filter((i) => i.code === 0xb7).map((i) => i.imm);

test('field offsets, existence and sizes are relocated against the target BTF, in every program', { skip }, () => {
  const obj = compileObject('obj_core');
  const spec = loadObjectSpec(obj.bytes, { file: obj.path, targetBtf: targetBtf() });
  const a = spec.programs.find((p) => p.name === 'core_a')!;
  const b = spec.programs.find((p) => p.name === 'core_b')!;
  // core_a: pid at 24 (was 0); exists(state) 1; type_exists(obj_absent) 0; sizeof(state) 2 (was 8);
  // read_tgid (appended .text subprogram): tgid at 16 (was 4).
  const tgidSlot = (p: ProgramSpec) => p.functions.find((f) => f.name === 'read_tgid')!.slot;
  assert.equal(a.insns[1]!.imm, 24);
  assert.deepEqual(movImms(a).slice(0, 6), [24, 4, 1, 0, 2, 0]);
  const at = (p: ProgramSpec, slot: number) => p.insns[slotOffsets(p.insns).indexOf(slot)]!;
  assert.equal(at(a, tgidSlot(a) + 1).imm, 16);
  assert.equal(at(b, tgidSlot(b) + 1).imm, 16, 'the shared subprogram is relocated in each program');
  assert.equal(a.coreRelocs, 5);
  assert.equal(b.coreRelocs, 1);
  validateProgram(a.insns);
  validateProgram(b.insns);
});

test('a program that needs CO-RE and has no target BTF is an error saying how to give one', { skip }, () => {
  const obj = compileObject('obj_core');
  try {
    loadObjectSpec(obj.bytes, { file: obj.path, noSystemBtf: true });
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof BpfError, String(e));
    assert.equal(e.code, 'ENOENT');
    for (const part of [obj.path, `prog 'core_a'`, 'CO-RE relocation', 'struct obj_task', '--btf FILE', VMLINUX]) {
      assert.ok(e.message.includes(part), `${e.message} lacks ${part}`);
    }
  }
  // Objects without CO-RE never look for a target.
  const plain = compileObject('obj_calls');
  assert.equal(loadObjectSpec(plain.bytes, { file: plain.path, noSystemBtf: true }).programs.length, 2);
});

test('against the running kernel: fields of types it lacks are poisoned, not errors', { skip: skip ?? noVmlinux }, () => {
  const obj = compileObject('obj_core');
  const spec = loadObjectSpec(obj.bytes, { file: obj.path });
  const a = spec.programs.find((p) => p.name === 'core_a')!;
  // struct obj_task is not a kernel type: the offset loads become calls to the poison helper.
  assert.deepEqual(a.insns[1], { code: CALL_CODE, dst: 0, src: 0, off: 0, imm: POISON_HELPER_ID });
});

const KERNEL_CORE_SRC = `
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
struct task_struct { int pid; int tgid; void *stack; } __attribute__((preserve_access_index));
SEC("kprobe/do_nanosleep")
int core_pid(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	return BPF_CORE_READ(t, pid) + BPF_CORE_READ(t, tgid) + bpf_core_field_size(t->stack);
}
char LICENSE[] SEC("license") = "GPL";
`;

test('the kernel (through libbpf) relocates the same object to the same offsets', { skip: skip ?? noVmlinux ?? noBpftool ?? noKernelLoad }, (t) => {
  const obj = compileSource('core_kernel', KERNEL_CORE_SRC);
  const ours = loadObjectSpec(obj.bytes, { file: obj.path }).programs[0]!;
  assert.ok(!ours.insns.some((i) => i.code === CALL_CODE && i.imm === POISON_HELPER_ID), 'task_struct fields exist in vmlinux');
  withLoadedObject(t, obj.path, 'tsbpf_elf_core', (pin) => {
    const dump = runStatus(tools.bpftool!, ['prog', 'dump', 'xlated', 'pinned', `${pin}/core_pid`]);
    assert.ok(dump.ok, dump.out);
    const kernel = [...dump.out.matchAll(/\(b7\) r\d+ = (-?\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(movImms(ours), kernel);
  });
});
