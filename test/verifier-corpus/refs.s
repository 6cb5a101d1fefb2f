=== reserve_submit accept: a reserved record is NULL-checked, written and submitted
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 16
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +5
*(u64 *)(r0 + 0) = 1
*(u64 *)(r0 + 8) = 2
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== reserve_discard accept: a reserved record discarded
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +3
r1 = r0
r2 = 0
call bpf_ringbuf_discard#133
r0 = 0
exit

=== reserve_both_paths accept: submit on one path and discard on the other
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +10
r6 = r0
call bpf_get_prandom_u32#7
if r0 > 5 goto +4
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
goto +3
r1 = r6
r2 = 0
call bpf_ringbuf_discard#133
r0 = 0
exit

=== reserve_leak reject: the record is never submitted or discarded
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +1
*(u64 *)(r0 + 0) = 1
r0 = 0
exit

=== reserve_leak_one_path reject: submitted on one path only
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +7
r6 = r0
call bpf_get_prandom_u32#7
if r0 > 5 goto +3
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== reserve_leak_unchecked reject: the result is never even checked for NULL
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
r0 = 0
exit

=== submit_unchecked reject: submitting ringbuf_mem_or_null
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== double_submit reject: the record is submitted twice
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +7
r6 = r0
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
r1 = r6
r2 = 0
call bpf_ringbuf_discard#133
r0 = 0
exit

=== use_after_submit reject: writing into the record after it was submitted
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +5
r6 = r0
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
*(u64 *)(r6 + 0) = 1
r0 = 0
exit

=== use_after_submit_spilled reject: a copy spilled to the stack is invalidated too
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +6
*(u64 *)(r10 - 8) = r0
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r1 = *(u64 *)(r10 - 8)
*(u64 *)(r1 + 0) = 1
r0 = 0
exit

=== reserve_var_size reject: reserve with a size that is not a known constant
; map rb ringbuf entries=4096
call bpf_get_prandom_u32#7
r2 = r0
r2 &= 63
r1 = map[idx:0] ll
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +3
r1 = r0
r2 = 0
call bpf_ringbuf_discard#133
r0 = 0
exit

=== reserve_write_past reject: writing past the reserved size
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +4
*(u64 *)(r0 + 8) = 1
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== submit_with_offset reject: the pointer released must be the one reserve returned
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 16
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +4
r1 = r0
r1 += 8
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== submit_map_value reject: a map value is not a ringbuf record
; map a array key=4 value=8 entries=1
r1 = map[idx:0]+0 ll
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== submit_stack reject: a stack pointer is not a ringbuf record
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== submit_null reject: NULL is not a ringbuf record
r1 = 0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== reserve_hash reject: reserve needs a ringbuf map
; map h hash key=4 value=8 entries=4
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +3
r1 = r0
r2 = 0
call bpf_ringbuf_discard#133
r0 = 0
exit

=== two_records accept: two records reserved and both submitted
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +17
r6 = r0
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 != 0 goto +4
r1 = r6
r2 = 0
call bpf_ringbuf_discard#133
goto +6
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== two_records_one_leaked reject: the second of two records is leaked
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +10
r6 = r0
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
r7 = r0
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== record_as_helper_mem accept: a record is memory a helper may fill
; section: kprobe/do_nanosleep
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 16
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +8
r6 = r0
r1 = r0
r2 = 16
call bpf_get_current_comm#16
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== record_helper_mem_overrun reject: a helper told to write more than the record holds
; section: kprobe/do_nanosleep
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +8
r6 = r0
r1 = r0
r2 = 16
call bpf_get_current_comm#16
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== reserve_tail_call_leak reject: a tail call while a record is held
; map rb ringbuf entries=4096
; map jt prog_array key=4 value=4 entries=4
r6 = r1
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +8
r7 = r0
r1 = r6
r2 = map[idx:1] ll
r3 = 0
call bpf_tail_call#12
r1 = r7
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== record_passed_to_subprog accept: a static subprogram submits the record it is given
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +2
r1 = r0
call pc+2
r0 = 0
exit
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== record_leak_in_subprog reject: a static subprogram reserves and returns without releasing
; map rb ringbuf entries=4096
call pc+2
r0 = 0
exit
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
r0 = 0
exit

=== record_var_offset_write accept: a bounded variable offset inside the record
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 64
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +10
r6 = r0
call bpf_get_prandom_u32#7
r0 &= 7
r0 <<= 3
r1 = r6
r1 += r0
*(u64 *)(r1 + 0) = 1
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit

=== reserve_size_zero accept: a zero-sized reservation is allowed by the prototype (ARG_CONST_ALLOC_SIZE_OR_ZERO)
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 0
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +3
r1 = r0
r2 = 0
call bpf_ringbuf_discard#133
r0 = 0
exit

=== null_check_other_reg_copy accept: checking a copy of the reserved pointer refines the original
; map rb ringbuf entries=4096
r1 = map[idx:0] ll
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
r6 = r0
if r6 == 0 goto +3
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
