/** bpf_strncmp (kernel/bpf/helpers.c): the kernel's strncmp(s1, s2, s1_sz), which answers -1, 0 or 1. */
import type { HelperDef } from './registry.js';
import { cStringBytes, helper, helperError, mem, ret, u32 } from './support.js';

/** lib/string.c's strncmp: bytes compared as unsigned, stopping at a difference or a NUL. */
export function strncmp(s1: Uint8Array, s2: Uint8Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const c1 = s1[i] ?? 0, c2 = s2[i] ?? 0;
    if (c1 !== c2) return c1 < c2 ? -1 : 1;
    if (c1 === 0) break;
  }
  return 0;
}

export const stringHelpers: readonly HelperDef[] = [
  helper('strncmp', {
    proto: 'bpf_strncmp_proto',
    args: ['ptr_to_mem', 'const_size', 'ptr_to_const_str'],
    ret: 'integer',
    impl(call, r1, r2, r3) {
      const name = 'bpf_strncmp';
      const n = u32(r2);
      const s1 = mem(call, name, r1, n, false, 's1');
      const s2 = cStringBytes(call, r3);
      if (s2 === undefined) throw helperError(call, name, 'EFAULT', `s2 at 0x${r3.toString(16)} is not a NUL-terminated string (ARG_PTR_TO_CONST_STR)`);
      return ret(strncmp(s1, s2, n));
    },
  }),
];
