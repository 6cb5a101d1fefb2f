=== ktime accept: a helper without arguments; r0 gets its integer result
call bpf_ktime_get_ns#5
r0 &= 1
exit

=== prandom_result_is_unknown accept: a helper's integer result is an unknown scalar usable after bounding
; section: xdp
call bpf_get_prandom_u32#7
if r0 > 3 goto +1
exit
r0 = 2
exit

=== comm_uninit_buffer accept: get_current_comm fills uninitialised stack (ARG_PTR_TO_UNINIT_MEM), then it may be read
; section: kprobe/do_nanosleep
r1 = r10
r1 += -16
r2 = 16
call bpf_get_current_comm#16
r0 = *(u64 *)(r10 - 16)
r0 = 0
exit

=== printk_stack_fmt accept: trace_printk reads an initialised format string from the stack
; section: kprobe/do_nanosleep
r1 = 0x0a6968
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 4
call bpf_trace_printk#6
r0 = 0
exit

=== probe_read_kernel_stack accept: probe_read_kernel writes 8 bytes into the stack
; section: kprobe/do_nanosleep
r3 = *(u64 *)(r1 + 112)
r1 = r10
r1 += -8
r2 = 8
call bpf_probe_read_kernel#113
r0 = *(u64 *)(r10 - 8)
exit

=== probe_read_kernel_zero_size accept: a zero size is allowed where the prototype says ARG_CONST_SIZE_OR_ZERO
; section: kprobe/do_nanosleep
r1 = r10
r1 += -8
r2 = 0
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== probe_read_bounded_size accept: a variable size bounded above by the buffer
; section: kprobe/do_nanosleep
call bpf_get_prandom_u32#7
r2 = r0
r2 &= 15
r1 = r10
r1 += -16
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== skb_load_bytes_const accept: skb_load_bytes from a socket filter into the stack
r2 = 0
r3 = r10
r3 += -8
r4 = 8
call bpf_skb_load_bytes#26
r0 = *(u32 *)(r10 - 8)
exit

=== csum_diff_null_from accept: csum_diff takes NULL with size 0 for its optional buffers
; section: xdp
*(u64 *)(r10 - 8) = 0
r1 = 0
r2 = 0
r3 = r10
r3 += -8
r4 = 8
r5 = 0
call bpf_csum_diff#28
r0 = 2
exit

=== get_smp_id_socket accept: get_smp_processor_id is in the base set of every type
call bpf_get_smp_processor_id#8
r0 = 0
exit

=== uninit_stack_helper_read accept: a privileged loader may pass uninitialised stack as read-only memory (allow_uninit_stack)
; section: kprobe/do_nanosleep
r1 = r10
r1 += -8
r2 = 8
call bpf_trace_printk#6
r0 = 0
exit

=== skb_load_bytes_in_xdp reject: skb_load_bytes is not in XDP's helper set
; section: xdp
r2 = 0
r3 = r10
r3 += -8
r4 = 8
call bpf_skb_load_bytes#26
r0 = 2
exit

=== redirect_in_socket_filter reject: socket filters may not call bpf_redirect
r1 = 1
r2 = 0
call bpf_redirect#23
r0 = 0
exit

=== get_stackid_in_xdp reject: get_stackid belongs to tracing types only
; section: xdp
; map st stack_trace key=4 value=64 entries=16
r2 = map[idx:0] ll
r3 = 0
call bpf_get_stackid#27
r0 = 2
exit

=== skb_store_bytes_in_kprobe reject: a kprobe may not write packet bytes
; section: kprobe/do_nanosleep
r2 = 0
r3 = r10
r3 += -8
r4 = 8
r5 = 0
call bpf_skb_store_bytes#9
r0 = 0
exit

=== unknown_helper_big reject: helper id 999 does not exist
call 999
r0 = 0
exit

=== unknown_helper_next reject: the first id past the last helper
call 212
r0 = 0
exit

=== unknown_helper_zero reject: id 0 is BPF_FUNC_unspec, which no type has
call 0
r0 = 0
exit

=== gpl_printk_mit reject: trace_printk is GPL-only and the license is MIT
; section: kprobe/do_nanosleep
; license: MIT
r1 = 0x0a6968
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 4
call bpf_trace_printk#6
r0 = 0
exit

=== gpl_probe_read_proprietary reject: probe_read_kernel is GPL-only and the license is Proprietary
; section: kprobe/do_nanosleep
; license: Proprietary
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== non_gpl_ktime accept: a non-GPL program may call helpers that are not GPL-only
; license: BSD
call bpf_ktime_get_ns#5
r0 = 0
exit

=== dual_license_gpl accept: "Dual BSD/GPL" is GPL compatible
; section: kprobe/do_nanosleep
; license: Dual BSD/GPL
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== anything_arg_uninit reject: an ARG_ANYTHING argument must still be initialised
; section: xdp
r1 = 1
call bpf_redirect#23
r0 = 2
exit

=== mem_arg_uninit_reg reject: the buffer register of trace_printk is never set
; section: kprobe/do_nanosleep
r2 = 4
call bpf_trace_printk#6
r0 = 0
exit

=== size_zero_const_size reject: trace_printk's size is ARG_CONST_SIZE, zero is refused
; section: kprobe/do_nanosleep
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
r2 = 0
call bpf_trace_printk#6
r0 = 0
exit

=== size_maybe_zero reject: a size that may be zero for ARG_CONST_SIZE
; section: kprobe/do_nanosleep
*(u64 *)(r10 - 8) = 0
call bpf_get_prandom_u32#7
r2 = r0
r2 &= 7
r1 = r10
r1 += -8
call bpf_trace_printk#6
r0 = 0
exit

