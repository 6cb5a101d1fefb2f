=== kprobe_stack_helpers accept: get_stack into the stack from a kprobe
; section: kprobe/do_nanosleep
r2 = r10
r2 += -64
r3 = 64
r4 = 0
call bpf_get_stack#67
r0 = 0
exit

=== kprobe_get_stack_too_big reject: get_stack told to write 128 bytes into a 64-byte buffer at the frame top
; section: kprobe/do_nanosleep
r2 = r10
r2 += -64
r3 = 128
r4 = 0
call bpf_get_stack#67
r0 = 0
exit

=== kprobe_current_task accept: get_current_task returns a number
; section: kprobe/do_nanosleep
call bpf_get_current_task#35
r0 = 0
exit

=== kprobe_current_task_mit reject: get_current_task is GPL-only
; section: kprobe/do_nanosleep
; license: MIT
call bpf_get_current_task#35
r0 = 0
exit

=== kprobe_perf_event_read accept: perf_event_read on a perf_event_array
; section: kprobe/do_nanosleep
; map ev perf_event_array key=4 value=4 entries=0
r1 = map[idx:0] ll
r2 = 0xffffffff ll
call bpf_perf_event_read#22
r0 = 0
exit

=== kprobe_perf_event_read_hash reject: perf_event_read on a hash map
; section: kprobe/do_nanosleep
; map h hash key=4 value=4 entries=4
r1 = map[idx:0] ll
r2 = 0
call bpf_perf_event_read#22
r0 = 0
exit

=== tracepoint_printk accept: a tracepoint calls trace_printk
; section: tracepoint/syscalls/sys_enter_nanosleep
r1 = 0x0a6968
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 4
call bpf_trace_printk#6
r0 = 0
exit

=== tracepoint_redirect reject: a tracepoint cannot redirect packets
; section: tracepoint/syscalls/sys_enter_nanosleep
r1 = 1
r2 = 0
call bpf_redirect#23
r0 = 0
exit

=== raw_tp_args_are_numbers accept: raw tracepoint arguments read as scalars
; section: raw_tp/sched_switch
r2 = *(u64 *)(r1 + 8)
r0 = 0
exit

=== raw_tp_arg_deref reject: a raw tracepoint argument is a number, not a pointer
; section: raw_tp/sched_switch
r2 = *(u64 *)(r1 + 8)
r0 = *(u32 *)(r2 + 0)
exit

=== raw_tp_probe_read_arg accept: probe_read_kernel from an address held in a raw tracepoint argument
; section: raw_tp/sched_switch
r3 = *(u64 *)(r1 + 8)
r1 = r10
r1 += -8
r2 = 8
call bpf_probe_read_kernel#113
r0 = 0
exit

=== perf_event_sample_helpers accept: a perf_event program reads its context and calls get_stackid
; section: perf_event
; map st stack_trace key=4 value=64 entries=16
r2 = map[idx:0] ll
r3 = 0
call bpf_get_stackid#27
r0 = 0
exit

=== tp_btf_asm_task_pid accept: a tp_btf program reads the next task's first bytes through its BTF pointer
; section: tp_btf/sched_switch
r1 = *(u64 *)(r1 + 16)
r0 = *(u32 *)(r1 + 0)
r0 = 0
exit

=== tp_btf_asm_var_offset reject: a variable offset on a BTF pointer
; section: tp_btf/sched_switch
r6 = *(u64 *)(r1 + 16)
call bpf_get_prandom_u32#7
r0 &= 8
r6 += r0
r0 = *(u32 *)(r6 + 0)
r0 = 0
exit

=== tp_btf_asm_mit reject: a program without a GPL-compatible license reads a kernel struct
; section: tp_btf/sched_switch
; license: MIT
r1 = *(u64 *)(r1 + 16)
r0 = *(u32 *)(r1 + 0)
r0 = 0
exit

=== tp_btf_asm_misaligned_arg reject: a context read that is not at an argument's start
; section: tp_btf/sched_switch
r0 = *(u32 *)(r1 + 4)
r0 = 0
exit
