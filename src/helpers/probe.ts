/**
 * bpf_probe_read* (kernel/trace/bpf_trace.c): copy from any address, which may be bad. Every region
 * of the VM's memory can be read (the VM has one address space, so user and kernel variants read
 * the same bytes). An address no region holds, or a range running off its region, is a failed copy:
 * the destination is zeroed and the result is the errno x86-64 Linux gives for that address:
 *   - the _user variants (copy_from_user_nofault): -EFAULT;
 *   - the _kernel variants (copy_from_kernel_nofault): -ERANGE for an address that cannot be kernel
 *     memory (below 0xffff800000000000: user space or non-canonical), else -EFAULT;
 *   - bpf_probe_read and bpf_probe_read_str (the compat ones): the user rule below TASK_SIZE, the
 *     kernel rule above (CONFIG_ARCH_HAS_NON_OVERLAPPING_ADDRESS_SPACE).
 * The _str variants copy up to the NUL and return the length with it (strncpy_from_*_nofault). The
 * destination is the program's own memory, which the verifier checks: a bad one fails the run.
 */
import type { HelperCall, HelperDef } from './registry.js';
import { negErrno } from './errno.js';
import { cStringBytes, helper, mem, ret, u32 } from './support.js';

type Space = 'user' | 'kernel' | 'compat';

/** TASK_SIZE_MAX (4-level paging): user addresses are below it. */
const TASK_SIZE = 0x00007ffffffff000n;
/** The lowest address copy_from_kernel_nofault_allowed accepts on x86-64 (canonical kernel half). */
const KERNEL_START = 0xffff800000000000n;

/** The errno of a failed read at `addr`. */
function faultOf(space: Space, addr: bigint): bigint {
  const kernel = space === 'kernel' || (space === 'compat' && addr >= TASK_SIZE);
  return negErrno(kernel && addr < KERNEL_START ? 'ERANGE' : 'EFAULT');
}

/** copy_from_*_nofault: 0, or -errno with `dst` zeroed. */
function probeRead(call: HelperCall, name: string, space: Space, dstAddr: bigint, size: number, src: bigint): bigint {
  const dst = mem(call, name, dstAddr, size, true, 'dst');
  if (size === 0) return 0n;
  let bytes: Uint8Array;
  try {
    bytes = call.memory.view(src, size, false, name).slice();
  } catch {
    dst.fill(0);
    return faultOf(space, src);
  }
  dst.set(bytes);
  return 0n;
}

/**
 * strncpy_from_*_nofault: the string and its NUL, cut to size - 1 bytes and a NUL when longer.
 * Returns the bytes written with the NUL. Bytes after the NUL are left alone (the kernel clears
 * the buffer only on error).
 */
function probeReadStr(call: HelperCall, name: string, space: Space, dstAddr: bigint, size: number, src: bigint): bigint {
  const dst = mem(call, name, dstAddr, size, true, 'dst');
  if (size === 0) return 0n;
  const s = cStringBytes(call, src, size)?.slice();
  if (s === undefined) {
    dst.fill(0);
    return faultOf(space, src);
  }
  const n = Math.min(s.length, size - 1);
  dst.set(s.subarray(0, n));
  dst[n] = 0;
  return ret(n + 1);
}

function reader(name: string, proto: string, space: Space, str: boolean): HelperDef {
  const full = `bpf_${name}`;
  return helper(name, {
    proto,
    args: ['ptr_to_uninit_mem', 'const_size_or_zero', 'anything'],
    ret: 'integer',
    gplOnly: true,
    impl: (call, r1, r2, r3) => (str ? probeReadStr : probeRead)(call, full, space, r1, u32(r2), r3),
  });
}

export const probeHelpers: readonly HelperDef[] = [
  reader('probe_read', 'bpf_probe_read_compat_proto', 'compat', false),
  reader('probe_read_kernel', 'bpf_probe_read_kernel_proto', 'kernel', false),
  reader('probe_read_user', 'bpf_probe_read_user_proto', 'user', false),
  reader('probe_read_str', 'bpf_probe_read_compat_str_proto', 'compat', true),
  reader('probe_read_kernel_str', 'bpf_probe_read_kernel_str_proto', 'kernel', true),
  reader('probe_read_user_str', 'bpf_probe_read_user_str_proto', 'user', true),
];
