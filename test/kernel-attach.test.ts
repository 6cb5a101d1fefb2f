/**
 * Attaching to the running kernel: uprobes and a USDT probe in a binary built here with gcc
 * (test/c/attach_target.c), perf_event sampling, XDP and tcx on a veth pair into a network
 * namespace made for the test, cgroup_skb on a cgroup made for the test; and the errors for what
 * this machine lacks or forbids (kprobes, fentry, tp_btf) say so. Everything made is removed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadObjectIntoKernel, type KernelObject } from '../src/kernel/load-object.js';
import {
  attachBtfTracing, attachCgroupSkb, attachKprobe, attachPerfEvent, attachTcx, attachUprobe, attachXdp, loadBtfTracingProgram,
} from '../src/kernel/attach/index.js';
import { attachUsdt, encodeUsdtSpec, readUsdtProbes } from '../src/kernel/usdt/index.js';
import { isKernelError } from '../src/kernel/errors.js';
import { openFdCount } from '../src/kernel/syscall.js';
import { buildProbeTarget, kernelObject, noKernelObjects, noProbeTarget, PROBE_COUNT as COUNT, runProbeTarget, u32 } from './support/kernel-kit.js';
import { removeTempDir } from './support/tools.js';
import { noVethNet, pingTool, vethNet, type VethNet } from './support/veth-net.js';

const why = noKernelObjects() ?? noProbeTarget();
if (why) console.log(`# kernel-attach: skipped: ${why}`);

after(removeTempDir);

function counter(obj: KernelObject, map: string, slot: number): bigint {
  return Buffer.from(obj.maps.get(map)!.lookup(u32(slot))!).readBigUInt64LE();
}

describe('probes in user space, sampling, and BTF tracing', { skip: why }, () => {
  let obj: KernelObject;
  let target: string;
  const fdsAtStart = why ? 0 : openFdCount();
  const runTarget = (n: number): void => runProbeTarget(target, n);

  before(() => {
    target = buildProbeTarget();
    obj = loadObjectIntoKernel(kernelObject('attach_probes'), { programs: ['on_add', 'on_add_ret', 'on_tick', 'on_sample', 'on_kprobe'] });
  });
  after(() => obj?.close());

  test('uprobe on a function fires exactly once per call; uretprobe sees the return value', () => {
    const up = attachUprobe(obj.programs.get('on_add')!, target, { func: 'tsbpf_target_add' });
    const ret = attachUprobe(obj.programs.get('on_add_ret')!, target, { func: 'tsbpf_target_add' }, { retprobe: true });
    try {
      runTarget(25);
    } finally {
      up.close();
      ret.close();
    }
    assert.equal(counter(obj, 'counts', COUNT.UPROBE), 25n);
    // sum of (i + 7) for i < 25
    assert.equal(counter(obj, 'counts', COUNT.URETPROBE), BigInt((24 * 25) / 2 + 7 * 25));
    runTarget(3);
    assert.equal(counter(obj, 'counts', COUNT.UPROBE), 25n, 'detached');
  });

  test('USDT notes are read: provider, name, address, argument specs', () => {
    const probes = readUsdtProbes(target);
    assert.equal(probes.length, 1);
    const p = probes[0]!;
    assert.equal(`${p.provider}:${p.name}`, 'tsbpf:tick');
    assert.equal(p.args.length, 2);
    assert.equal(p.args[0]!.size, 4);
    assert.equal(p.args[0]!.signed, true);
    assert.equal(p.args[1]!.size, 8);
    assert.equal(p.semaphore, 0);
    assert.ok(p.fileOffset > 0);
  });

  test('USDT probe by provider:name counts every hit and reads its first argument', () => {
    const att = attachUsdt(obj.programs.get('on_tick')!, target, 'tsbpf', 'tick', { specs: obj.maps.get('usdt_specs')! });
    try {
      assert.deepEqual([...obj.maps.get('usdt_specs')!.lookup(u32(0))!], [...encodeUsdtSpec(att.probes[0]!.args)]);
      runTarget(40);
    } finally {
      att.close();
    }
    assert.equal(counter(obj, 'counts', COUNT.USDT), 40n);
    assert.equal(counter(obj, 'counts', COUNT.USDT_ARG_SUM), BigInt((39 * 40) / 2));
    assert.throws(() => attachUsdt(obj.programs.get('on_tick')!, target, 'tsbpf', 'nope'), /no USDT probe tsbpf:nope \(it has tsbpf:tick\)/);
  });

  test('perf_event: CPU-clock sampling on every CPU counts samples while burning CPU for 100 ms', () => {
    const att = attachPerfEvent(obj.programs.get('on_sample')!, { frequency: 1000 });
    try {
      const end = Date.now() + 100;
      let x = 0;
      while (Date.now() < end) x += Math.sqrt(x + 1);
    } finally {
      att.close();
    }
    const n = counter(obj, 'counts', COUNT.SAMPLES);
    console.log(`# perf_event samples in 100 ms at 1000 Hz: ${n}`);
    assert.ok(n > 0n);
  });

  test('kprobe: this kernel has none, and the error says so', () => {
    if (existsSync('/sys/bus/event_source/devices/kprobe/type')) {
      const att = attachKprobe(obj.programs.get('on_kprobe')!, 'do_nanosleep');
      att.close();
      return;
    }
    assert.throws(() => attachKprobe(obj.programs.get('on_kprobe')!, 'do_nanosleep'), /no kprobe support \(CONFIG_KPROBE_EVENTS/);
  });

  for (const name of ['on_nanosleep', 'on_exec_btf']) {
    test(`${name === 'on_nanosleep' ? 'fentry' : 'tp_btf'}: loads and attaches by vmlinux BTF id, or EPERM explained`, () => {
      let prog;
      try {
        prog = loadBtfTracingProgram(obj, name);
      } catch (e) {
        assert.ok(isKernelError(e) && e.errnoName === 'EPERM', String(e));
        assert.match(e.message, /lockdown|BPF LSM/);
        return;
      }
      try {
        const att = attachBtfTracing(prog);
        try {
          if (name === 'on_exec_btf') runTarget(1);
          else spawnSync('sleep', ['0.01']);
        } finally {
          att.close();
        }
        assert.ok(counter(obj, 'counts', name === 'on_exec_btf' ? COUNT.TP_BTF : COUNT.FENTRY) >= 1n, 'the program ran');
      } catch (e) {
        assert.ok(isKernelError(e) && e.errnoName === 'EPERM', String(e));
        assert.match(e.message, /lockdown|BPF LSM/);
      } finally {
        prog.close();
      }
    });
  }

  test('nothing leaks', () => {
    obj.close();
    assert.equal(openFdCount(), fdsAtStart);
  });
});

// ---- networking ----------------------------------------------------------------------------

const whyNet = why ?? noVethNet;

/** The cgroup v2 mount (unified or hybrid hierarchy). */
function cgroup2Root(): string | undefined {
  for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
    const [, dir, fs] = line.split(' ');
    if (fs === 'cgroup2') return dir;
  }
  return undefined;
}

