=== ret_zero accept: the smallest program
r0 = 0
exit

=== no_r0 reject: r0 is never set before exit
exit

=== map_lookup_null accept: a lookup checked for NULL before the value is read
; section: xdp
; map counts hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit

=== map_lookup_no_null reject: the value is read without the NULL check
; section: xdp
; map counts hash key=4 value=8 entries=16
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
r0 = 2
exit
