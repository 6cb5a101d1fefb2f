=== tail_call_const_index accept: a tail call with a constant index; the path goes on when the slot is empty
; map jt prog_array key=4 value=4 entries=4
r2 = map[idx:0] ll
r3 = 1
call bpf_tail_call#12
r0 = 0
exit

=== tail_call_any_index accept: the index is checked at run time, any scalar verifies
; map jt prog_array key=4 value=4 entries=4
r6 = r1
call bpf_get_prandom_u32#7
r3 = r0
r1 = r6
r2 = map[idx:0] ll
call bpf_tail_call#12
r0 = 0
exit

=== tail_call_index_uninit reject: the index register is never set
; map jt prog_array key=4 value=4 entries=4
r2 = map[idx:0] ll
call bpf_tail_call#12
r0 = 0
exit

=== tail_call_hash reject: bpf_tail_call with a hash map
; map h hash key=4 value=4 entries=4
r2 = map[idx:0] ll
r3 = 0
call bpf_tail_call#12
r0 = 0
exit

=== tail_call_ctx_stack reject: the first argument must be the context
; map jt prog_array key=4 value=4 entries=4
r1 = r10
r2 = map[idx:0] ll
r3 = 0
call bpf_tail_call#12
r0 = 0
exit

=== tail_call_map_scalar reject: a number where the prog_array goes
r2 = 0
r3 = 0
call bpf_tail_call#12
r0 = 0
exit

=== tail_call_in_xdp accept: tail calls from XDP
; section: xdp
; map jt prog_array key=4 value=4 entries=4
r2 = map[idx:0] ll
r3 = 0
call bpf_tail_call#12
r0 = 2
exit

=== tail_call_in_kprobe accept: tail calls from a kprobe
; section: kprobe/do_nanosleep
; map jt prog_array key=4 value=4 entries=4
r2 = map[idx:0] ll
r3 = 0
call bpf_tail_call#12
r0 = 0
exit

=== tail_call_subprog_no_btf reject: a subprogram may tail-call only when the program has BTF func info
; map jt prog_array key=4 value=4 entries=4
*(u64 *)(r10 - 8) = 0
call pc+2
r0 = 0
exit
r2 = map[idx:0] ll
r3 = 0
call bpf_tail_call#12
r0 = 0
exit

=== tail_call_main_big_stack accept: the entry function itself may tail-call with a big stack
; map jt prog_array key=4 value=4 entries=4
*(u64 *)(r10 - 400) = 0
r2 = map[idx:0] ll
r3 = 0
call bpf_tail_call#12
r0 = 0
exit

=== tail_call_clobbers_args reject: r1-r5 are gone after a tail call that returns
; map jt prog_array key=4 value=4 entries=4
r2 = map[idx:0] ll
r3 = 0
call bpf_tail_call#12
r0 = r2
exit
