=== mv_const_inside accept: a constant offset whose 8-byte access ends at the value end
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 += 248
r1 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit

=== mv_const_past reject: a constant offset whose 8-byte access runs 4 bytes past the value
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 += 252
r1 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit

=== mv_insn_off_past reject: the instruction offset runs past the value
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r1 = *(u32 *)(r0 + 256)
out:
r0 = 0
exit

=== mv_negative_const reject: a pointer moved before the value start
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 += -8
r1 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit

=== mv_negative_insn_off reject: a negative instruction offset from the value start
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r1 = *(u64 *)(r0 - 8)
out:
r0 = 0
exit

=== mv_neg_then_back accept: moved back and forward by constants, ending inside
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 += -8
r1 = *(u64 *)(r0 + 8)
out:
r0 = 0
exit

=== mv_var_inside accept: a variable offset in steps of 8 up to 248
; map m hash key=4 value=256 entries=4
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xf8
r0 += r6
r1 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit

=== mv_var_plus_const reject: a variable offset up to 248 plus a constant 8
; map m hash key=4 value=256 entries=4
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xf8
r0 += r6
r1 = *(u64 *)(r0 + 8)
out:
r0 = 0
exit

=== mv_var_negative reject: a signed offset that may be negative
; map m hash key=4 value=256 entries=4
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 = (s8)r6
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mv_var_neg_compensated reject: a signed offset in [-128,127] added to a pointer 128 bytes in: its unsigned maximum is 2^64-1, so the access is unbounded
; map m hash key=4 value=256 entries=4
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 = (s8)r6
r0 += 128
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mv_var_unbounded reject: an unbounded 64-bit offset
; map m hash key=4 value=256 entries=4
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mv_var_u32 reject: an offset of up to 2^32
; map m hash key=4 value=256 entries=4
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mv_unaligned accept: an 8-byte map value read at offset 4: privileged programs on x86 need no alignment there
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r1 = *(u64 *)(r0 + 4)
out:
r0 = 0
exit

=== mv_write accept: a write into the map value
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r1 = 5
*(u64 *)(r0 + 16) = r1
out:
r0 = 0
exit

=== mv_write_ptr accept: a privileged program may store a pointer into a map value
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
*(u64 *)(r0 + 0) = r0
out:
r0 = 0
exit

=== mv_huge_const reject: a constant of 2^29 added to a map value pointer
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 += 0x20000000
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mv_offset_accumulates reject: two constants that together move the pointer 2^29 bytes
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 += 0x10000000
r0 += 0x10000000
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mv_small_value reject: an 8-byte read from a 4-byte value
; map m hash key=4 value=4 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r1 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit

=== pa_ptr_minus_ptr accept: pointer minus pointer gives a scalar
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 = r0
r6 += 16
r6 -= r0
if r6 > 200 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== pa_ptr_plus_ptr reject: pointer plus pointer
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 = r0
r6 += r0
out:
r0 = 0
exit

=== pa_scalar_minus_ptr reject: scalar minus pointer
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 = 8
r6 -= r0
out:
r0 = 0
exit

=== pa_scalar_plus_ptr accept: scalar plus pointer gives the pointer
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 = 8
r6 += r0
r1 = *(u64 *)(r6 + 0)
out:
r0 = 0
exit

=== pa_and reject: a bitwise and on a map value pointer
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 &= -8
out:
r0 = 0
exit

=== pa_or reject: a bitwise or on a map value pointer
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 |= 1
out:
r0 = 0
exit

=== pa_xor reject: a bitwise xor on a map value pointer
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 ^= 1
out:
r0 = 0
exit

=== pa_mul reject: a multiplication of a pointer
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 *= 2
out:
r0 = 0
exit

=== pa_lsh reject: a left shift of a pointer
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 <<= 1
out:
r0 = 0
exit

=== pa_div reject: a division of a pointer
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 /= 2
out:
r0 = 0
exit

=== pa_add32 reject: 32-bit addition on a pointer
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w0 += 8
out:
r0 = 0
exit

