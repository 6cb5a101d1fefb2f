/**
 * What a program learns about the task and CPU it runs on (kernel/bpf/helpers.c): ids, name,
 * CPU, NUMA node, random numbers. All of it comes from the VM's Env and the run's CPU.
 */
import type { HelperDef } from './registry.js';
import { helper, mem, ret, runOf, u32 } from './support.js';

/** TASK_COMM_LEN: a task name has at most 15 bytes and a NUL. */
export const TASK_COMM_LEN = 16;

export const taskHelpers: readonly HelperDef[] = [
  helper('get_current_pid_tgid', {
    proto: 'bpf_get_current_pid_tgid_proto',
    args: [],
    ret: 'integer',
    impl(call) {
      const env = runOf(call, 'bpf_get_current_pid_tgid').env;
      return (BigInt(env.tgid >>> 0) << 32n) | BigInt(env.pid >>> 0);
    },
  }),
  helper('get_current_uid_gid', {
    proto: 'bpf_get_current_uid_gid_proto',
    args: [],
    ret: 'integer',
    impl(call) {
      const env = runOf(call, 'bpf_get_current_uid_gid').env;
      return (BigInt(env.gid >>> 0) << 32n) | BigInt(env.uid >>> 0);
    },
  }),
  helper('get_current_comm', {
    proto: 'bpf_get_current_comm_proto',
    args: ['ptr_to_uninit_mem', 'const_size'],
    ret: 'integer',
    impl(call, r1, r2) {
      const name = 'bpf_get_current_comm';
      const size = u32(r2);
      const buf = mem(call, name, r1, size, true, 'buf');
      // strscpy_pad: at most size - 1 bytes of the name, NUL-terminated, the rest zeroed.
      const comm = new TextEncoder().encode(runOf(call, name).env.comm).subarray(0, TASK_COMM_LEN - 1);
      buf.fill(0);
      if (size > 0) buf.set(comm.subarray(0, size - 1));
      return 0n;
    },
  }),
  helper('get_smp_processor_id', {
    proto: 'bpf_get_smp_processor_id_proto',
    args: [],
    ret: 'integer',
    impl: (call) => ret(runOf(call, 'bpf_get_smp_processor_id').cpu),
  }),
  helper('get_numa_node_id', {
    proto: 'bpf_get_numa_node_id_proto',
    args: [],
    ret: 'integer',
    // One NUMA node: every CPU of the VM is on node 0.
    impl: () => 0n,
  }),
  helper('get_prandom_u32', {
    proto: 'bpf_get_prandom_u32_proto',
    args: [],
    ret: 'integer',
    impl: (call) => ret(runOf(call, 'bpf_get_prandom_u32').env.prandom() >>> 0),
  }),
];