=== size_negative reject: a size that may be negative
; section: kprobe/do_nanosleep
call bpf_get_prandom_u32#7
r2 = r0
r2 <<= 32
r2 s>>= 32
if r2 s> 8 goto +4
r1 = r10
r1 += -8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== size_unbounded reject: a size with no upper bound
; section: kprobe/do_nanosleep
call bpf_get_prandom_u32#7
r2 = r0
r1 = r10
r1 += -8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== size_too_large_stack reject: 16 bytes into an 8-byte stack buffer at the top of the stack
; section: kprobe/do_nanosleep
r1 = r10
r1 += -8
r2 = 16
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== size_var_too_large reject: a bounded variable size whose maximum overruns the buffer
; section: kprobe/do_nanosleep
call bpf_get_prandom_u32#7
r2 = r0
r2 &= 31
r1 = r10
r1 += -16
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== size_is_pointer reject: a pointer where the size goes
; section: kprobe/do_nanosleep
r1 = r10
r1 += -8
r2 = r10
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== mem_is_ctx reject: the context is not memory a helper may write
; section: kprobe/do_nanosleep
r2 = 8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== mem_is_scalar reject: a number where the buffer goes
; section: kprobe/do_nanosleep
r1 = 4096
r2 = 8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== mem_below_stack reject: a buffer that begins below the 512-byte stack
; section: kprobe/do_nanosleep
r1 = r10
r1 += -520
r2 = 8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== mem_map_value_overrun reject: reading 16 bytes into an 8-byte map value
; section: kprobe/do_nanosleep
; map vals array key=4 value=8 entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = r0
r2 = 16
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== mem_map_value_ok accept: reading into the whole map value
; section: kprobe/do_nanosleep
; map vals array key=4 value=16 entries=1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = r0
r2 = 16
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit

=== mem_packet_unchecked reject: packet memory passed to csum_diff before any bounds check
; section: xdp
r2 = *(u32 *)(r1 + 0)
r1 = r2
r2 = 4
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff#28
r0 = 2
exit

=== mem_packet_checked accept: packet memory within the proven range passed to csum_diff
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r1 = r2
r1 += 4
if r1 > r3 goto +6
r1 = r2
r2 = 4
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff#28
r0 = 2
exit

=== ctx_arg_is_stack reject: skb_load_bytes wants the context in r1
r1 = r10
r2 = 0
r3 = r10
r3 += -8
r4 = 8
call bpf_skb_load_bytes#26
r0 = 0
exit

=== ctx_arg_modified reject: the context pointer passed to a helper must not be offset
r1 += 8
r2 = 0
r3 = r10
r3 += -8
r4 = 8
call bpf_skb_load_bytes#26
r0 = 0
exit

=== ctx_arg_scalar reject: a number where the context goes
r1 = 0
r2 = 0
r3 = r10
r3 += -8
r4 = 8
call bpf_skb_load_bytes#26
r0 = 0
exit

=== uninit_mem_too_small reject: get_current_comm into a buffer that runs past the frame
; section: kprobe/do_nanosleep
r1 = r10
r1 += -8
r2 = 16
call bpf_get_current_comm#16
r0 = 0
exit

=== csum_diff_size_not_multiple accept: csum_diff's size checks are run time ones; any small size verifies
; section: xdp
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
r2 = 3
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff#28
r0 = 2
exit

=== strncmp_const_str reject: strncmp's third argument must be a read-only map value (a constant string)
; section: kprobe/do_nanosleep
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r1 = r10
r1 += -8
r2 = 8
r3 = r10
r3 += -16
call bpf_strncmp#182
r0 = 0
exit

=== helper_clobbers_r1 reject: r1-r5 are not readable after a helper call
call bpf_ktime_get_ns#5
r0 = r1
exit

=== helper_keeps_r6 accept: r6-r9 survive a helper call
r6 = 7
call bpf_ktime_get_ns#5
r0 = r6
exit

=== void_helper_result reject: tail_call returns void, r0 is not readable after it... in the kernel's view it is RET_VOID
; map jt prog_array key=4 value=4 entries=4
r2 = map[idx:0] ll
r3 = 0
call bpf_tail_call#12
exit

=== adjust_head_invalidates_packet reject: a packet pointer from before bpf_xdp_adjust_head is no longer a pointer
; section: xdp
r6 = r1
r7 = *(u32 *)(r1 + 0)
r8 = *(u32 *)(r1 + 4)
r2 = r7
r2 += 8
if r2 > r8 goto +5
r1 = r6
r2 = 4
call bpf_xdp_adjust_head#44
r0 = *(u8 *)(r7 + 0)
r0 = 2
exit
r0 = 2
exit

=== adjust_head_reload_packet accept: packet pointers read again after bpf_xdp_adjust_head are checked anew
; section: xdp
r6 = r1
r2 = 4
call bpf_xdp_adjust_head#44
r7 = *(u32 *)(r6 + 0)
r8 = *(u32 *)(r6 + 4)
r2 = r7
r2 += 8
if r2 > r8 goto +1
r0 = *(u8 *)(r7 + 0)
r0 = 2
exit

=== skb_load_bytes_var_len accept: a length bounded to [1, 16] reads into 16 bytes of stack
r6 = r1
call bpf_get_prandom_u32#7
r4 = r0
r4 &= 15
r4 += 1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_skb_load_bytes#26
r0 = 0
exit

=== csum_diff_map_value_or_null accept: an optional-memory argument takes a map value that may be NULL
; section: xdp
; map a hash key=4 value=8 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r1 = r0
r2 = 8
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff#28
r0 = 2
exit

=== csum_diff_null_with_size reject: NULL with a non-zero size
; section: xdp
r1 = 0
r2 = 8
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff#28
r0 = 2
exit
