/**
 * Tracing program types: raw tracepoint test runs against the kernel (ctx_in as u64 arguments,
 * its refusals), the ENOTSUPP the kernel gives kprobes, tracepoints and perf events, and
 * runWithContext on contexts built with the context builders; tsbpf's seccomp programs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import type { Vm, VmProgram } from '../src/vm/runtime.js';
import type { VmObject } from '../src/vm/load-object.js';
import { runWithContext, testRun, BPF_F_TEST_RUN_ON_CPU } from '../src/progtypes/test-run.js';
import { perfEventData, ptRegs, ptRegsForCall, seccompData, u64Args, AUDIT_ARCH_X86_64 } from '../src/progtypes/contexts-build.js';
import { parseTracepointFormat, tracepointLayout, tracepointRecord } from '../src/progtypes/tracepoint-format.js';
import { maxContextReach } from '../src/progtypes/ctx-reach.js';
import { kernelCleanup, kernelUnavailable } from './support/kernel-oracle.js';
import { loadVm, pinProgtypes } from './support/progtypes-oracle.js';
import { agree } from './support/progtypes-compare.js';

// Compiled objects, pins and temporary files go when the file's tests are done.
after(kernelCleanup);

const why = kernelUnavailable();
if (why) console.log(`# progtypes-trace: kernel comparisons skipped: ${why}`);

describe('raw tracepoint and unsupported test runs agree with the kernel', { skip: why }, () => {
  let vm: Vm, obj: VmObject, dir: string;
  const prog = (n: string): VmProgram => obj.programs.get(n)!;
  const pin = (n: string): string => `${dir}/${n}`;
  before(async () => {
    ({ vm, obj } = await loadVm('trace', { nCpus: cpus().length }));
    dir = pinProgtypes('trace');
  });
  after(kernelCleanup);

  test('ctx_in is the arguments; retval is r0 truncated to 32 bits', () => {
    const cases: [string, Uint8Array][] = [
      ['three arguments', u64Args([1, 2, 3])],
      ['twelve arguments', u64Args([...Array(12).keys()])],
      ['not a multiple of 8', new Uint8Array(25).fill(1)],
      ['large values', u64Args([0xffffffffffn, 0x123456789n, 1n << 63n])],
    ];
    for (const [what, ctx] of cases) agree(vm, prog('raw_args'), pin('raw_args'), { ctxIn: ctx }, what, 'syscall');
    assert.equal(agree(vm, prog('raw_high'), pin('raw_high'), { ctxIn: u64Args([0x1234567800000000n]) }, 'upper half', 'syscall').retval, 0x12345678);
  });

  test('refusals: sizes, data, ctx_out, repeat, cpu', () => {
    const p = prog('raw_args'), k = pin('raw_args');
    const three = u64Args([1, 2, 3]);
    const cases: [string, Parameters<typeof agree>[3]][] = [
      ['shorter than what the program reads', { ctxIn: u64Args([1, 2]) }],
      ['no ctx_in', {}],
      ['13 arguments', { ctxIn: new Uint8Array(104) }],
      ['repeat', { ctxIn: three, repeat: 1 }],
      ['data_in', { ctxIn: three, dataIn: new Uint8Array(20) }],
      ['ctx_out', { ctxIn: three, ctxOut: true }],
      ['cpu without the flag', { ctxIn: three, cpu: 1 }],
      ['a cpu that is not there', { ctxIn: three, cpu: 99, flags: BPF_F_TEST_RUN_ON_CPU }],
    ];
    for (const [what, opts] of cases) assert.ok(agree(vm, p, k, opts, what, 'syscall').errno, `${what}: both refuse`);
    agree(vm, p, k, { ctxIn: three, cpu: cpus().length - 1, flags: BPF_F_TEST_RUN_ON_CPU }, 'on the last cpu', 'syscall');
    agree(vm, p, k, { ctxIn: three, flags: 2 }, 'an unknown flag is ignored', 'syscall');
  });

  test('kprobe, tracepoint and perf_event programs: ENOTSUPP', () => {
    for (const [n, size] of [['kprobe_regs', 168], ['tp_nr', 16], ['perf_period', 184]] as const) {
      assert.equal(agree(vm, prog(n), pin(n), { ctxIn: new Uint8Array(size) }, n, 'syscall').errno, 'ENOTSUPP');
    }
  });

  test('the context reach matches what the kernel checks', () => {
    assert.equal(maxContextReach(prog('raw_args').xlated), 24);
    assert.equal(maxContextReach(prog('raw_high').xlated), 8);
  });
});

describe('runWithContext runs tracing programs on built contexts', () => {
  let vm: Vm, obj: VmObject;
  const prog = (n: string): VmProgram => obj.programs.get(n)!;
  before(async () => {
    ({ vm, obj } = await loadVm('trace'));
  });

  test('a kprobe reads the registers it is given', () => {
    const r = runWithContext(vm, prog('kprobe_regs'), ptRegs({ rdi: 100, si: 58 }));
    assert.equal(r.retval, 42);
    assert.equal(r.verdict?.name, 'RECORDED');
    assert.equal(runWithContext(vm, prog('kprobe_regs'), ptRegsForCall([7, 7])).verdict?.name, 'FILTERED');
    assert.throws(() => ptRegs({ xyz: 1 }), /no register 'xyz'/);
  });

  test('a tracepoint reads its record after the common fields', () => {
    const r = runWithContext(vm, prog('tp_nr'), tracepointRecord(OPENAT, { __syscall_nr: 257, dfd: -100, filename: 0x7fff0000n, flags: 0, mode: 0 }));
    assert.equal(r.retval, 257);
  });

  test('a perf event program reads the sample period and registers', () => {
    assert.equal(runWithContext(vm, prog('perf_period'), perfEventData({ samplePeriod: 1000, regs: { rip: 0x1234 } })).retval, 1000 + 0x34);
  });

  test('raw tracepoint via testRun and runWithContext alike', () => {
    assert.equal(testRun(vm, prog('raw_args'), { ctxIn: u64Args([1, 2, 3]) }).retval, 14);
    assert.equal(runWithContext(vm, prog('raw_args'), u64Args([1, 2, 3])).retval, 14);
  });

  test('unsupported types say to use runWithContext', () => {
    assert.throws(() => testRun(vm, prog('kprobe_regs'), { ctxIn: ptRegs() }), (e: Error & { code?: string }) => e.code === 'ENOTSUPP' && /runWithContext/.test(e.message));
  });

  test('a context is read-only unless asked otherwise', () => {
    assert.throws(() => runWithContext(vm, prog('raw_args'), new Uint8Array(8)), { code: 'EFAULT' });
  });
});

/** The format tracefs gives for syscalls/sys_enter_openat (Linux 6.x, x86-64). */
const OPENAT = parseTracepointFormat(`name: sys_enter_openat
ID: 633
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:int __syscall_nr;	offset:8;	size:4;	signed:1;
	field:int dfd;	offset:16;	size:8;	signed:0;
	field:const char * filename;	offset:24;	size:8;	signed:0;
	field:int flags;	offset:32;	size:8;	signed:0;
	field:umode_t mode;	offset:40;	size:8;	signed:0;

print fmt: "dfd: 0x%08lx, filename: 0x%08lx, flags: 0x%08lx, mode: 0x%08lx", ((unsigned long)(REC->dfd)), ((unsigned long)(REC->filename)), ((unsigned long)(REC->flags)), ((unsigned long)(REC->mode))
`);

