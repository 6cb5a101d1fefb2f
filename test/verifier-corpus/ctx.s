=== sk_len accept: a socket filter reads skb->len
; section: socket
r0 = *(u32 *)(r1 + 0)
exit

=== sk_len_u8 accept: a narrow 1-byte load of skb->len
; section: socket
r0 = *(u8 *)(r1 + 0)
exit

=== sk_len_u16_hi accept: a narrow 2-byte load of the upper half of skb->len
; section: socket
r0 = *(u16 *)(r1 + 2)
exit

=== sk_len_u64 reject: an 8-byte load of the 4-byte skb->len
; section: socket
r0 = *(u64 *)(r1 + 0)
exit

=== sk_misaligned reject: a 4-byte load at offset 2
; section: socket
r0 = *(u32 *)(r1 + 2)
exit

=== sk_data reject: socket filters have no direct packet access (skb->data)
; section: socket
r0 = *(u32 *)(r1 + 76)
exit

=== sk_write_cb accept: a socket filter may write skb->cb[0]
; section: socket
r2 = 1
*(u32 *)(r1 + 48) = r2
r0 = 0
exit

=== sk_write_cb_u8 accept: cb[] takes narrow writes
; section: socket
r2 = 1
*(u8 *)(r1 + 51) = r2
r0 = 0
exit

=== sk_cb_u64 accept: cb[] takes an aligned 8-byte access spanning two elements
; section: socket
r0 = *(u64 *)(r1 + 56)
exit

=== sk_cb_u64_past reject: an 8-byte access at cb[4] runs past the cb array
; section: socket
r0 = *(u64 *)(r1 + 64)
exit

=== sk_write_mark reject: a socket filter may not write skb->mark
; section: socket
r2 = 1
*(u32 *)(r1 + 8) = r2
r0 = 0
exit

=== sk_write_len reject: no program may write skb->len
; section: socket
r2 = 1
*(u32 *)(r1 + 0) = r2
r0 = 0
exit

=== sk_st_imm_cb accept: an immediate store into cb[1]
; section: socket
*(u32 *)(r1 + 52) = 7
r0 = 0
exit

=== sk_family reject: a socket filter may not read skb->family
; section: socket
r0 = *(u32 *)(r1 + 88)
exit

=== sk_tc_classid reject: a socket filter may not read tc_classid
; section: socket
r0 = *(u32 *)(r1 + 72)
exit

=== sk_past_end reject: a load past the end of __sk_buff
; section: socket
r0 = *(u32 *)(r1 + 192)
exit

=== sk_negative_off reject: a load at a negative offset of the context
; section: socket
r0 = *(u32 *)(r1 + -4)
exit

=== sk_modified_ptr reject: a context pointer moved by a constant is dereferenced
; section: socket
r1 += 4
r0 = *(u32 *)(r1 + 0)
exit

=== sk_modified_back accept: a context pointer moved and moved back is the context again
; section: socket
r1 += 4
r1 += -4
r0 = *(u32 *)(r1 + 0)
exit

=== sk_negative_ptr reject: a context pointer moved below its start is dereferenced
; section: socket
r1 += -4
r0 = *(u32 *)(r1 + 4)
exit

=== sk_variable_ptr reject: a context pointer moved by a variable amount is dereferenced
; section: socket
r2 = *(u32 *)(r1 + 0)
r2 &= 4
r1 += r2
r0 = *(u32 *)(r1 + 0)
exit

=== sk_padding reject: the padding after tstamp_type
; section: socket
r0 = *(u8 *)(r1 + 181)
exit

=== sk_remote_ip4 reject: socket filters cannot read the socket address fields
; section: socket
r0 = *(u32 *)(r1 + 92)
exit

=== sk_ptr_store_cb accept: a privileged program may store a pointer into cb (pointer leaks are allowed)
; section: socket
*(u32 *)(r1 + 48) = r1
r0 = 0
exit

=== sk_gso_size accept: a socket filter reads gso_size
; section: socket
r0 = *(u32 *)(r1 + 176)
exit

=== sk_ldsx accept: a sign-extending narrow load of skb->len is allowed (only data pointers refuse it)
; section: socket
r0 = *(s8 *)(r1 + 0)
exit

