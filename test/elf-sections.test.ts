/**
 * The section-name table: program type, expected attach type and attach target for the SEC() names
 * libbpf knows, its matching rules (exact, 'type+' and 'type/'), and the errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BpfError } from '../src/errors.js';
import {
  ATTACH_TYPE, PROG_TYPE, SECTION_DEFS, isDataSectionName, parseSectionName, sectionInfoOrThrow,
} from '../src/elf/sections.js';

type Row = [section: string, type: string, attachType: string | undefined, target?: object];

const CASES: Row[] = [
  ['socket', 'socket_filter', undefined],
  ['xdp', 'xdp', 'xdp'],
  ['xdp.frags', 'xdp', 'xdp'],
  ['xdp/devmap', 'xdp', 'xdp_devmap'],
  ['xdp.frags/cpumap', 'xdp', 'xdp_cpumap'],
  ['tc', 'sched_cls', undefined],
  ['tc/ingress', 'sched_cls', 'tcx_ingress'],
  ['tcx/egress', 'sched_cls', 'tcx_egress'],
  ['classifier', 'sched_cls', undefined],
  ['action', 'sched_act', undefined],
  ['kprobe/do_sys_open', 'kprobe', undefined, { kind: 'kprobe', func: 'do_sys_open', offset: 0 }],
  ['kprobe/tcp_v4_connect+0x10', 'kprobe', undefined, { kind: 'kprobe', func: 'tcp_v4_connect', offset: 16 }],
  ['kprobe/f+8', 'kprobe', undefined, { kind: 'kprobe', func: 'f', offset: 8 }],
  ['kretprobe/do_sys_open', 'kprobe', undefined, { kind: 'kprobe', func: 'do_sys_open', offset: 0 }],
  ['kprobe', 'kprobe', undefined],
  ['kprobe.multi/tcp_*', 'kprobe', 'trace_kprobe_multi', { kind: 'kprobe_multi', pattern: 'tcp_*' }],
  ['ksyscall/openat', 'kprobe', undefined, { kind: 'ksyscall', syscall: 'openat' }],
  ['uprobe//usr/lib/libc.so.6:malloc', 'kprobe', undefined, { kind: 'uprobe', path: '/usr/lib/libc.so.6', func: 'malloc', offset: 0 }],
  ['uprobe/./app:main+0x20', 'kprobe', undefined, { kind: 'uprobe', path: './app', func: 'main', offset: 32 }],
  ['uprobe//bin/true:0x1000', 'kprobe', undefined, { kind: 'uprobe', path: '/bin/true', offset: 4096 }],
  ['uretprobe.s//bin/bash:readline', 'kprobe', undefined, { kind: 'uprobe', path: '/bin/bash', func: 'readline', offset: 0 }],
  ['uprobe.multi//bin/bash:read*', 'kprobe', 'trace_uprobe_multi', { kind: 'uprobe_multi', path: '/bin/bash', pattern: 'read*' }],
  ['usdt/./app:prov:probe', 'kprobe', undefined, { kind: 'usdt', path: './app', provider: 'prov', name: 'probe' }],
  ['tracepoint/syscalls/sys_enter_execve', 'tracepoint', undefined, { kind: 'tracepoint', category: 'syscalls', name: 'sys_enter_execve' }],
  ['tp/sched/sched_switch', 'tracepoint', undefined, { kind: 'tracepoint', category: 'sched', name: 'sched_switch' }],
  ['raw_tracepoint/sys_enter', 'raw_tracepoint', undefined, { kind: 'raw_tracepoint', name: 'sys_enter' }],
  ['raw_tp/sched_switch', 'raw_tracepoint', undefined, { kind: 'raw_tracepoint', name: 'sched_switch' }],
  ['raw_tp.w/bpf_test_finish', 'raw_tracepoint_writable', undefined, { kind: 'raw_tracepoint', name: 'bpf_test_finish' }],
  ['tp_btf/sched_switch', 'tracing', 'trace_raw_tp', { kind: 'btf', name: 'sched_switch' }],
  ['fentry/do_unlinkat', 'tracing', 'trace_fentry', { kind: 'btf', name: 'do_unlinkat' }],
  ['fexit/do_unlinkat', 'tracing', 'trace_fexit', { kind: 'btf', name: 'do_unlinkat' }],
  ['fmod_ret/security_x', 'tracing', 'modify_return', { kind: 'btf', name: 'security_x' }],
  ['fentry.s/f', 'tracing', 'trace_fentry', { kind: 'btf', name: 'f' }],
  ['freplace/handler', 'ext', undefined, { kind: 'btf', name: 'handler' }],
  ['lsm/file_open', 'lsm', 'lsm_mac', { kind: 'btf', name: 'file_open' }],
  ['lsm.s/bprm_check_security', 'lsm', 'lsm_mac', { kind: 'btf', name: 'bprm_check_security' }],
  ['lsm_cgroup/socket_bind', 'lsm', 'lsm_cgroup', { kind: 'btf', name: 'socket_bind' }],
  ['iter/task', 'tracing', 'trace_iter', { kind: 'btf', name: 'task' }],
  ['syscall', 'syscall', undefined],
  ['perf_event', 'perf_event', undefined],
  ['cgroup_skb/ingress', 'cgroup_skb', 'cgroup_inet_ingress'],
  ['cgroup_skb/egress', 'cgroup_skb', 'cgroup_inet_egress'],
  ['cgroup/skb', 'cgroup_skb', undefined],
  ['cgroup/sock', 'cgroup_sock', 'cgroup_inet_sock_create'],
  ['cgroup/sock_release', 'cgroup_sock', 'cgroup_inet_sock_release'],
  ['cgroup/connect4', 'cgroup_sock_addr', 'cgroup_inet4_connect'],
  ['cgroup/sendmsg_unix', 'cgroup_sock_addr', 'cgroup_unix_sendmsg'],
  ['cgroup/sysctl', 'cgroup_sysctl', 'cgroup_sysctl'],
  ['cgroup/getsockopt', 'cgroup_sockopt', 'cgroup_getsockopt'],
  ['cgroup/dev', 'cgroup_device', 'cgroup_device'],
  ['sockops', 'sock_ops', 'cgroup_sock_ops'],
  ['sk_skb/stream_parser', 'sk_skb', 'sk_skb_stream_parser'],
  ['sk_skb', 'sk_skb', undefined],
  ['sk_msg', 'sk_msg', 'sk_msg_verdict'],
  ['sk_lookup', 'sk_lookup', 'sk_lookup'],
  ['sk_reuseport/migrate', 'sk_reuseport', 'sk_reuseport_select_or_migrate'],
  ['sk_reuseport', 'sk_reuseport', 'sk_reuseport_select'],
  ['flow_dissector', 'flow_dissector', 'flow_dissector'],
  ['lirc_mode2', 'lirc_mode2', 'lirc_mode2'],
  ['lwt_xmit', 'lwt_xmit', undefined],
  ['struct_ops/init', 'struct_ops', undefined, { kind: 'struct_ops', member: 'init' }],
  ['netfilter', 'netfilter', 'netfilter'],
  ['seccomp', 'seccomp', undefined],
];

test('each known section name gives libbpf\'s program type, attach type and target', () => {
  for (const [sec, type, attach, target] of CASES) {
    const info = parseSectionName(sec);
    assert.ok(info, `${sec}: not recognised`);
    assert.equal(info.type, type, `${sec}: type`);
    assert.equal(info.attachType, attach, `${sec}: attach type`);
    assert.deepEqual(info.attachTarget, target, `${sec}: target`);
    assert.equal(info.autoload, true);
  }
});

test('flags: return probes, sleepable, xdp frags, and "?" for no autoload', () => {
  assert.equal(parseSectionName('kretprobe/f')!.isReturn, true);
  assert.equal(parseSectionName('kprobe/f')!.isReturn, false);
  assert.equal(parseSectionName('uretprobe//bin/x:f')!.isReturn, true);
  assert.equal(parseSectionName('kretsyscall/openat')!.isReturn, true);
  assert.equal(parseSectionName('fentry.s/f')!.sleepable, true);
  assert.equal(parseSectionName('lsm.s/file_open')!.sleepable, true);
  assert.equal(parseSectionName('syscall')!.sleepable, true);
  assert.equal(parseSectionName('fentry/f')!.sleepable, false);
  assert.equal(parseSectionName('xdp.frags')!.xdpFrags, true);
  assert.equal(parseSectionName('xdp')!.xdpFrags, false);
  const q = parseSectionName('?tc')!;
  assert.equal(q.autoload, false);
  assert.equal(q.type, 'sched_cls');
  assert.equal(q.section, '?tc');
});

test('libbpf matching rules: exact names, "type+" (exact or "type/..."), "type/" prefixes', () => {
  // Exact rows do not match longer names.
  assert.equal(parseSectionName('xdp_prog'), undefined);
  assert.equal(parseSectionName('socket1'), undefined);
  assert.equal(parseSectionName('tc_ingress'), undefined);
  // 'kprobe+' needs '/' after the stem: 'kprobex' is nothing, 'kprobe.multi' is its own row.
  assert.equal(parseSectionName('kprobex/f'), undefined);
  assert.equal(parseSectionName('kprobe.multi/f')!.attachType, 'trace_kprobe_multi');
  // More specific rows win over shorter ones listed after them.
  assert.equal(parseSectionName('xdp.frags/devmap')!.attachType, 'xdp_devmap');
  assert.equal(parseSectionName('cgroup/sock_create')!.attachType, 'cgroup_inet_sock_create');
  assert.equal(parseSectionName('cgroup/sock_release')!.attachType, 'cgroup_inet_sock_release');
  // Not program sections.
  for (const n of ['.text', '.data', '.rodata.str1.1', '.bss', '.maps', 'maps', 'license', 'version', '.BTF']) {
    assert.ok(isDataSectionName(n), n);
  }
  assert.ok(!isDataSectionName('xdp'));
});

test('malformed attach targets and unknown names are errors naming the section', () => {
  const bad = (sec: string, ...parts: string[]) => {
    try {
      parseSectionName(sec);
      assert.fail(`${sec}: expected an error`);
    } catch (e) {
      assert.ok(e instanceof BpfError, String(e));
      assert.equal(e.code, 'EINVAL');
      for (const p of [`sec '${sec}'`, ...parts]) assert.ok(e.message.includes(p), `${e.message} lacks ${p}`);
    }
  };
  bad('tracepoint/syscalls', 'CATEGORY/NAME');
  bad('tp/x/', 'CATEGORY/NAME');
  bad('uprobe/nocolon', 'BINARY:FUNCTION');
  bad('uprobe//bin/x:+8', 'no function');
  bad('usdt/./app:only', 'BINARY:PROVIDER:NAME');
  bad('kprobe/f+zz', `'zz' is not an offset`);
  bad('kprobe/', 'empty attach target');
  try {
    sectionInfoOrThrow('mystery', 'a.o');
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof BpfError);
    assert.match(e.message, /^a\.o: sec 'mystery': failed to guess program type/);
  }
});

test('the table is consistent: kernel enums, one row per pattern, every row reachable', () => {
  const seen = new Set<string>();
  for (const d of SECTION_DEFS) {
    assert.ok(!seen.has(d.pattern), `duplicate row ${d.pattern}`);
    seen.add(d.pattern);
    if (d.type !== 'seccomp') assert.ok(d.type in PROG_TYPE, d.type);
    if (d.attachType) assert.ok(d.attachType in ATTACH_TYPE, d.attachType);
    // The row's own pattern (with a target for '+' rows) must be matched by this row, not an earlier one.
    const example = d.pattern.endsWith('+') ? d.pattern.slice(0, -1) : d.pattern.endsWith('/') ? d.pattern + 'x' : d.pattern;
    assert.equal(parseSectionName(example)?.def, d, `row ${d.pattern} is shadowed`);
  }
  // Spot-check the numbering against include/uapi/linux/bpf.h.
  assert.equal(PROG_TYPE.xdp, 6);
  assert.equal(PROG_TYPE.tracing, 26);
  assert.equal(PROG_TYPE.syscall, 31);
  assert.equal(ATTACH_TYPE.trace_fentry, 24);
  assert.equal(ATTACH_TYPE.xdp, 37);
  assert.equal(ATTACH_TYPE.lsm_cgroup, 43);
});
