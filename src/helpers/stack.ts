/**
 * bpf_get_stackid (kernel/bpf/stackmap.c's bpf_get_stackid_proto and the tracing variants). The
 * VM has no kernel or user stacks to walk, so a run's call chain is synthetic, built from what the
 * run knows, innermost first:
 *
 *   kernel stack: 0xffffffffc0000000 | (prog_id & 0x3fff) << 16 | (call_insn * 8 & 0xffff)  (the call site)
 *                 0xffffffff81200000                                    (the hook that ran it)
 *                 0xffffffff81000000 | (fnv1a(comm) & 0xfff) << 4      (the task's way into the kernel)
 *   user stack (BPF_F_USER_STACK):
 *                 0x0000555555554000 + ((fnv1a(comm) & 0xffff) << 4)   (the task's code)
 *                 0x00007ffff7c00000 + ((pid & 0xffff) << 4)           (its libc)
 *
 * so one call site of one program in one task always gives the same stack, and so the same id.
 * A program type or test can give the real chains instead, as bigint arrays in
 * RunContext.state[KERNEL_STACK] and RunContext.state[USER_STACK].
 */
import { STACKID_FLAGS, StackTraceMap } from '../maps/index.js';
import type { RunContext } from '../vm/runtime.js';
import type { HelperDef } from './registry.js';
import { errnoResult } from './errno.js';
import { helper, mapArg, mapOfClass, ret, runOf } from './support.js';

export const KERNEL_STACK = 'kernelStack';
export const USER_STACK = 'userStack';

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The call chain get_stackid records for a call at `pc` (see the module comment). */
export function syntheticStack(run: RunContext, pc: number, user: boolean): bigint[] {
  const given = run.state[user ? USER_STACK : KERNEL_STACK];
  if (Array.isArray(given)) return given.map((ip) => BigInt(ip as bigint | number));
  const comm = BigInt(fnv1a(run.env.comm));
  if (user) {
    return [0x0000555555554000n + ((comm & 0xffffn) << 4n), 0x00007ffff7c00000n + (BigInt(run.env.pid & 0xffff) << 4n)];
  }
  return [
    0xffffffffc0000000n | (BigInt(run.program.id & 0x3fff) << 16n) | BigInt((pc * 8) & 0xffff),
    0xffffffff81200000n,
    0xffffffff81000000n | ((comm & 0xfffn) << 4n),
  ];
}

export const stackHelpers: readonly HelperDef[] = [
  helper('get_stackid', {
    proto: 'bpf_get_stackid_proto',
    args: ['ptr_to_ctx', 'const_map_ptr', 'anything'],
    ret: 'integer',
    gplOnly: true,
    impl(call, _r1, r2, r3) {
      const name = 'bpf_get_stackid';
      const run = runOf(call, name);
      const stacks = mapOfClass(call, name, mapArg(call, name, r2), StackTraceMap, 'a stack_trace map');
      const ips = syntheticStack(run, call.pc, (r3 & BigInt(STACKID_FLAGS.USER_STACK)) !== 0n);
      let id = 0;
      const err = errnoResult(() => { id = stacks.getStackId(ips, r3); });
      return err !== 0n ? err : ret(id);
    },
  }),
];
