/**
 * The verifier's per-program-type rules that the kernel corpus (test/verifier-corpus/) cannot reach
 * on every machine or field: the context access rules of src/verifier/ctx-access.ts agree with the
 * field table of progtypes/context.ts wherever the table is unambiguous, and the return-value check
 * (src/verifier/return-check.ts) reads its ranges from the program-type table, including fentry and
 * fexit, which this machine's kernel refuses to load at all.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctxAccessOk } from '../src/verifier/ctx-access.js';
import { returnValueProblem } from '../src/verifier/return-check.js';
import { Scalar } from '../src/verifier/scalar.js';
import { progTypeInfo, returnRangeOf } from '../src/progtypes/table.js';
import type { Reg } from '../src/verifier/state.js';

const num = (v: Scalar): Reg => ({ t: 'scalar', v, id: 0 });

test('context rules agree with the field table on whole-field reads and writes', () => {
  for (const type of ['socket_filter', 'sched_cls', 'cgroup_skb', 'xdp', 'kprobe', 'perf_event', 'raw_tracepoint']) {
    const layout = progTypeInfo(type).context;
    for (const f of layout.fields) {
      // Fields whose rule depends on more than the table says: attach type, a pointer of its own.
      if (f.name === 'egress_ifindex' || f.pointsTo !== undefined || f.name === 'tstamp_type' || f.name === 'hwtstamp') continue;
      for (let i = 0; i < (f.count ?? 1); i++) {
        const off = f.offset + i * f.size;
        const where = `${type} ${f.name}${f.count ? `[${i}]` : ''} (off ${off}, size ${f.size})`;
        assert.equal(ctxAccessOk(type, undefined, layout, off, f.size, false), f.access !== 'none', `read of ${where}`);
        assert.equal(ctxAccessOk(type, undefined, layout, off, f.size, true), f.access === 'read-write', `write of ${where}`);
      }
    }
  }
});

test('context rules: what only the kernel rules say', () => {
  const skb = progTypeInfo('socket_filter').context;
  // cb[] takes an aligned 8-byte access over two elements, but not past cb[4].
  assert.ok(ctxAccessOk('socket_filter', undefined, skb, 48, 8, false));
  assert.ok(!ctxAccessOk('socket_filter', undefined, skb, 64, 8, false));
  // xdp_md is read only in whole u32s; egress_ifindex needs a devmap program.
  const xdp = progTypeInfo('xdp').context;
  assert.ok(!ctxAccessOk('xdp', undefined, xdp, 12, 1, false));
  assert.ok(!ctxAccessOk('xdp', 'xdp', xdp, 20, 4, false));
  assert.ok(ctxAccessOk('xdp', 'xdp_devmap', xdp, 20, 4, false));
  // perf_event: registers whole, sample_period also narrower.
  const pe = progTypeInfo('perf_event').context;
  assert.ok(!ctxAccessOk('perf_event', undefined, pe, 8, 4, false));
  assert.ok(ctxAccessOk('perf_event', undefined, pe, 168, 4, false));
});

test('return values: ranges come from the program-type table, per attach type', () => {
  assert.deepEqual(returnRangeOf('cgroup_skb', 'cgroup_inet_ingress'), { min: 0, max: 1 });
  assert.deepEqual(returnRangeOf('cgroup_skb', 'cgroup_inet_egress'), { min: 0, max: 3 });
  assert.deepEqual(returnRangeOf('tracing', 'trace_fentry'), { min: 0, max: 0 });
  assert.equal(returnRangeOf('tracing', 'modify_return'), undefined);
  assert.equal(returnRangeOf('xdp', 'xdp'), undefined);
});

test('return values: the kernel\'s messages for numbers, unknown numbers and pointers', () => {
  assert.equal(returnValueProblem(num(Scalar.const(0n)), 'tracing', 'trace_fexit'), undefined);
  assert.equal(returnValueProblem(num(Scalar.const(1n)), 'tracing', 'trace_fentry'),
    'At program exit the register R0 has smin=1 smax=1 should have been in [0, 0]');
  assert.equal(returnValueProblem(num(Scalar.unknown()), 'cgroup_skb', 'cgroup_inet_ingress'),
    'At program exit the register R0 has unknown scalar value should have been in [0, 1]');
  assert.equal(returnValueProblem(num(Scalar.urange(0n, 3n)), 'cgroup_skb', 'cgroup_inet_egress'), undefined);
  assert.equal(returnValueProblem({ t: 'pkt_end' }, 'cgroup_skb', undefined), 'At program exit the register R0 is not a known value (pkt_end)');
  assert.equal(returnValueProblem({ t: 'pkt_end' }, 'socket_filter', undefined), undefined);
});