=== pa_sub32 accept: 32-bit subtraction on a pointer gives a meaningless number, which a privileged program may keep
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w0 -= 8
r0 = 0
out:
r0 = 0
exit

=== pa_mov32 accept: a 32-bit copy of a pointer is a number
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 = w0
r0 = r6
r0 = 0
out:
r0 = 0
exit

=== pa_neg accept: negating a pointer makes it a number (allowed to root)
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r0 = -r0
r0 = 0
out:
r0 = 0
exit

=== pa_nullable reject: arithmetic on a pointer not yet checked for NULL
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 += 8
if r0 == 0 goto out
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== pa_map_ptr reject: arithmetic on a map pointer
; map m hash key=4 value=8 entries=4
r1 = map[idx:0] ll
r1 += 8
r0 = 0
exit

=== pa_map_ptr_zero accept: adding 0 to a map pointer is allowed
; map m hash key=4 value=8 entries=4
r1 = map[idx:0] ll
r1 += 0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
call bpf_map_lookup_elem#1
r0 = 0
exit

=== pa_map_ptr_deref accept: a privileged program may read the kernel struct behind a map pointer
; map m hash key=4 value=8 entries=4
r1 = map[idx:0] ll
r0 = *(u64 *)(r1 + 0)
exit

=== pa_map_ptr_write reject: a store through a map pointer
; map m array key=4 value=8 entries=4
r1 = map[idx:0] ll
r2 = 0
*(u64 *)(r1 + 0) = r2
r0 = 0
exit

=== pa_ctx_mul reject: multiplying the context pointer
r1 *= 2
r0 = 0
exit

=== pa_fp_and reject: aligning the stack pointer with and
r1 = r10
r1 &= -8
r0 = 0
exit

=== pa_scalar_deref reject: a load through a number
r1 = 4096
r0 = *(u64 *)(r1 + 0)
exit

=== pa_scalar_store reject: a store through a number
r1 = 0
*(u64 *)(r1 + 0) = 1
r0 = 0
exit

=== null_check_copy accept: the copy is checked, the original is used
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r6 = r0
if r6 == 0 goto out
r1 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit

=== null_check_ne accept: the non-NULL side of a != 0 check
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 != 0 goto +1
goto out
r1 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit

=== null_wrong_side reject: the access is on the NULL side of the check
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 != 0 goto out
r1 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit

=== null_other_lookup reject: one lookup is checked, another is used
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r6 = r0
*(u32 *)(r10 - 8) = 1
r2 = r10
r2 += -8
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r6 == 0 goto out
r1 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit

=== null_jgt reject: an unsigned > 0 test does not count as a NULL check
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 > 0 goto +1
goto out
r1 = *(u64 *)(r0 + 0)
out:
r0 = 0
exit

=== null_spilled_copy accept: a spilled copy of the pointer is non-NULL after checking the register
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
*(u64 *)(r10 - 16) = r0
if r0 == 0 goto out
r6 = *(u64 *)(r10 - 16)
r1 = *(u64 *)(r6 + 0)
out:
r0 = 0
exit

=== null_after_arith_copy reject: a copy moved before the check cannot be moved: arithmetic on a nullable pointer
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r6 = r0
r6 += 8
if r0 == 0 goto out
r1 = *(u64 *)(r6 + 0)
out:
r0 = 0
exit

=== null_is_zero accept: on the NULL side the register is the number 0
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 != 0 goto out
r0 += 5
if r0 != 5 goto out
out:
r0 = 0
exit

=== cmp_mapval_zero_dead accept: a checked map value pointer is known non-NULL: a second check is decided
; map m hash key=4 value=256 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r0 == 0 goto +2
r0 = 0
exit
r0 = *(u64 *)(r10 + 8)
out:
r0 = 0
exit

=== cmp_fp_const reject: comparing the frame pointer with 5 does not decide the branch: the bad side is explored
if r10 == 5 goto +2
r0 = 0
exit
r0 = *(u64 *)(r10 + 8)
exit

=== cmp_fp_zero reject: the verifier does not assume the frame pointer is non-NULL: the == 0 side is explored
if r10 == 0 goto +2
r0 = 0
exit
r0 = *(u64 *)(r10 + 8)
exit