describe('tracepoint formats', () => {
  test('fields, layout and records', () => {
    assert.equal(OPENAT.name, 'sys_enter_openat');
    assert.equal(OPENAT.id, 633);
    assert.equal(OPENAT.size, 48);
    assert.deepEqual(OPENAT.fields.map((f) => [f.name, f.offset, f.size]).slice(4), [['__syscall_nr', 8, 4], ['dfd', 16, 8], ['filename', 24, 8], ['flags', 32, 8], ['mode', 40, 8]]);
    const layout = tracepointLayout(OPENAT);
    assert.equal(layout.fields.find((f) => f.name === 'common_pid')!.access, 'none');
    const rec = tracepointRecord(OPENAT, { dfd: -100 });
    assert.equal(new DataView(rec.buffer).getBigInt64(16, true), -100n);
  });

  test('arrays and __data_loc strings', () => {
    const f = parseTracepointFormat(`name: sched_process_exec
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:__data_loc char[] filename;	offset:8;	size:4;	signed:0;
	field:pid_t pid;	offset:12;	size:4;	signed:1;
	field:char comm[16];	offset:16;	size:16;	signed:0;
`);
    assert.deepEqual(f.fields.map((x) => [x.name, x.type, x.count]), [['common_type', 'unsigned short', undefined], ['filename', '__data_loc char[]', undefined], ['pid', 'pid_t', undefined], ['comm', 'char[]', 16]]);
    const rec = tracepointRecord(f, { filename: '/bin/sh', pid: 42, comm: 'sh' });
    const dv = new DataView(rec.buffer);
    const loc = dv.getUint32(8, true);
    assert.equal(loc & 0xffff, 32);
    assert.equal(loc >>> 16, 8);
    assert.equal(new TextDecoder().decode(rec.subarray(32, 39)), '/bin/sh');
    assert.equal(rec[16], 's'.charCodeAt(0));
    assert.throws(() => tracepointRecord(f, { nope: 1 }), /no field 'nope'/);
    assert.throws(() => parseTracepointFormat('name: x\n'), /no fields/);
  });
});

describe('seccomp programs (a tsbpf type)', () => {
  test('verdicts for system calls built with seccompData', async () => {
    const { vm, obj } = await loadVm('seccomp');
    const p = obj.programs.get('filter')!;
    const run = (nr: number, args: number[] = [], arch = AUDIT_ARCH_X86_64) => testRun(vm, p, { ctxIn: seccompData({ nr, arch, args }) }).verdict;
    assert.deepEqual(run(59), { name: 'SECCOMP_RET_ERRNO', description: 'SECCOMP_RET_ERRNO(1)' });
    assert.equal(run(257, [-100]).name, 'SECCOMP_RET_LOG');
    assert.equal(run(257, [3]).name, 'SECCOMP_RET_ALLOW');
    assert.equal(run(0, [], 0x40000003).name, 'SECCOMP_RET_KILL_PROCESS');
    assert.throws(() => testRun(vm, p, {}), { code: 'EINVAL' });
    assert.throws(() => testRun(vm, p, { ctxIn: new Uint8Array(65).fill(1) }), { code: 'E2BIG' });
    assert.equal(testRun(vm, p, { ctxIn: seccompData({ nr: 1 }), repeat: 10 }).runs, 10);
  });
});