describe('XDP, tcx and cgroup_skb on a veth pair into a test namespace', { skip: whyNet }, () => {
  let net: VethNet;
  let obj: KernelObject;
  let cgroup: string | undefined;

  before(() => {
    net = vethNet('at', 213);
    obj = loadObjectIntoKernel(kernelObject('attach_net'));
  });
  after(() => {
    obj?.close();
    net?.close();
    if (cgroup && existsSync(cgroup)) rmdirSync(cgroup);
  });

  test('XDP and tcx ingress/egress count the ping traffic, and stop when closed', () => {
    const xdp = attachXdp(obj.programs.get('count_xdp')!, net.host);
    const tin = attachTcx(obj.programs.get('count_tcx_in')!, net.host, 'ingress');
    const tout = attachTcx(obj.programs.get('count_tcx_out')!, net.host, 'egress');
    try {
      net.ping(5);
    } finally {
      xdp.close();
      tin.close();
      tout.close();
    }
    const [x, i, o] = [0, 1, 2].map((k) => counter(obj, 'pkts', k));
    console.log(`# 5 pings: xdp ${x}, tcx ingress ${i}, tcx egress ${o}`);
    assert.ok(x! >= 5n && i! >= 5n && o! >= 5n);
    net.ping(2);
    assert.equal(counter(obj, 'pkts', 0), x);
    assert.equal(counter(obj, 'pkts', 1), i);
  });

  test('cgroup_skb ingress/egress count the packets of a process in a test cgroup', (t) => {
    const root = cgroup2Root();
    if (!root) return t.skip('no cgroup2 mount');
    cgroup = join(root, `tsbpf-test-${process.pid}`);
    mkdirSync(cgroup);
    const cin = attachCgroupSkb(obj.programs.get('count_cg_in')!, cgroup, 'ingress');
    const cout = attachCgroupSkb(obj.programs.get('count_cg_out')!, cgroup, 'egress');
    try {
      // The shell moves itself into the cgroup, then becomes ping (its sockets belong to the cgroup).
      const r = spawnSync('sh', ['-c', `echo $$ > ${cgroup}/cgroup.procs && exec ${pingTool} -c 4 -i 0.05 -W 1 ${net.peerIp}`], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
    } finally {
      cin.close();
      cout.close();
    }
    const [i, o] = [3, 4].map((k) => counter(obj, 'pkts', k));
    console.log(`# 4 pings from the cgroup: ingress ${i}, egress ${o}`);
    assert.ok(i! >= 4n && o! >= 4n);
    rmdirSync(cgroup);
    cgroup = undefined;
  });

  test('errors: unknown interface, not a cgroup', () => {
    assert.throws(() => attachXdp(obj.programs.get('count_xdp')!, 'tsbpf-nope'), /no network interface 'tsbpf-nope'/);
    assert.throws(() => attachCgroupSkb(obj.programs.get('count_cg_in')!, '/nonexistent-cgroup', 'ingress'), /cannot open cgroup directory/);
  });
});