=== cmp_ctx_ne_zero reject: the verifier does not assume the context pointer is non-NULL: both sides are explored
if r1 != 0 goto +2
r0 = *(u64 *)(r10 + 8)
exit
r0 = 0
exit

=== cmp_ptr_ptr accept: two pointers compared: both sides explored and both fine
r2 = r10
if r1 > r2 goto +1
r0 = 1
r0 = 0
exit

=== cmp_ptr_ptr_bad_side reject: two pointers compared: the bad side is explored too
r2 = r10
if r1 > r2 goto +2
r0 = 0
exit
r0 = *(u64 *)(r10 + 8)
exit

=== cmp_jmp32_ptr accept: a 32-bit comparison of a pointer is allowed to root
if w1 > 5 goto +1
r0 = 1
r0 = 0
exit

=== cmp_ptr_scalar_unknown accept: a pointer compared with an unknown number
r2 = *(u32 *)(r1 + 0)
if r1 < r2 goto +1
r0 = 1
r0 = 0
exit

=== ret_socket_ptr accept: a privileged socket filter may return a pointer (pointer leaks are allowed)
r0 = r10
exit

=== ret_cg_one accept: cgroup_skb returns 1
; section: cgroup_skb/ingress
r0 = 1
exit

=== ret_cg_two reject: cgroup_skb ingress must return 0 or 1
; section: cgroup_skb/ingress
r0 = 2
exit

=== ret_cg_unknown reject: cgroup_skb returns a value read from the context
; section: cgroup_skb/ingress
r0 = *(u32 *)(r1 + 0)
exit

=== ret_cg_masked accept: cgroup_skb returns a context value masked to one bit
; section: cgroup_skb/ingress
r0 = *(u32 *)(r1 + 0)
r0 &= 1
exit

=== ret_cg_negative reject: cgroup_skb returns -1
; section: cgroup_skb/ingress
r0 = -1
exit

=== ret_cg_ptr reject: cgroup_skb returns a pointer
; section: cgroup_skb/ingress
r0 = r1
exit

=== ret_cg_egress_three accept: cgroup_skb egress may return 3 (drop and notify congestion)
; section: cgroup_skb/egress
r0 = 3
exit

=== ret_cg_egress_four reject: cgroup_skb egress may not return 4
; section: cgroup_skb/egress
r0 = 4
exit

=== ret_cg_one_path_bad reject: one path of a cgroup_skb program returns 2
; section: cgroup_skb/ingress
r2 = *(u32 *)(r1 + 0)
r0 = 1
if r2 == 0 goto +1
r0 = 2
exit

=== ret_cg_range accept: cgroup_skb returns a value proven to be 0 or 1 by a branch
; section: cgroup_skb/ingress
r0 = *(u32 *)(r1 + 0)
if r0 > 1 goto +1
exit
r0 = 0
exit

=== ret_cg_upper32 reject: a 64-bit value whose low 32 bits are 0 or 1 is not a valid return
; section: cgroup_skb/ingress
call bpf_ktime_get_ns#5
if w0 > 1 goto +1
exit
r0 = 0
exit

=== ret_xdp_any accept: xdp return values are not checked by the verifier
; section: xdp
r0 = 77
exit

=== ret_tc_any accept: tc return values are not checked
; section: tc
r0 = -5
exit

=== ret_kprobe_any accept: kprobe return values are not checked
; section: kprobe/do_nanosleep
r0 = 1234
exit

=== ret_rawtp_any accept: raw tracepoint return values are not checked
; section: raw_tracepoint/sys_enter
r0 = 9
exit

=== pa_bswap_ptr accept: a byte swap of a pointer makes it a number (allowed to root)
r1 = be16 r1
r0 = 0
exit

=== pa_mov32_deref reject: a 32-bit copy of a pointer is a number and cannot be dereferenced
w2 = w10
r0 = *(u64 *)(r2 - 8)
exit

=== cmp_mapval_nonzero_const accept: a map value pointer compared with a non-zero constant: both sides are explored
; map m hash key=4 value=8 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +2
if r0 == 5 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
