/**
 * Clock helpers (kernel/bpf/helpers.c). Every time comes from the VM's Env, so a test with
 * fixedEnv() sees reproducible values.
 */
import type { HelperDef } from './registry.js';
import { helper, ret, runOf } from './support.js';

/** One jiffy at HZ=250, the resolution of the coarse clock (the time of the last tick). */
export const COARSE_TICK_NS = 4_000_000n;

export const timeHelpers: readonly HelperDef[] = [
  helper('ktime_get_ns', {
    proto: 'bpf_ktime_get_ns_proto',
    args: [],
    ret: 'integer',
    impl: (call) => ret(runOf(call, 'bpf_ktime_get_ns').env.ktimeNs()),
  }),
  helper('ktime_get_boot_ns', {
    proto: 'bpf_ktime_get_boot_ns_proto',
    args: [],
    ret: 'integer',
    impl: (call) => ret(runOf(call, 'bpf_ktime_get_boot_ns').env.bootNs()),
  }),
  helper('ktime_get_coarse_ns', {
    proto: 'bpf_ktime_get_coarse_ns_proto',
    args: [],
    ret: 'integer',
    impl(call) {
      const t = runOf(call, 'bpf_ktime_get_coarse_ns').env.ktimeNs();
      return ret(t - (t % COARSE_TICK_NS));
    },
  }),
  helper('jiffies64', {
    proto: 'bpf_jiffies64_proto',
    args: [],
    ret: 'integer',
    impl: (call) => ret(runOf(call, 'bpf_jiffies64').env.jiffies()),
  }),
];
