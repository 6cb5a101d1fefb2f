/**
 * The program-type table: ids against enum bpf_prog_type, context layouts against the kernel's
 * own BTF (/sys/kernel/btf/vmlinux), helper sets against a probe of the running kernel, verdicts.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBtf } from '../src/btf/btf.js';
import type { Btf } from '../src/btf/btf.js';
import { PROG_TYPE } from '../src/elf/sections.js';
import { helperName } from '../src/isa/helper-names.js';
import {
  PT_REGS_KERNEL_NAMES, SKB_CGROUP, SKB_SOCKET_FILTER, SKB_TC, XDP_MD_LAYOUT, PT_REGS_LAYOUT, PERF_EVENT_LAYOUT,
  SECCOMP_LAYOUT, BPF_SOCK, contextAccessAllowed, fieldNamed, type ContextLayout,
} from '../src/progtypes/context.js';
import { CONFIG_GATED_HELPERS, idOfHelper } from '../src/progtypes/helper-sets.js';
import { PROG_TYPES, progTypeInfo, verdictOf, helperAllowed } from '../src/progtypes/table.js';
import { REPO_ROOT } from './support/paths.js';
import { kernelUnavailable } from './support/kernel-oracle.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';

describe('the table', () => {
  test('one row per type, kernel ids from enum bpf_prog_type', () => {
    assert.deepEqual(PROG_TYPES.map((t) => t.name), [
      'socket_filter', 'kprobe', 'sched_cls', 'sched_act', 'tracepoint', 'xdp', 'perf_event', 'cgroup_skb',
      'raw_tracepoint', 'tracing', 'lsm', 'seccomp',
    ]);
    for (const t of PROG_TYPES) {
      if (t.name === 'seccomp') assert.equal(t.kernelId, undefined);
      else assert.equal(t.kernelId, PROG_TYPE[t.name]);
      assert.ok(t.helpers.length > 20, `${t.name} has helpers`);
      assert.deepEqual([...t.helpers].sort((a, b) => a - b), t.helpers, `${t.name}: sorted`);
    }
    assert.throws(() => progTypeInfo('unspec'), /has no type/);
    assert.throws(() => progTypeInfo('sk_msg'), /not supported/);
  });

  test('helper sets: the type-specific helpers are where they belong', () => {
    const id = idOfHelper;
    assert.ok(helperAllowed('xdp', id('xdp_adjust_head')));
    assert.ok(!helperAllowed('sched_cls', id('xdp_adjust_head')));
    assert.ok(helperAllowed('sched_cls', id('skb_store_bytes')));
    assert.ok(!helperAllowed('socket_filter', id('skb_store_bytes')));
    assert.ok(helperAllowed('socket_filter', id('skb_load_bytes')));
    assert.ok(helperAllowed('kprobe', id('get_func_ip')) && !helperAllowed('tracepoint', id('get_func_ip')));
    assert.ok(helperAllowed('tracing', id('get_func_arg')) && !helperAllowed('raw_tracepoint', id('get_func_arg')));
    assert.ok(helperAllowed('lsm', id('bprm_opts_set')) && !helperAllowed('tracing', id('bprm_opts_set')));
    assert.ok(helperAllowed('seccomp', id('map_lookup_elem')) && !helperAllowed('seccomp', id('probe_read_kernel')));
    assert.equal(id('cgrp_storage_delete'), 211);
  });

  test('verdicts', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((r) => verdictOf('xdp', r).name), ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT', 'XDP_INVALID']);
    assert.deepEqual([0xffffffff, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((r) => verdictOf('sched_cls', r).name), [
      'TC_ACT_UNSPEC', 'TC_ACT_OK', 'TC_ACT_RECLASSIFY', 'TC_ACT_SHOT', 'TC_ACT_PIPE', 'TC_ACT_STOLEN', 'TC_ACT_QUEUED',
      'TC_ACT_REPEAT', 'TC_ACT_REDIRECT', 'TC_ACT_TRAP', 'TC_ACT_UNKNOWN',
    ]);
    assert.deepEqual(verdictOf('socket_filter', 0), { name: 'DROP', description: 'drop the packet' });
    assert.equal(verdictOf('socket_filter', 0xffffffff).description, 'keep the whole packet');
    assert.deepEqual([0, 1, 2, 3].map((r) => verdictOf('cgroup_skb', r).name), ['DROP', 'ALLOW', 'DROP_CN', 'ALLOW_CN']);
    assert.equal(verdictOf('seccomp', 0x7fff0000).name, 'SECCOMP_RET_ALLOW');
    assert.equal(verdictOf('seccomp', 0x00050000 | 13).description, 'SECCOMP_RET_ERRNO(13)');
    assert.equal(verdictOf('seccomp', 0).name, 'SECCOMP_RET_KILL_THREAD');
    assert.equal(verdictOf('seccomp', 0x80000000).name, 'SECCOMP_RET_KILL_PROCESS');
    assert.equal(verdictOf('seccomp', 0x12340000).name, 'SECCOMP_RET_KILL_PROCESS');
    assert.equal(verdictOf('kprobe', 0).name, 'FILTERED');
    assert.equal(verdictOf('lsm', -1 >>> 0).description, 'deny the operation with -1');
  });

  test('context access rules', () => {
    const data = fieldNamed(SKB_TC, 'data')!;
    assert.equal(data.field.packet, 'data');
    assert.ok(contextAccessAllowed(SKB_TC, data.offset, 4, false));
    assert.ok(!contextAccessAllowed(SKB_TC, data.offset, 2, false), 'packet pointers are read whole');
    assert.ok(!contextAccessAllowed(SKB_SOCKET_FILTER, data.offset, 4, false), 'socket filters have no direct packet access');
    assert.ok(contextAccessAllowed(SKB_CGROUP, data.offset, 4, false));
    assert.ok(contextAccessAllowed(SKB_TC, fieldNamed(SKB_TC, 'mark')!.offset, 4, true));
    assert.ok(!contextAccessAllowed(SKB_SOCKET_FILTER, fieldNamed(SKB_TC, 'mark')!.offset, 4, true));
    assert.ok(contextAccessAllowed(SKB_SOCKET_FILTER, fieldNamed(SKB_TC, 'cb[4]')!.offset, 4, true));
    assert.ok(contextAccessAllowed(SKB_SOCKET_FILTER, 1, 1, false), 'narrow reads of len');
    assert.ok(!contextAccessAllowed(SKB_TC, fieldNamed(SKB_TC, 'len')!.offset, 4, true));
    assert.ok(!contextAccessAllowed(SKB_TC, fieldNamed(SKB_TC, 'family')!.offset, 4, false));
    assert.ok(contextAccessAllowed(SKB_CGROUP, fieldNamed(SKB_CGROUP, 'local_ip6[2]')!.offset, 4, false));
    assert.ok(!contextAccessAllowed(XDP_MD_LAYOUT, 0, 4, true), 'xdp_md is read-only');
    assert.ok(contextAccessAllowed(PT_REGS_LAYOUT, 14 * 8, 8, false));
    assert.ok(!contextAccessAllowed(PT_REGS_LAYOUT, PT_REGS_LAYOUT.size, 8, false));
  });
});

describe('context layouts agree with the kernel\'s BTF', { skip: existsSync(VMLINUX) ? undefined : `${VMLINUX} does not exist` }, () => {
  let btf: Btf | undefined;
  const vmlinux = (): Btf => (btf ??= parseBtf(new Uint8Array(readFileSync(VMLINUX)), { name: 'vmlinux' }));

  /**
   * struct `name`'s members as [name, byte offset, byte size], nested anonymous structs and unions
   * flattened; a member of an anonymous union gets the union's size (x86-64 pt_regs has cs and
   * ss as the u16 of a union with the 64-bit csx and ssx).
   */
  function members(structName: string): Map<string, [number, number]> {
    const b = vmlinux();
    const out = new Map<string, [number, number]>();
    const walk = (id: number, base: number, unionSize?: number): void => {
      const t = b.resolve(id);
      for (const m of t.members ?? []) {
        const off = base + m.bitOffset / 8;
        const mt = b.resolve(m.type);
        if (m.name === '' && (mt.kind === 'struct' || mt.kind === 'union')) walk(mt.id, off, mt.kind === 'union' ? mt.size : undefined);
        else if (!out.has(m.name)) out.set(m.name, [off, m.bitfieldSize ? 0 : unionSize ?? b.sizeOf(m.type)]);
      }
    };
    const s = b.findByName(structName, 'struct');
    assert.ok(s, `vmlinux has struct ${structName}`);
    walk(s.id, 0);
    out.set('<size>', [0, s.size!]);
    return out;
  }

  function check(layout: ContextLayout, structName: string, rename: (n: string) => string = (n) => n): void {
    const m = members(structName);
    assert.equal(layout.size, m.get('<size>')![1], `sizeof(struct ${structName})`);
    for (const f of layout.fields) {
      const got = m.get(rename(f.name));
      assert.ok(got, `struct ${structName} has ${f.name}`);
      assert.deepEqual([f.offset, f.size * (f.count ?? 1)], got, `struct ${structName}.${f.name}: offset and size`);
    }
  }

  test('__sk_buff (all three access views) and xdp_md', () => {
    for (const l of [SKB_TC, SKB_SOCKET_FILTER, SKB_CGROUP]) check(l, '__sk_buff');
    check(XDP_MD_LAYOUT, 'xdp_md');
  });

  test('pt_regs (x86-64; the kernel names the registers without the r prefix)', () => {
    const kernelName = new Map(Object.entries(PT_REGS_KERNEL_NAMES).map(([k, v]) => [v, k]));
    check(PT_REGS_LAYOUT, 'pt_regs', (n) => kernelName.get(n as never) ?? n);
  });

  test('bpf_perf_event_data, seccomp_data, bpf_sock', () => {
    const m = members('bpf_perf_event_data');
    const pe = PERF_EVENT_LAYOUT.fields.filter((f) => !f.name.startsWith('regs.'));
    for (const f of pe) assert.deepEqual([f.offset, f.size], m.get(f.name), f.name);
    assert.equal(PERF_EVENT_LAYOUT.size, m.get('<size>')![1]);
    check(SECCOMP_LAYOUT, 'seccomp_data');
    const s = members('bpf_sock');
    for (const [k, v] of Object.entries(BPF_SOCK)) {
      if (k === 'size') assert.equal(v, s.get('<size>')![1]);
      else assert.equal(v, s.get(k)![0], `bpf_sock.${k}`);
    }
  });
});

