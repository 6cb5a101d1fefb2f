=== call_returns_value accept: a static subprogram returns r1 + r2 to its caller
r1 = 1
r2 = 2
call pc+2
r0 &= 0xff
exit
r0 = r1
r0 += r2
exit

=== call_void_result_read reject: the callee never sets r0, and the caller returns it
call pc+1
exit
r1 = 0
exit

=== call_clobbers_args reject: r1-r5 of the caller are not readable after a call
r1 = 1
call pc+2
r0 = r1
exit
r0 = 0
exit

=== call_keeps_r6 accept: r6-r9 of the caller survive a call
r6 = 5
call pc+2
r0 = r6
exit
r0 = 0
exit

=== callee_reads_r6 reject: a callee starts with r6-r9 unreadable
r6 = 5
call pc+2
r0 = 0
exit
r0 = r6
exit

=== callee_reads_missing_arg reject: the caller never set r3, which the callee reads
r1 = 1
call pc+2
r0 = 0
exit
r0 = r3
exit

=== callee_writes_caller_stack accept: a callee fills the caller's stack through a pointer
r1 = r10
r1 += -8
call pc+2
r0 = *(u64 *)(r10 - 8)
exit
r2 = 7
*(u64 *)(r1 + 0) = r2
r0 = 0
exit

=== callee_stack_pointer_overrun reject: a callee writes past the caller's stack through the pointer
r1 = r10
r1 += -8
call pc+2
r0 = *(u64 *)(r10 - 8)
exit
r2 = 7
*(u64 *)(r1 + 8) = r2
r0 = 0
exit

=== return_stack_pointer reject: a callee returns a pointer into its own stack
call pc+3
r0 = 0
exit
r0 = 0
r0 = r10
r0 += -8
exit

=== return_caller_stack_pointer reject: returning even the caller's stack pointer is refused
r1 = r10
r1 += -8
call pc+2
r0 = 0
exit
r0 = r1
exit

=== callee_ctx_arg accept: the context passed to a callee can be read there
; section: xdp
call pc+2
r0 = 2
exit
r0 = *(u32 *)(r1 + 0)
r0 = 0
exit

=== callee_map_value_arg accept: a checked map value passed to a callee
; map h hash key=4 value=8 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +2
r1 = r0
call pc+2
r0 = 0
exit
r0 = *(u64 *)(r1 + 0)
exit

=== callee_checks_null accept: the callee does the NULL check of the lookup result
; map h hash key=4 value=8 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r1 = r0
call pc+2
r0 = 0
exit
if r1 == 0 goto +1
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit

=== callee_skips_null_check reject: the callee reads a map value that may be NULL
; map h hash key=4 value=8 entries=4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r1 = r0
call pc+2
r0 = 0
exit
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit

=== callee_packet_unchecked reject: a callee reads the packet without a bounds check
; section: xdp
r1 = *(u32 *)(r1 + 0)
call pc+2
r0 = 2
exit
r0 = *(u8 *)(r1 + 0)
exit

=== eight_frames accept: seven nested calls make eight frames, the limit
call pc+2
r0 = 0
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
r0 = 0
exit

=== nine_frames reject: eight nested calls make nine frames
call pc+2
r0 = 0
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
r0 = 0
exit

=== combined_stack_ok accept: 256 + 240 bytes of stack over two frames
*(u64 *)(r10 - 256) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 240) = 0
r0 = 0
exit

=== combined_stack_too_large reject: 304 + 304 bytes of stack over two frames
*(u64 *)(r10 - 304) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 304) = 0
r0 = 0
exit

=== combined_stack_three_frames reject: three frames of 192 bytes each
*(u64 *)(r10 - 192) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 192) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 192) = 0
r0 = 0
exit

=== combined_stack_sibling_calls accept: two callees of 256 bytes each, never on the stack together, under a 240-byte caller
*(u64 *)(r10 - 240) = 0
call pc+3
call pc+5
r0 = 0
exit
*(u64 *)(r10 - 256) = 0
r0 = 0
exit
*(u64 *)(r10 - 256) = 0
r0 = 0
exit

=== recursion reject: a function that calls itself runs out of frames
call pc+2
r0 = 0
exit
call pc-1
r0 = 0
exit

=== call_twice_different_args accept: a callee explored once per call site with different argument kinds
r1 = r10
r1 += -8
call pc+4
r1 = 0
call pc+2
r0 = 0
exit
if r1 == 0 goto +2
r2 = 1
*(u64 *)(r1 + 0) = r2
r0 = 0
exit

=== call_arg_scalar_deref reject: the second call passes a number the callee dereferences
r1 = r10
r1 += -8
call pc+4
r1 = 8
call pc+2
r0 = 0
exit
r2 = 1
*(u64 *)(r1 + 0) = r2
r0 = 0
exit

=== subprog_helper_call accept: a subprogram may call helpers
call pc+2
r0 = 0
exit
call bpf_ktime_get_ns#5
r0 = 0
exit

=== subprog_map_lookup accept: a subprogram looks up a map with a key on its own stack
; map h hash key=4 value=8 entries=4
call pc+2
r0 = 0
exit
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit

=== subprog_return_map_value accept: a subprogram returns a map value pointer the caller checks
; map h hash key=4 value=8 entries=4
call pc+4
if r0 == 0 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
exit

=== subprog_return_unchecked reject: the caller uses a returned map value without the NULL check
; map h hash key=4 value=8 entries=4
call pc+3
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
exit

=== callee_frame_pointer_write reject: r10 is read-only in a callee too
call pc+2
r0 = 0
exit
r10 = 0
r0 = 0
exit

=== subprog_ctx_to_helper accept: a callee passes the context it got to a helper
r6 = r1
r1 = r6
call pc+2
r0 = 0
exit
r2 = 0
r3 = r10
r3 += -8
r4 = 4
call bpf_skb_load_bytes#26
r0 = 0
exit
