=== form_gt_last accept: data + 14 > data_end leaves: byte 13 is readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 13)
out:
r0 = 2
exit

=== form_gt_past reject: data + 14 > data_end leaves: byte 14 is not proven readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 14)
out:
r0 = 2
exit

=== form_lt_rev_last accept: data_end < data + 14 leaves: byte 13 is readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r3 < r4 goto out
r0 = *(u8 *)(r2 + 13)
out:
r0 = 2
exit

=== form_lt_rev_past reject: data_end < data + 14 leaves: byte 14 is not proven readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r3 < r4 goto out
r0 = *(u8 *)(r2 + 14)
out:
r0 = 2
exit

=== form_ge_last accept: data + 14 >= data_end leaves: byte 14 is readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 >= r3 goto out
r0 = *(u8 *)(r2 + 14)
out:
r0 = 2
exit

=== form_ge_past reject: data + 14 >= data_end leaves: byte 15 is not proven readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 >= r3 goto out
r0 = *(u8 *)(r2 + 15)
out:
r0 = 2
exit

=== form_le_rev_last accept: data_end <= data + 14 leaves: byte 14 is readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r3 <= r4 goto out
r0 = *(u8 *)(r2 + 14)
out:
r0 = 2
exit

=== form_le_rev_past reject: data_end <= data + 14 leaves: byte 15 is not proven readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r3 <= r4 goto out
r0 = *(u8 *)(r2 + 15)
out:
r0 = 2
exit

=== form_le_ok_last accept: data + 14 <= data_end continues: byte 13 is readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 <= r3 goto +1
goto out
r0 = *(u8 *)(r2 + 13)
out:
r0 = 2
exit

=== form_le_ok_past reject: data + 14 <= data_end continues: byte 14 is not proven readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 <= r3 goto +1
goto out
r0 = *(u8 *)(r2 + 14)
out:
r0 = 2
exit

=== form_ge_rev_ok_last accept: data_end >= data + 14 continues: byte 13 is readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r3 >= r4 goto +1
goto out
r0 = *(u8 *)(r2 + 13)
out:
r0 = 2
exit

=== form_ge_rev_ok_past reject: data_end >= data + 14 continues: byte 14 is not proven readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r3 >= r4 goto +1
goto out
r0 = *(u8 *)(r2 + 14)
out:
r0 = 2
exit

=== form_lt_ok_last accept: data + 14 < data_end continues: byte 14 is readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 < r3 goto +1
goto out
r0 = *(u8 *)(r2 + 14)
out:
r0 = 2
exit

=== form_lt_ok_past reject: data + 14 < data_end continues: byte 15 is not proven readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 < r3 goto +1
goto out
r0 = *(u8 *)(r2 + 15)
out:
r0 = 2
exit

=== form_gt_rev_ok_last accept: data_end > data + 14 continues: byte 14 is readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r3 > r4 goto +1
goto out
r0 = *(u8 *)(r2 + 14)
out:
r0 = 2
exit

=== form_gt_rev_ok_past reject: data_end > data + 14 continues: byte 15 is not proven readable
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r3 > r4 goto +1
goto out
r0 = *(u8 *)(r2 + 15)
out:
r0 = 2
exit

=== no_check reject: a packet byte read without any comparison against data_end
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit

=== negative_off reject: a read one byte before the packet start
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u8 *)(r2 - 1)
out:
r0 = 2
exit

=== u32_straddles reject: a 4-byte read that straddles the proven end
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 12)
out:
r0 = 2
exit

=== u16_inside accept: a 2-byte read inside the proven range
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u16 *)(r2 + 12)
out:
r0 = 2
exit

=== unaligned_u32 accept: a misaligned 4-byte packet read is allowed (no strict alignment for root on x86)
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 1)
out:
r0 = 2
exit

=== via_checked_copy accept: the access goes through the checked pointer itself at a negative offset
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u8 *)(r4 - 1)
out:
r0 = 2
exit

=== via_checked_copy_past reject: the checked pointer itself at offset 0 is past the range
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u8 *)(r4 + 0)
out:
r0 = 2
exit

=== two_checks accept: a second, larger check extends the range
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto out
r4 = r2
r4 += 34
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 30)
out:
r0 = 2
exit

=== second_check_smaller reject: the larger range from the first check is kept, but the read goes beyond both
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 34
if r4 > r3 goto out
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 32)
out:
r0 = 2
exit

=== write_xdp accept: xdp may write packet bytes it proved
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto out
r5 = 0
*(u8 *)(r2 + 0) = r5
out:
r0 = 2
exit

=== write_tc accept: tc may write packet bytes it proved
; section: tc
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 14
if r4 > r3 goto out
r5 = 0
*(u8 *)(r2 + 0) = r5
out:
r0 = 2
exit

