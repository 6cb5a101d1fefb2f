/**
 * Attaching by section name (attachProgram, attachAll) in the running kernel: tracepoints and a
 * raw tracepoint of test/c/attach_trace.c, uprobes and a USDT probe of test/c/attach_probes.c in a
 * binary built here (test/c/attach_target.c) through options, and the errors for programs whose
 * sections do not say enough (xdp without an interface, cgroup_skb without a cgroup, a bare uprobe).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadObjectIntoKernel, type KernelObject } from '../src/kernel/load-object.js';
import { attachAll, attachProgram } from '../src/kernel/attach/index.js';
import { readTraceLog, parseTraceLine } from '../src/kernel/tracelog.js';
import { isKernelError } from '../src/kernel/errors.js';
import { openFdCount } from '../src/kernel/syscall.js';
import { buildProbeTarget, comm, kernelObject, noKernelObjects, noProbeTarget, PROBE_COUNT as COUNT, runProbeTarget, runTrue, u32, u64At } from './support/kernel-kit.js';
import { removeTempDir } from './support/tools.js';

const why = noKernelObjects();
if (why) console.log(`# kernel-auto: skipped: ${why}`);
const whyProbes = why ?? noProbeTarget();
if (!why && whyProbes) console.log(`# kernel-auto (probes): skipped: ${whyProbes}`);

after(removeTempDir);

describe('attachProgram / attachAll: tracepoints', { skip: why }, () => {
  let obj: KernelObject;
  const fdsAtStart = why ? 0 : openFdCount();

  before(() => {
    obj = loadObjectIntoKernel(kernelObject('attach_trace'), { programs: ['hello', 'count_execs', 'raw_exec'] });
  });
  after(() => obj?.close());

  test('a tracepoint program attaches where SEC("tracepoint/syscalls/sys_enter_execve") says; its bpf_printk shows in the trace log', async () => {
    // The buffer keeps lines of earlier runs, and pids come round again: only lines new since
    // now count.
    const before = new Set(await readTraceLog({ filter: 'Hello World! tsbpf' }));
    const att = attachProgram(obj, 'hello');
    let pid: number;
    try {
      assert.equal(att.target, 'tracepoint syscalls/sys_enter_execve');
      [pid] = runTrue() as [number];
    } finally {
      att.close();
    }
    assert.equal(att.closed, true);
    const lines = await readTraceLog({ filter: (l) => parseTraceLine(l)?.pid === pid && !before.has(l), timeoutMs: 2000 });
    assert.equal(lines.length, 1, `one line for pid ${pid}`);
    const t = parseTraceLine(lines[0]!)!;
    assert.equal(t.event, 'bpf_trace_printk');
    assert.equal(t.message, 'Hello World! tsbpf');
  });

  test('a raw_tracepoint program attaches by SEC("raw_tracepoint/sched_process_exec")', () => {
    const n0 = u64At(obj, 'raw_hits', u32(0));
    const att = attachProgram(obj, 'raw_exec');
    try {
      assert.equal(att.target, 'raw tracepoint sched_process_exec');
      runTrue(3);
    } finally {
      att.close();
    }
    assert.ok(u64At(obj, 'raw_hits', u32(0)) - n0 >= 3n);
  });

  test('options override the section: a tracepoint by { tracepoint }', () => {
    const n0 = u64At(obj, 'execs', comm('true'));
    // count_execs is written for sys_exit_execve; sys_exit_execveat is not hit by /bin/true, so nothing is counted.
    const att = attachProgram(obj, 'count_execs', { tracepoint: 'syscalls/sys_exit_execveat' });
    try {
      assert.equal(att.target, 'tracepoint syscalls/sys_exit_execveat');
      runTrue(2);
    } finally {
      att.close();
    }
    assert.equal(u64At(obj, 'execs', comm('true')), n0);
    assert.throws(() => attachProgram(obj, 'count_execs', { tracepoint: 'no_slash' }), /is not CATEGORY\/NAME/);
  });

  test('attachAll attaches every loaded program under one close()', () => {
    const c0 = u64At(obj, 'execs', comm('true'));
    const r0 = u64At(obj, 'raw_hits', u32(0));
    const all = attachAll(obj);
    try {
      assert.deepEqual([...all.attachments.keys()], ['hello', 'count_execs', 'raw_exec']);
      assert.deepEqual(all.skipped, []);
      assert.equal(all.attachments.get('count_execs')!.target, 'tracepoint syscalls/sys_exit_execve');
      runTrue(4);
    } finally {
      all.close();
    }
    assert.equal(all.closed, true);
    for (const a of all.attachments.values()) assert.equal(a.closed, true);
    const c1 = u64At(obj, 'execs', comm('true'));
    assert.ok(c1 - c0 >= 4n, `execs of "true" rose by ${c1 - c0}`);
    assert.ok(u64At(obj, 'raw_hits', u32(0)) - r0 >= 4n);
    runTrue(2);
    assert.equal(u64At(obj, 'execs', comm('true')), c1, 'detached');
  });

  test('attachAll with only, and an unknown program', () => {
    const all = attachAll(obj, { only: ['raw_exec'] });
    try {
      assert.deepEqual([...all.attachments.keys()], ['raw_exec']);
    } finally {
      all.close();
    }
    assert.throws(() => attachProgram(obj, 'nope'), /no program 'nope' \(programs: /);
    assert.throws(() => attachAll(obj, { only: ['raw_exec', 'nope'] }), /no program 'nope'/);
  });

  test('nothing leaks', () => {
    obj.close();
    assert.equal(openFdCount(), fdsAtStart);
  });
});

describe('attachProgram / attachAll: uprobes, USDT, perf_event, BTF tracing', { skip: whyProbes }, () => {
  let obj: KernelObject;
  let target: string;
  const fdsAtStart = whyProbes ? 0 : openFdCount();
  const counter = (slot: number): bigint => u64At(obj, 'counts', u32(slot));
  const runTarget = (n: number): void => runProbeTarget(target, n);

  before(() => {
    target = buildProbeTarget();
    obj = loadObjectIntoKernel(kernelObject('attach_probes'), { programs: ['on_add', 'on_add_ret', 'on_tick', 'on_sample'] });
  });
  after(() => obj?.close());

  test('a bare SEC("uprobe") says what it needs; with { uprobe: { path, func } } it attaches, uretprobe included', () => {
    assert.throws(() => attachProgram(obj, 'on_add'), (e: Error) => {
      assert.match(e.message, /program 'on_add' SEC\("uprobe"\): SEC\("uprobe"\) names no binary: write SEC\("uprobe\/PATH:FUNC"\) or pass \{ uprobe: \{ path, func \} \}/);
      return true;
    });
    assert.throws(() => attachProgram(obj, 'on_add', { uprobe: { path: target } }), /names no function in/);
    const opts = { uprobe: { path: target, func: 'tsbpf_target_add' } };
    const up = attachProgram(obj, 'on_add', opts);
    const ret = attachProgram(obj, 'on_add_ret', opts);
    try {
      assert.match(up.target, /^uprobe .*attach_target:tsbpf_target_add$/);
      assert.match(ret.target, /^uretprobe /, 'SEC("uretprobe") makes a return probe');
      runTarget(10);
    } finally {
      up.close();
      ret.close();
    }
    assert.equal(counter(COUNT.UPROBE), 10n);
    assert.equal(counter(COUNT.URETPROBE), BigInt((9 * 10) / 2 + 7 * 10));
  });

  test('USDT by { usdt } with the specs map named by { usdtSpecs }', () => {
    assert.throws(() => attachProgram(obj, 'on_tick'), /SEC\("usdt"\) names no probe/);
    const att = attachProgram(obj, 'on_tick', { usdt: { path: target, provider: 'tsbpf', name: 'tick' }, usdtSpecs: 'usdt_specs' });
    try {
      runTarget(6);
    } finally {
      att.close();
    }
    assert.equal(counter(COUNT.USDT), 6n);
    assert.equal(counter(COUNT.USDT_ARG_SUM), 15n);
    assert.throws(() => attachProgram(obj, 'on_tick', { usdt: { path: target, provider: 'tsbpf', name: 'tick' }, usdtSpecs: 'nomap' }), /no map 'nomap'/);
  });

  test('perf_event: attachProgram samples; attachAll only when asked', () => {
    const att = attachProgram(obj, 'on_sample', { perf: { frequency: 1000 } });
    try {
      const end = Date.now() + 100;
      while (Date.now() < end) { /* spin: the CPU clock must tick */ }
    } finally {
      att.close();
    }
    assert.ok(counter(COUNT.SAMPLES) > 0n);
  });

  test('attachAll skips what the sections leave open, saying why; per-program options attach them; strict refuses', () => {
    const all = attachAll(obj);
    try {
      assert.deepEqual([...all.attachments.keys()], []);
      assert.deepEqual(all.skipped.map((s) => s.program), ['on_add', 'on_add_ret', 'on_tick', 'on_sample']);
      assert.match(all.skipped.find((s) => s.program === 'on_sample')!.reason, /samples only when asked: pass \{ perf: \{ frequency \} \}/);
    } finally {
      all.close();
    }
    const u0 = counter(COUNT.UPROBE);
    const some = attachAll(obj, {
      uprobe: { path: target, func: 'tsbpf_target_add' },
      programs: { on_tick: { usdt: { path: target, provider: 'tsbpf', name: 'tick' }, usdtSpecs: 'usdt_specs' } },
    });
    try {
      assert.deepEqual([...some.attachments.keys()], ['on_add', 'on_add_ret', 'on_tick']);
      assert.deepEqual(some.skipped.map((s) => s.program), ['on_sample']);
      runTarget(4);
    } finally {
      some.close();
    }
    assert.equal(counter(COUNT.UPROBE) - u0, 4n);
    const fds = openFdCount();
    assert.throws(() => attachAll(obj, { strict: true, uprobe: { path: target, func: 'tsbpf_target_add' } }), /on_tick.*names no probe/);
    assert.equal(openFdCount(), fds, 'what was attached before the refusal was closed');
  });

  test('tp_btf: a program the object load left out is loaded and attached, or EPERM explained', () => {
    const t0 = counter(COUNT.TP_BTF);
    let att;
    try {
      att = attachProgram(obj, 'on_exec_btf');
    } catch (e) {
      assert.ok(isKernelError(e) && e.errnoName === 'EPERM', String(e));
      assert.match(e.message, /lockdown|BPF LSM/);
      return;
    }
    try {
      runTarget(1);
    } finally {
      att.close();
    }
    assert.ok(counter(COUNT.TP_BTF) - t0 >= 1n);
  });

  test('nothing leaks', () => {
    obj.close();
    assert.equal(openFdCount(), fdsAtStart);
  });
});