=== tc_write_mark accept: tc may write skb->mark
; section: tc
r2 = 1
*(u32 *)(r1 + 8) = r2
r0 = 0
exit

=== tc_write_priority_u16 reject: writes of __sk_buff fields must be whole u32
; section: tc
r2 = 1
*(u16 *)(r1 + 32) = r2
r0 = 0
exit

=== tc_write_tc_classid accept: tc may write tc_classid
; section: tc
r2 = 1
*(u32 *)(r1 + 72) = r2
r0 = 0
exit

=== tc_write_tstamp accept: tc may write the 8-byte tstamp
; section: tc
r2 = 1
*(u64 *)(r1 + 152) = r2
r0 = 0
exit

=== tc_tstamp_u32 reject: tstamp is read only whole
; section: tc
r0 = *(u32 *)(r1 + 152)
exit

=== tc_write_protocol reject: tc may not write skb->protocol
; section: tc
r2 = 1
*(u32 *)(r1 + 16) = r2
r0 = 0
exit

=== tc_data_u16 reject: skb->data is loaded only whole
; section: tc
r0 = *(u16 *)(r1 + 76)
exit

=== tc_family reject: tc programs cannot read the socket fields
; section: tc
r0 = *(u32 *)(r1 + 88)
exit

=== tc_data_meta accept: tc reads data_meta
; section: tc
r0 = *(u32 *)(r1 + 140)
r0 = 0
exit

=== tc_hwtstamp_write reject: hwtstamp is read only
; section: tc
r2 = 0
*(u64 *)(r1 + 184) = r2
r0 = 0
exit

=== tc_flow_keys reject: flow_keys belongs to flow dissectors
; section: tc
r0 = *(u64 *)(r1 + 144)
r0 = 0
exit

=== tc_wire_len accept: tc reads wire_len
; section: tc
r0 = *(u32 *)(r1 + 160)
exit

=== tc_tstamp_type accept: tc reads tstamp_type as one byte
; section: tc
r0 = *(u8 *)(r1 + 180)
exit

=== tc_tstamp_type_write reject: tc may not write tstamp_type
; section: tc
r2 = 1
*(u8 *)(r1 + 180) = r2
r0 = 0
exit

=== sk_tstamp_type reject: a socket filter may not read tstamp_type
; section: socket
r0 = *(u8 *)(r1 + 180)
exit

=== cg_family accept: cgroup_skb reads the socket family
; section: cgroup_skb/ingress
r0 = *(u32 *)(r1 + 88)
r0 = 1
exit

=== cg_data accept: a privileged cgroup_skb program reads skb->data
; section: cgroup_skb/ingress
r0 = *(u32 *)(r1 + 76)
r0 = 1
exit

=== cg_data_meta reject: cgroup_skb has no data_meta
; section: cgroup_skb/ingress
r0 = *(u32 *)(r1 + 140)
r0 = 1
exit

=== cg_write_mark accept: cgroup_skb may write mark
; section: cgroup_skb/ingress
r2 = 1
*(u32 *)(r1 + 8) = r2
r0 = 1
exit

=== cg_write_tc_index reject: cgroup_skb may not write tc_index
; section: cgroup_skb/ingress
r2 = 1
*(u32 *)(r1 + 44) = r2
r0 = 1
exit

=== cg_wire_len reject: cgroup_skb may not read wire_len
; section: cgroup_skb/ingress
r0 = *(u32 *)(r1 + 160)
r0 = 1
exit

=== xdp_ifindex accept: xdp reads ingress_ifindex
; section: xdp
r0 = *(u32 *)(r1 + 12)
r0 = 2
exit

=== xdp_ifindex_u8 reject: xdp_md fields are read only as whole u32
; section: xdp
r0 = *(u8 *)(r1 + 12)
r0 = 2
exit

=== xdp_rxq_u64 reject: an 8-byte load from xdp_md
; section: xdp
r0 = *(u64 *)(r1 + 16)
r0 = 2
exit

=== xdp_write_data reject: xdp may not write its context
; section: xdp
r2 = 0
*(u32 *)(r1 + 0) = r2
r0 = 2
exit