=== write_cgroup reject: cgroup_skb may read but not write the packet
; section: cgroup_skb/ingress
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 14
if r4 > r3 goto out
r5 = 0
*(u8 *)(r2 + 0) = r5
out:
r0 = 1
exit

=== read_cgroup accept: cgroup_skb reads packet bytes it proved
; section: cgroup_skb/ingress
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 1
exit

=== var_off_checked accept: a variable offset from packet data, bounded, then checked against data_end
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)
r5 &= 0x3f
r2 += r5
r4 = r2
r4 += 8
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 4)
out:
r0 = 2
exit

=== var_off_unchecked reject: a variable offset added after the check loses the range
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 64
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)
r5 &= 0x3f
r2 += r5
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit

=== var_off_byte accept: an unmasked byte value as offset is still below 0xffff: the check works
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 0)
r2 += r5
r4 = r2
r4 += 4
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 0)
out:
r0 = 2
exit

=== var_off_too_big reject: an offset of up to 2^32 makes the comparison prove nothing
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 1
if r4 > r3 goto out
r5 = *(u32 *)(r1 + 12)
r2 += r5
r4 = r2
r4 += 4
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 0)
out:
r0 = 2
exit

=== var_off_unbounded reject: a packet pointer plus an unknown 64-bit value
; section: xdp
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
call bpf_ktime_get_ns#5
r6 += r0
if r6 > r7 goto out
out:
r0 = 2
exit

=== const_off_huge reject: a constant offset above 0xffff: the comparison proves nothing
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 70000
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit

=== pkt_end_arith reject: arithmetic on data_end
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r3 += 1
if r2 > r3 goto out
out:
r0 = 2
exit

=== pkt_end_read reject: a read through data_end
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r0 = *(u8 *)(r3 - 1)
out:
r0 = 2
exit

=== pkt_sub_data accept: data_end - data gives the length as a scalar
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r3 -= r2
r0 = r3
if r0 > 100 goto out
r0 = 1
exit
out:
r0 = 2
exit

=== pkt_ptr_and reject: a bitwise and on a packet pointer
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r2 &= 0xff
if r2 > r3 goto out
out:
r0 = 2
exit

=== meta_checked accept: data_meta + 8 <= data proves 8 bytes of metadata
; section: xdp
r2 = *(u32 *)(r1 + 8)
r3 = *(u32 *)(r1 + 0)
r4 = r2
r4 += 8
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 4)
out:
r0 = 2
exit

=== meta_unchecked reject: metadata read without comparing with data
; section: xdp
r2 = *(u32 *)(r1 + 8)
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit

=== meta_vs_end reject: data_meta compared with data_end proves nothing
; section: xdp
r2 = *(u32 *)(r1 + 8)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 4)
out:
r0 = 2
exit

=== loop_parse accept: a bounded loop reading 8 headers of 4 bytes, each checked
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r5 = 0
r4 = r2
r4 += 4
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 0)
r2 += 4
r5 += 1
if r5 < 8 goto -7
out:
r0 = 2
exit

=== jeq_end reject: data + 14 == data_end says nothing the verifier uses
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 == r3 goto +1
goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit

=== cmp32 reject: a 32-bit comparison of packet pointers proves nothing
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if w4 > w3 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit

=== tc_meta accept: tc proves data_meta against data
; section: tc
r2 = *(u32 *)(r1 + 140)
r3 = *(u32 *)(r1 + 76)
r4 = r2
r4 += 4
if r4 > r3 goto out
r0 = *(u32 *)(r2 + 0)
out:
r0 = 2
exit

=== range_after_join reject: one path checks 14 bytes, the other none: after the join nothing is proven
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r5 = *(u32 *)(r1 + 12)
if r5 == 0 goto +3
r4 = r2
r4 += 14
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit

=== range_both_paths accept: both paths check, by different amounts: the smaller range holds after the join
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r5 = *(u32 *)(r1 + 12)
if r5 == 0 goto +4
r4 = r2
r4 += 14
if r4 > r3 goto out
goto +3
r4 = r2
r4 += 20
if r4 > r3 goto out
r0 = *(u8 *)(r2 + 13)
out:
r0 = 2
exit

=== st_imm_xdp accept: an immediate store into proven packet bytes
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto +1
*(u8 *)(r2 + 0) = 1
r0 = 2
exit

=== ldsx_xdp accept: a sign-extending load from proven packet bytes
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto +1
r0 = *(s8 *)(r2 + 0)
r0 = 2
exit

=== atomic_pkt reject: an atomic add into packet data
; section: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto +2
r5 = 1
lock *(u64 *)(r2 + 0) += r5
r0 = 2
exit
