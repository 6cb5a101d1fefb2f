/**
 * The classic tc attach over rtnetlink: a clsact qdisc and cls_bpf filters in direct-action mode on
 * the host end of a veth pair into a network namespace made for the test, counting ping traffic
 * on ingress and egress; the netlink message builder and parser; the errors for a missing
 * interface. The veth pair and the namespace are removed at the end.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadObjectIntoKernel, type KernelObject } from '../src/kernel/load-object.js';
import {
  attachTcClsact, createClsact, destroyClsact, listTcFilters, queryTcFilter, tcIfindex, TC_H, tcHandle,
} from '../src/kernel/attach/index.js';
import { NlMessage, NLA_F_NESTED, parseAttrs, parseMessages } from '../src/kernel/netlink/index.js';
import { isKernelError } from '../src/kernel/errors.js';
import { openFdCount } from '../src/kernel/syscall.js';
import { kernelObject, noKernelObjects, u32 } from './support/kernel-kit.js';

const noIp = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip'].some(existsSync) ? undefined : 'iproute2 (ip) is not installed';
const pingTool = ['/usr/bin/ping', '/bin/ping'].find(existsSync);
const why = noKernelObjects() ?? noIp ?? (pingTool ? undefined : 'ping is not installed (apt-get install iputils-ping)');
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
  const ns = `tsbpf-tc-${process.pid}`;
  const host = `tsc${process.pid}`.slice(0, 15);
  const peer = `tsd${process.pid}`.slice(0, 15);
  const net = 10 + (process.pid % 200);
  const hostIp = `10.214.${net}.1`;
  const peerIp = `10.214.${net}.2`;
  let obj: KernelObject;
  let fdsAtStart = 0;
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
  const ping = (count: number) => {
    const r = spawnSync(pingTool!, ['-c', String(count), '-i', '0.05', '-W', '1', peerIp], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  };
  const count = (slot: number): bigint => Buffer.from(obj.maps.get('pkts')!.lookup(u32(slot))!).readBigUInt64LE();
  // tc(8), when installed, is an independent witness of what is on the interface.
  const tcTool = ['/usr/sbin/tc', '/sbin/tc', '/usr/bin/tc'].find(existsSync);
  const tcShow = (...args: string[]): string | undefined => (tcTool ? execFileSync(tcTool, args, { encoding: 'utf8' }) : undefined);
  const hasClsact = (): boolean => (tcShow('qdisc', 'show', 'dev', host) ?? 'clsact').includes('clsact');
  const noClsact = (): boolean => !(tcShow('qdisc', 'show', 'dev', host) ?? '').includes('clsact');

  before(() => {
    fdsAtStart = openFdCount();
    ip('netns', 'add', ns);
    ip('link', 'add', host, 'type', 'veth', 'peer', 'name', peer, 'netns', ns);
    ip('addr', 'add', `${hostIp}/24`, 'dev', host);
    ip('link', 'set', host, 'up');
    ip('-n', ns, 'addr', 'add', `${peerIp}/24`, 'dev', peer);
    ip('-n', ns, 'link', 'set', peer, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    obj = loadObjectIntoKernel(kernelObject('tc_clsact'));
  });
  after(() => {
    obj?.close();
    try {
      ip('link', 'del', host);
    } catch {
      // gone with the namespace
    }
    try {
      ip('netns', 'del', ns);
    } catch {
      // not made
    }
  });

  test('ingress and egress filters count the ping traffic, stop when closed, and the qdisc goes', () => {
    const inProg = obj.programs.get('count_ingress')!;
    const outProg = obj.programs.get('count_egress')!;
    const tin = attachTcClsact(inProg, host, 'ingress');
    const tout = attachTcClsact(outProg, host, 'egress', { priority: 7, handle: 3 });
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
      assert.equal(queryTcFilter(host, 'egress', { priority: 7, handle: 4 }), undefined);
      const listed = listTcFilters(host, 'ingress');
      assert.deepEqual(listed.map((f) => [f.priority, f.handle, f.progId]), [[tin.priority, tin.handle, inProg.id]]);
      const shown = tcShow('filter', 'show', 'dev', host, 'egress');
      if (shown !== undefined) assert.match(shown, /pref 7 bpf .*handle 0x3 count_egress:\[\d+\] direct-action/);
      // the same priority and handle again: EEXIST explained
      assert.throws(() => attachTcClsact(outProg, host, 'egress', { priority: 7, handle: 3 }), (e: unknown) => {
        assert.ok(isKernelError(e) && e.errnoName === 'EEXIST', String(e));
        assert.match(e.message, /RTM_NEWTFILTER failed with EEXIST: a filter with priority 7 and handle 3/);
        assert.match(e.message, /the kernel says "[^"]+"/, 'the extended ACK message is read');
        return true;
      });
      ping(5);
    } finally {
      tin.close();
      tout.close();
    }
    const [i, o] = [count(0), count(1)];
    console.log(`# 5 pings: tc ingress ${i}, tc egress ${o}`);
    assert.ok(i >= 5n && o >= 5n);
    assert.equal(listTcFilters(host, 'ingress').length, 0);
    assert.equal(listTcFilters(host, 'egress').length, 0);
    assert.ok(noClsact(), 'the qdisc this process created is removed with its last filter');
    ping(2);
    assert.equal(count(0), i, 'ingress detached');
    assert.equal(count(1), o, 'egress detached');
    tin.close(); // twice is a no-op
  });

  test('an existing clsact qdisc is kept; createClsact reports it', () => {
    assert.equal(createClsact(host), true);
    assert.equal(createClsact(host), false);
    const t = attachTcClsact(obj.programs.get('count_ingress')!, tcIfindex(host), 'ingress', { priority: 1, handle: 1 });
    t.close();
    assert.ok(hasClsact(), 'not ours to remove');
    assert.equal(destroyClsact(host), true);
    assert.equal(destroyClsact(host), false);
    assert.ok(noClsact());
  });

  test('an ingress qdisc in the clsact slot is reported, not silently used', (t) => {
    if (!tcTool) return t.skip('tc is not installed');
    tcShow('qdisc', 'add', 'dev', host, 'ingress');
    try {
      assert.throws(() => attachTcClsact(obj.programs.get('count_egress')!, host, 'egress'), /has an 'ingress' qdisc where clsact goes/);
    } finally {
      tcShow('qdisc', 'del', 'dev', host, 'ingress');
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
    assert.throws(() => attachTcClsact(obj.programs.get('count_ingress')!, host, 'sideways' as 'ingress'), /'ingress' or 'egress'/);
  });

  test('nothing leaks', () => {
    obj.close();
    assert.equal(openFdCount(), fdsAtStart);
  });
});
