/**
 * The classic tc attach over rtnetlink: a clsact qdisc and cls_bpf filters in direct-action mode on
 * the host end of a veth pair into a network namespace made for the test, counting ping traffic
 * on ingress and egress; the netlink message builder and parser; the errors for a missing
 * interface. The veth pair and the namespace are removed at the end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadObjectIntoKernel, type KernelObject } from '../src/kernel/load-object.js';
import {
  attachTcClsact, createClsact, destroyClsact, listTcFilters, queryTcFilter, tcIfindex, TC_H, tcHandle,
} from '../src/kernel/attach/index.js';
import { NlMessage, NLA_F_NESTED, parseAttrs, parseMessages } from '../src/kernel/netlink/index.js';
import { isKernelError } from '../src/kernel/errors.js';
import { openFdCount } from '../src/kernel/syscall.js';
import { kernelObject, noKernelObjects, u32 } from './support/kernel-kit.js';
import { noVethNet, vethNet, type VethNet } from './support/veth-net.js';

const why = noKernelObjects() ?? noVethNet;
if (why) console.log(`# kernel-tc-clsact: skipped: ${why}`);

test('netlink messages: header, attributes, nesting and padding round-trip', () => {
  const m = new NlMessage(44, 0x600, new Uint8Array(20)).str(1, 'bpf').nest(2, (n) => n.u32(6, 7).str(7, 'abcde'));
  const bytes = m.bytes(99, 5);
  assert.equal(bytes.length % 4, 0);
  const [msg] = parseMessages(bytes);
  assert.equal(msg!.type, 44);
  assert.equal(msg!.flags, 0x605);
  assert.equal(msg!.seq, 99);
  assert.equal(msg!.payload.length, bytes.length - 16);
  const attrs = parseAttrs(msg!.payload, 20);
  assert.equal(attrs.get(1)!.toString(), 'bpf\0');
  const nested = parseAttrs(attrs.get(2)!);
  assert.equal(nested.get(6)!.readUInt32LE(0), 7);
  assert.equal(nested.get(7)!.toString(), 'abcde\0');
  // the nest flag is on the wire and masked off by the parser
  assert.equal(bytes.readUInt16LE(16 + 20 + 8 + 2), 2 | NLA_F_NESTED);
  assert.equal(tcHandle(TC_H.CLSACT, TC_H.MIN_EGRESS), 0xfffffff3);
});

describe('tc clsact on a veth pair into a test namespace', { skip: why }, () => {
  let net: VethNet;
  let obj: KernelObject;
  let fdsAtStart = 0;
  const count = (slot: number): bigint => Buffer.from(obj.maps.get('pkts')!.lookup(u32(slot))!).readBigUInt64LE();
  // tc(8), when installed, is an independent witness of what is on the interface.
  const tcTool = ['/usr/sbin/tc', '/sbin/tc', '/usr/bin/tc'].find(existsSync);
  const tcShow = (...args: string[]): string | undefined => (tcTool ? execFileSync(tcTool, args, { encoding: 'utf8' }) : undefined);
  const hasClsact = (): boolean => (tcShow('qdisc', 'show', 'dev', net.host) ?? 'clsact').includes('clsact');
  const noClsact = (): boolean => !(tcShow('qdisc', 'show', 'dev', net.host) ?? '').includes('clsact');

  before(() => {
    fdsAtStart = openFdCount();
    net = vethNet('tc', 214);
    obj = loadObjectIntoKernel(kernelObject('tc_clsact'));
  });
  after(() => {
    obj?.close();
    net?.close();
  });

  test('ingress and egress filters count the ping traffic, stop when closed, and the qdisc goes', () => {
    const inProg = obj.programs.get('count_ingress')!;
    const outProg = obj.programs.get('count_egress')!;
    const tin = attachTcClsact(inProg, net.host, 'ingress');
    const tout = attachTcClsact(outProg, net.host, 'egress', { priority: 7, handle: 3 });
    try {
      assert.ok(hasClsact(), 'clsact qdisc created');
      assert.ok(tin.priority > 0 && tin.handle > 0, 'the kernel chose a priority and handle');
      assert.equal(tout.priority, 7);
      assert.equal(tout.handle, 3);
      const q = tout.query();
      assert.equal(q?.progId, outProg.id);
      assert.equal(q?.progTag, outProg.tag);
      assert.equal(q?.directAction, true);
      assert.equal(q?.kind, 'bpf');
      assert.equal(queryTcFilter(net.host, 'egress', { priority: 7, handle: 4 }), undefined);
      const listed = listTcFilters(net.host, 'ingress');
      assert.deepEqual(listed.map((f) => [f.priority, f.handle, f.progId]), [[tin.priority, tin.handle, inProg.id]]);
      const shown = tcShow('filter', 'show', 'dev', net.host, 'egress');
      if (shown !== undefined) assert.match(shown, /pref 7 bpf .*handle 0x3 count_egress:\[\d+\] direct-action/);
      // the same priority and handle again: EEXIST explained
      assert.throws(() => attachTcClsact(outProg, net.host, 'egress', { priority: 7, handle: 3 }), (e: unknown) => {
        assert.ok(isKernelError(e) && e.errnoName === 'EEXIST', String(e));
        assert.match(e.message, /RTM_NEWTFILTER failed with EEXIST: a filter with priority 7 and handle 3/);
        assert.match(e.message, /the kernel says "[^"]+"/, 'the extended ACK message is read');
        return true;
      });
      net.ping(5);
    } finally {
      tin.close();
      tout.close();
    }
    const [i, o] = [count(0), count(1)];
    console.log(`# 5 pings: tc ingress ${i}, tc egress ${o}`);
    assert.ok(i >= 5n && o >= 5n);
    assert.equal(listTcFilters(net.host, 'ingress').length, 0);
    assert.equal(listTcFilters(net.host, 'egress').length, 0);
    assert.ok(noClsact(), 'the qdisc this process created is removed with its last filter');
    net.ping(2);
    assert.equal(count(0), i, 'ingress detached');
    assert.equal(count(1), o, 'egress detached');
    tin.close(); // twice is a no-op
  });

  test('an existing clsact qdisc is kept; createClsact reports it', () => {
    assert.equal(createClsact(net.host), true);
    assert.equal(createClsact(net.host), false);
    const t = attachTcClsact(obj.programs.get('count_ingress')!, tcIfindex(net.host), 'ingress', { priority: 1, handle: 1 });
    t.close();
    assert.ok(hasClsact(), 'not ours to remove');
    assert.equal(destroyClsact(net.host), true);
    assert.equal(destroyClsact(net.host), false);
    assert.ok(noClsact());
  });

  test('an ingress qdisc in the clsact slot is reported, not silently used', (t) => {
    if (!tcTool) return t.skip('tc is not installed');
    tcShow('qdisc', 'add', 'dev', net.host, 'ingress');
    try {
      assert.throws(() => attachTcClsact(obj.programs.get('count_egress')!, net.host, 'egress'), /has an 'ingress' qdisc where clsact goes/);
    } finally {
      tcShow('qdisc', 'del', 'dev', net.host, 'ingress');
    }
  });

  test('errors: a missing interface is ENODEV (by name and by index), a bad direction EINVAL', () => {
    assert.throws(() => attachTcClsact(obj.programs.get('count_ingress')!, 'tsbpf-nope', 'ingress'), (e: unknown) => {
      assert.ok(isKernelError(e) && e.code === 'ENODEV', String(e));
      assert.match(e.message, /there is no network interface 'tsbpf-nope'/);
      return true;
    });
    assert.throws(() => createClsact(999999), (e: unknown) => {
      assert.ok(isKernelError(e) && e.code === 'ENODEV', String(e));
      assert.match(e.message, /RTM_NEWQDISC failed with ENODEV/);
      return true;
    });
    assert.throws(() => attachTcClsact(obj.programs.get('count_ingress')!, net.host, 'sideways' as 'ingress'), /'ingress' or 'egress'/);
  });

  test('nothing leaks', () => {
    obj.close();
    assert.equal(openFdCount(), fdsAtStart);
  });
});