describe('attachProgram: network programs need an interface or a cgroup', { skip: why }, () => {
  let obj: KernelObject;
  before(() => {
    obj = loadObjectIntoKernel(kernelObject('attach_net'));
  });
  after(() => obj?.close());

  test('the errors name the option', () => {
    assert.throws(() => attachProgram(obj, 'count_xdp'), /program 'count_xdp' SEC\("xdp"\): SEC\("xdp"\) needs an interface: pass \{ ifname \}/);
    assert.throws(() => attachProgram(obj, 'count_tcx_in'), /SEC\("tcx\/ingress"\) needs an interface: pass \{ ifname \}/);
    assert.throws(() => attachProgram(obj, 'count_cg_out'), /SEC\("cgroup_skb\/egress"\) needs a cgroup: pass \{ cgroup/);
    assert.throws(() => attachProgram(obj, 'count_xdp', { ifname: 'tsbpf-no-such-if0' }), /no network interface 'tsbpf-no-such-if0'/);
  });

  test('attachAll attaches none of them without options, and lists all as skipped', () => {
    const all = attachAll(obj);
    all.close();
    assert.equal(all.attachments.size, 0);
    assert.deepEqual(all.skipped.map((s) => s.program).sort(), ['count_cg_in', 'count_cg_out', 'count_tcx_in', 'count_tcx_out', 'count_xdp']);
  });

});
