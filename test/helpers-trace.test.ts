/**
 * Tracing helpers from compiled C: trace_printk lines (text checked against what Linux 6.18 wrote
 * to /sys/kernel/tracing/trace for the same formats), snprintf, strncmp, probe_read*, the task and
 * clock helpers from fixedEnv, and stack ids.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixedEnv } from '../src/vm/env.js';
import { StackTraceMap } from '../src/maps/index.js';
import { FUNC_IP, KERNEL_STACK } from '../src/helpers/index.js';
import { clangMissing, ctxWords, loadHelpersObject, runCtx } from './support/helpers-kit.js';
import { removeElfTempDir } from './support/elf-tools.js';

const skip = clangMissing();
if (skip) console.log(`# skipping helpers-trace tests: ${skip}`);
after(() => removeElfTempDir());

const OBJ = 'helpers_trace';
const out = (t: ReturnType<typeof loadHelpersObject>, n: number): bigint[] => Array.from({ length: n }, (_, i) => t.value('out', i)!);

test('trace_printk writes trace_pipe lines with the Env\'s task, CPU and time', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  runCtx(t.vm, t.prog('printk'));
  const texts = [
    'hello 42 ff',
    'w[000000ab] [-3   ] [    7]',
    's=str c=Z %',
    'll -1 18446744073709551615 1234567890abcdef',
    'i -5 -6 7',
    'X BEEF +5  6',
    '[  str][str  ][a  b]',
    'ffffffff ffffffffffffffff 5',
    '-0042|42   |+0042|000ab',
    '10.0.0.1 010.000.000.001 ',
    'nl\n',
  ];
  // fixedEnv: time starts at 1 s and each read of the clock moves it by 1 µs.
  const expected = texts.map((text, i) => `      tsbpf-test-4242    [000] d..31     1.${String(i + 1).padStart(6, '0')}: bpf_trace_printk: ${text}`);
  assert.deepEqual(t.vm.traceLog, expected);
  assert.equal(t.value('out', 0), 3n, 'returns the bytes written');
});

test('trace lines take CPU, task and flags from the run', { skip }, () => {
  const t = loadHelpersObject(OBJ, { env: fixedEnv({ comm: 'a-very-long-task-name', pid: 7, startNs: 12_345_678_900_000n }) });
  runCtx(t.vm, t.prog('printk'), undefined, (run) => { run.state.traceFlags = 'b..11'; }, 1);
  assert.equal(t.vm.traceLog[0], ' a-very-long-tas-7       [001] b..11 12345.678901: bpf_trace_printk: hello 42 ff');
});

test('trace_vprintk takes its arguments from an array', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  runCtx(t.vm, t.prog('vprintk'), ctxWords(-5));
  assert.deepEqual(t.vm.traceLog, ['      tsbpf-test-4242    [000] d..31     1.000001: bpf_trace_printk: four 1 2 3 -5']);
  assert.deepEqual([t.value('out', 0), t.value('out', 1)], [BigInt('four 1 2 3 -5'.length), -22n], 'data_len not a multiple of 8: EINVAL');
});

test('trace_printk refuses what the kernel refuses with -EINVAL', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  runCtx(t.vm, t.prog('printk_bad'));
  // %q, %s followed by a letter, four conversions, a precision, '#', %pZ, a format without a NUL
  assert.deepEqual(out(t, 7), Array(7).fill(-22n));
  assert.equal(t.value('out', 7), BigInt('ok '.length + 16));
  assert.equal(t.vm.traceLog.length, 1);
  assert.match(t.vm.traceLog[0]!, /bpf_trace_printk: ok ffff[0-9a-f]{12}$/);
});

test('snprintf formats into BPF memory, truncates, and returns the full length with its NUL', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  runCtx(t.vm, t.prog('snprintf_prog'), ctxWords(0xabc));
  const want = 'pid=4242 comm=tsbpf hex=00000abc';
  assert.equal(t.globalString('text'), want);
  assert.equal(t.value('out', 0), BigInt(want.length + 1));
  assert.equal(t.globalString('small'), '100-200', 'cut to str_size - 1 bytes and a NUL');
  assert.equal(t.value('out', 1), 12n, '"100-200-300" and its NUL');
  assert.equal(t.value('out', 2), -22n, 'more conversions than arguments');
  assert.equal(t.value('out', 3), -22n, 'data_len not a multiple of 8');
  assert.equal(t.value('out', 4), 2n, 'a NULL buffer of size 0 still counts');
});

test('strncmp answers -1, 0 or 1 like the kernel\'s strncmp', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  runCtx(t.vm, t.prog('strncmp_prog'));
  assert.deepEqual(out(t, 6), [0n, -1n, 1n, -1n, 0n, 1n]);
});

test('probe_read copies from anywhere; a bad address fails with the destination zeroed', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  runCtx(t.vm, t.prog('probe'), ctxWords(0xdead0000n, 0x1122334455667788n));
  // A user-space address given to probe_read_kernel is -ERANGE on x86-64; probe_read (compat) and
  // the _user variants say -EFAULT.
  assert.deepEqual(out(t, 9), [0n, -34n, 0n, 14n, 8n, -14n, 0n, 0n, 0x55667788n]);
  assert.equal(new TextDecoder().decode(t.global('bytes').subarray(0, 8)), 'kernel m');
  assert.equal(t.globalString('comm'), 'kernel memory');
  assert.equal(t.globalString('small'), 'kernel ', 'probe_read_str cuts to size - 1 and a NUL');
  assert.ok(t.global('text').every((b) => b === 0));
  runCtx(t.vm, t.prog('probe'), ctxWords(0xffff880000001000n, 0));
  assert.deepEqual([t.value('out', 1), t.value('out', 5)], [-14n, -14n], 'an unmapped kernel address: EFAULT');
});

test('task helpers report the fixedEnv task; get_func_ip reads the run state', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  runCtx(t.vm, t.prog('task'));
  const env = fixedEnv();
  assert.deepEqual(out(t, 8), [
    (4242n << 32n) | 4242n,
    (1000n << 32n) | 1000n,
    0n, 0n, 0n, 0n,
    BigInt(env.prandom()),
    0n,
  ]);
  assert.equal(t.globalString('comm'), 'tsbpf-test');
  assert.equal(t.globalString('small'), 'tsbpf-t');
  runCtx(t.vm, t.prog('task'), undefined, (run) => { run.state[FUNC_IP] = 0xffffffff81234560n; }, 1);
  assert.equal(t.value('out', 4), 1n);
  assert.equal(BigInt.asUintN(64, t.value('out', 7)!), 0xffffffff81234560n);
});

test('clock helpers read the Env', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  runCtx(t.vm, t.prog('clock'));
  // ktime, boot time and the coarse clock each advance fixedEnv's clock by 1 µs; coarse is tick-aligned.
  assert.deepEqual(out(t, 4), [1_000_001_000n, 1_000_002_000n, 1_000_000_000n, 250n]);
});

test('get_stackid stores a synthetic call chain per call site and returns its id', { skip }, () => {
  const t = loadHelpersObject(OBJ);
  const prog = t.prog('stackid');
  runCtx(t.vm, prog);
  const [a, b, user, skipped, tooDeep, badFlags] = out(t, 6);
  const stacks = t.obj.maps.get('stacks')!.map as StackTraceMap;
  for (const id of [a, b, user, skipped]) assert.ok(id! >= 0n, `id ${id}`);
  assert.notEqual(a, b, 'two call sites, two stacks');
  const sa = stacks.stack(Number(a))!;
  assert.equal(sa.length, 3);
  assert.equal((sa[0]! >> 16n) & 0x3fffn, BigInt(prog.id), 'the innermost frame is the call site in the program');
  assert.equal(sa[1], 0xffffffff81200000n);
  assert.deepEqual(stacks.stack(Number(skipped)), sa.slice(1), 'flags & 0xff skips frames');
  assert.equal(stacks.stack(Number(user))![0]! < 0x800000000000n, true, 'a user stack has user addresses');
  assert.equal(tooDeep, -14n, 'skipping every frame: EFAULT');
  assert.equal(badFlags, -22n);
  runCtx(t.vm, prog);
  assert.equal(t.value('out', 0), a, 'the same call site gives the same id');
  // A program type can give the real chain.
  runCtx(t.vm, prog, undefined, (run) => { run.state[KERNEL_STACK] = [0xffffffff81000010n, 0xffffffff81000020n]; });
  assert.deepEqual(stacks.stack(Number(t.value('out', 0))), [0xffffffff81000010n, 0xffffffff81000020n]);
});
