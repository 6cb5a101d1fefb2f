/**
 * Real tracing in the running kernel: test/c/attach_trace.c's programs attached to syscall
 * tracepoints and a raw tracepoint, fired by running /bin/true, observed through tracefs (the
 * bpf_printk line) and maps (an execve counter per command name).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadObjectIntoKernel, type KernelObject } from '../src/kernel/load-object.js';
import { attachRawTracepoint, attachTracepoint, tracefsRoot } from '../src/kernel/attach/index.js';
import { isKernelError } from '../src/kernel/errors.js';
import { openFdCount } from '../src/kernel/syscall.js';
import { comm, kernelObject, noKernelObjects, runTrue, u32 } from './support/kernel-kit.js';
import { removeTempDir } from './support/tools.js';

const why = noKernelObjects();
if (why) console.log(`# kernel-trace: skipped: ${why}`);

after(removeTempDir);

describe('tracepoints in the kernel', { skip: why }, () => {
  let obj: KernelObject;
  const fdsAtStart = why ? 0 : openFdCount();

  before(() => {
    obj = loadObjectIntoKernel(kernelObject('attach_trace'), { programs: ['hello', 'count_execs', 'raw_exec'] });
  });
  after(() => {
    obj?.close();
  });

  test('hello world: bpf_printk on sys_enter_execve shows in the trace buffer, and stops after close()', () => {
    // The buffer keeps lines of earlier runs and pids come round again: only new lines count.
    const helloLines = (): string[] => readFileSync(`${tracefsRoot()}/trace`, 'utf8').split('\n').filter((l) => l.includes('Hello World! tsbpf'));
    const before = new Set(helloLines());
    const att = attachTracepoint(obj.programs.get('hello')!, 'syscalls', 'sys_enter_execve');
    let pid: number;
    try {
      assert.equal(att.target, 'tracepoint syscalls/sys_enter_execve');
      [pid] = runTrue() as [number];
    } finally {
      att.close();
    }
    // The trace file is read, not consumed (trace_pipe would take lines from other readers); the
    // child's pid is the marker: at sys_enter_execve the task is the child, still named like us.
    const lines = helloLines();
    const mine = lines.filter((l) => new RegExp(`-${pid}\\s+\\[`).test(l) && !before.has(l));
    assert.equal(mine.length, 1, `one hello line for pid ${pid}`);
    assert.match(mine[0]!, /bpf_trace_printk: Hello World! tsbpf/);
    const seen = new Set(lines);
    const [after1] = runTrue() as [number];
    const again = helloLines().filter((l) => new RegExp(`-${after1}\\s+\\[`).test(l) && !seen.has(l));
    assert.equal(again.length, 0, 'detached: no line for a later exec');
  });

  test('an execve counter keyed by comm counts /bin/true 10 times', () => {
    const execs = obj.maps.get('execs')!;
    const before = execs.lookup(comm('true'));
    const n0 = before ? Buffer.from(before).readBigUInt64LE() : 0n;
    const att = attachTracepoint(obj.programs.get('count_execs')!, 'syscalls', 'sys_exit_execve');
    try {
      runTrue(10);
    } finally {
      att.close();
    }
    const n = Buffer.from(execs.lookup(comm('true'))!).readBigUInt64LE();
    assert.ok(n - n0 >= 10n, `counter for "true" rose by ${n - n0}`);
  });

  test('a raw tracepoint (sched_process_exec) counts execs', () => {
    const att = attachRawTracepoint(obj.programs.get('raw_exec')!, 'sched_process_exec');
    try {
      runTrue(5);
    } finally {
      att.close();
    }
    const n = Buffer.from(obj.maps.get('raw_hits')!.lookup(u32(0))!).readBigUInt64LE();
    assert.ok(n >= 5n, `raw tracepoint hits: ${n}`);
  });

  test('a missing tracepoint is named, with where to look', () => {
    assert.throws(() => attachTracepoint(obj.programs.get('hello')!, 'syscalls', 'sys_enter_nothing'), (e: Error) => {
      assert.match(e.message, /tracepoint syscalls\/sys_enter_nothing does not exist/);
      assert.match(e.message, /events\/syscalls\//);
      return true;
    });
    assert.throws(() => attachTracepoint(obj.programs.get('hello')!, 'nocategory', 'x'), /no category 'nocategory'/);
    assert.throws(() => attachRawTracepoint(obj.programs.get('raw_exec')!, 'no_such_tp'), (e: unknown) => isKernelError(e) && /no tracepoint 'no_such_tp'/.test(e.message));
  });

  test('nothing leaks', () => {
    obj.close();
    assert.equal(openFdCount(), fdsAtStart);
  });
});