=== xdp_egress_plain reject: egress_ifindex is only for devmap programs
; section: xdp
r0 = *(u32 *)(r1 + 20)
r0 = 2
exit

=== xdp_egress_devmap accept: a devmap program reads egress_ifindex
; section: xdp/devmap
r0 = *(u32 *)(r1 + 20)
r0 = 2
exit

=== xdp_past_end reject: a load past the end of xdp_md
; section: xdp
r0 = *(u32 *)(r1 + 24)
r0 = 2
exit

=== kp_rdi accept: a kprobe reads the first argument register (di)
; section: kprobe/do_nanosleep
r0 = *(u64 *)(r1 + 112)
exit

=== kp_narrow accept: kprobes may read part of a register
; section: kprobe/do_nanosleep
r0 = *(u32 *)(r1 + 112)
exit

=== kp_last accept: the last register (ss) whole
; section: kprobe/do_nanosleep
r0 = *(u64 *)(r1 + 160)
exit

=== kp_past_end reject: a load past the end of pt_regs
; section: kprobe/do_nanosleep
r0 = *(u64 *)(r1 + 168)
exit

=== kp_write reject: kprobes may not write the registers
; section: kprobe/do_nanosleep
r2 = 0
*(u64 *)(r1 + 112) = r2
r0 = 0
exit

=== kp_misaligned reject: a misaligned register load
; section: kprobe/do_nanosleep
r0 = *(u64 *)(r1 + 116)
exit

=== pe_regs_whole accept: perf_event reads a register whole
; section: perf_event
r0 = *(u64 *)(r1 + 128)
exit

=== pe_regs_narrow reject: perf_event reads registers only whole
; section: perf_event
r0 = *(u32 *)(r1 + 128)
exit

=== pe_sample_period_narrow accept: sample_period may be read narrow
; section: perf_event
r0 = *(u32 *)(r1 + 168)
exit

=== pe_addr accept: perf_event reads addr
; section: perf_event
r0 = *(u64 *)(r1 + 176)
exit

=== pe_past_end reject: a load past bpf_perf_event_data
; section: perf_event
r0 = *(u64 *)(r1 + 184)
exit

=== tp_field accept: a tracepoint reads its first field after the common header
; section: tracepoint/syscalls/sys_enter_openat
r0 = *(u64 *)(r1 + 8)
exit

=== tp_common reject: the common header of a tracepoint record is hidden
; section: tracepoint/syscalls/sys_enter_openat
r0 = *(u32 *)(r1 + 4)
exit

=== tp_narrow accept: a tracepoint reads a 2-byte field
; section: tracepoint/syscalls/sys_enter_openat
r0 = *(u16 *)(r1 + 18)
exit

=== tp_write reject: tracepoint records are read only
; section: tracepoint/syscalls/sys_enter_openat
r2 = 0
*(u64 *)(r1 + 16) = r2
r0 = 0
exit

=== tp_misaligned reject: a misaligned tracepoint field load
; section: tracepoint/syscalls/sys_enter_openat
r0 = *(u32 *)(r1 + 18)
exit

=== rtp_arg accept: a raw tracepoint reads args[1]
; section: raw_tracepoint/sys_enter
r0 = *(u64 *)(r1 + 8)
exit

=== rtp_arg_last accept: args[11], the last one
; section: raw_tracepoint/sys_enter
r0 = *(u64 *)(r1 + 88)
exit

=== rtp_past reject: args[12] does not exist
; section: raw_tracepoint/sys_enter
r0 = *(u64 *)(r1 + 96)
exit

=== rtp_narrow accept: a 4-byte load of an argument
; section: raw_tracepoint/sys_enter
r0 = *(u32 *)(r1 + 8)
exit

=== rtp_write reject: raw tracepoint arguments are read only
; section: raw_tracepoint/sys_enter
r2 = 0
*(u64 *)(r1 + 0) = r2
r0 = 0
exit

=== sk_st_cb_u64 accept: an 8-byte immediate store into cb[0..1]
*(u64 *)(r1 + 48) = 1
r0 = 0
exit

=== sk_ldx_cb_u64_first accept: an 8-byte load of cb[0..1]
r0 = *(u64 *)(r1 + 48)
exit