const why = kernelUnavailable() ?? (existsSync('/usr/bin/gcc') || existsSync('/usr/bin/cc') ? undefined : 'no C compiler');

describe('helper sets agree with a probe of the running kernel', { skip: why }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbpf-pt-probe-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const probe = join(dir, 'probe');

  test('every type the kernel can load without an attach target', () => {
    execFileSync(existsSync('/usr/bin/gcc') ? '/usr/bin/gcc' : '/usr/bin/cc', ['-O1', '-o', probe, join(REPO_ROOT, 'test', 'c', 'progtypes_helper_probe.c')]);
    const gated = new Set(CONFIG_GATED_HELPERS.map(idOfHelper));
    for (const t of PROG_TYPES) {
      if (t.kernelId === undefined || t.name === 'tracing' || t.name === 'lsm') continue;
      const out = execFileSync(probe, [String(t.kernelId), '0', '211'], { encoding: 'utf8' });
      const kernel = new Set(out.split('\n').filter(Boolean).map(Number));
      const ours = new Set(t.helpers);
      const missing = [...kernel].filter((id) => !ours.has(id)).map((id) => helperName(id) ?? id);
      const extra = [...ours].filter((id) => !kernel.has(id) && !gated.has(id)).map((id) => helperName(id) ?? id);
      assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${t.name}: helpers the kernel allows that the table lacks, and the reverse`);
    }
  });
});
