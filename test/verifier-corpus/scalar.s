=== and_mask accept: and with 255 bounds an index into a 256-byte value
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 255
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== and_mask_too_wide reject: and with 256 leaves 256 possible, one past the end
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 256
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== and_reg accept: and with a register holding a constant
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 = 255
r6 &= r7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== and32 accept: a 32-bit and zero-extends and bounds a 64-bit unknown
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 &= 255
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== rsh_24 accept: a u32 shifted right by 24 is at most 255
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 >>= 24
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== rsh_23 reject: a u32 shifted right by 23 may be 511
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 >>= 23
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== rsh32_reg accept: a 32-bit right shift by a constant register
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 = 24
w6 >>= w7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== rsh_var reject: a shift by an unknown amount gives an unknown value
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 255
r6 >>= r7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== lsh_4 accept: a 4-bit value shifted left by 4 is at most 240
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 15
r6 <<= 4
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== lsh_5 reject: a 4-bit value shifted left by 5 may be 480
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 15
r6 <<= 5
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== lsh_rsh accept: shift left then right by 56 keeps the low byte
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 <<= 56
r6 >>= 56
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== lsh32_wrap accept: a 32-bit shift left by 24 then right by 24 keeps the low byte
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 <<= 24
w6 >>= 24
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mul_16 accept: a 4-bit value times 16 is at most 240
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 15
r6 *= 16
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mul_18 reject: a 4-bit value times 18 may be 270
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 15
r6 *= 18
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mul_reg accept: a product of two bounded registers
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 15
r7 &= 15
r6 *= r7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mul_reg_big reject: a product of two bounded registers that may reach 900
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 31
r7 &= 31
r6 *= r7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mul32 accept: a 32-bit multiply of a small value
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 &= 7
w6 *= 30
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== add_const accept: [0,127] plus 128 is [128,255]
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 127
r6 += 128
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== add_const_over reject: [0,127] plus 129 may reach 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 127
r6 += 129
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== add_reg accept: the sum of two 7-bit values is at most 254
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 127
r7 &= 127
r6 += r7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== add_reg_over reject: the sum of a 7-bit and an 8-bit value may reach 382
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 127
r7 &= 255
r6 += r7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== add32_wrap reject: a 32-bit add may wrap to any u32
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 += 1
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== add_neg_const reject: adding a negative constant to [0,127] may go below zero
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 127
r6 += -1
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== sub_const accept: [20,147] minus 10 is [10,137]
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 127
r6 += 20
r6 -= 10
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== sub_const_neg reject: [0,127] minus 10 may be negative
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 127
r6 -= 10
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== sub_reg accept: [100,200] minus [0,50] is [50,200]
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 63
r6 += 100
r7 &= 31
r6 -= r7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== sub_reg_neg reject: subtracting a register that may be larger gives a possibly negative value
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 63
r7 &= 127
r6 -= r7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== sub32 accept: a 32-bit subtraction that cannot wrap
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 &= 127
w6 += 10
w6 -= 5
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== sub32_wrap reject: a 32-bit subtraction that may wrap to a huge u32
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 &= 127
w6 -= 5
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== or_const accept: the low nibble set on a byte with its low nibble clear stays a byte
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xf0
r6 |= 0x0f
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== or_high_bit reject: or with 0x100 makes the value at least 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xff
r6 |= 0x100
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== or_reg accept: or of two nibble-disjoint bounded registers
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xf0
r7 &= 0x0f
r6 |= r7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== xor_const accept: [0,127] xor 128 is [128,255]
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0x7f
r6 ^= 0x80
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== xor_over reject: a byte xor 0x100 is at least 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xff
r6 ^= 0x100
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== xor_self reject: the verifier does not know that a register xor itself is zero
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 ^= r6
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== div_const reject: the verifier does not track division: a byte divided by 2 is unknown
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 255
r6 /= 2
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== div_then_and accept: a quotient bounded again with and
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 /= 3
r6 &= 255
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== sdiv_const reject: signed division is not tracked either
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 255
r6 s/= 2
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== smod_then_and accept: a signed remainder bounded again with and
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 s%= 7
r6 &= 127
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mod_const reject: the verifier does not track modulo: x % 16 is unknown
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 %= 16
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mod32_then_and accept: a 32-bit remainder bounded again with and
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 %= 16
w6 &= 15
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== div_zero_imm reject: division by the constant zero
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 /= 0
r6 &= 255
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mod_zero_imm reject: modulo by the constant zero
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 %= 0
r6 &= 255
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== div_zero_reg accept: division by a register that may be zero is allowed (the result is zero)
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 = 0
r6 /= r7
r6 &= 255
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== shift_64_imm reject: a 64-bit shift by 64
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 <<= 64
r6 &= 255
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== shift32_32_imm reject: a 32-bit shift by 32
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 >>= 32
r6 &= 255
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== arsh_small accept: an arithmetic right shift of [0,255] by 1 is [0,127]
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 255
r6 s>>= 1
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== arsh_sign reject: a u32 moved to the top and shifted back arithmetically may be negative
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 <<= 32
r6 s>>= 32
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== arsh32 reject: a 32-bit arithmetic shift of a value with bit 31 possibly set gives a value up to 2^32-1
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 s>>= 24
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== neg_once reject: the negation of [0,255] is [-255,0]
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 255
r6 = -r6
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== neg_twice accept: negating twice gives back [0,255]
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 255
r6 = -r6
r6 = -r6
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== neg32 reject: a 32-bit negation of a byte is a large u32
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 &= 255
w6 = -w6
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mov32_trunc reject: a 32-bit move keeps only the low half: at most 2^32-1, unbounded for memory
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 = w6
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mov32_imm accept: a 32-bit move of a constant
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 = 200
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== mov_const_big reject: a constant index of 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 = 256
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== movsx8 reject: a sign-extended byte may be negative
; map arr array key=4 value=256 entries=1
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

=== movsx8_masked accept: a sign-extended byte masked with 0x7f
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 = (s8)r6
r6 &= 0x7f
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== movsx16_pos accept: sign extension of a value known to be below 0x8000 keeps it
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xff
r6 = (s16)r6
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== movsx32 reject: a sign-extended 32-bit value may be negative
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 = (s32)r6
if r6 s> 255 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== be16_small reject: swapping the bytes of a byte value moves it to bits 8-15
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xff
r6 = be16 r6
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== le16 accept: le16 truncates to 16 bits: of a byte value it stays a byte
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xff
r6 = le16 r6
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== le32 accept: le32 truncates to 32 bits
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xff
r6 = le32 r6
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== be32_then_shift accept: be32 then a right shift by 24 gives a byte
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 = be32 r6
r6 >>= 24
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== bswap64 reject: a 64-bit byte swap of a byte moves it to the top byte
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xff
r6 = bswap64 r6
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== tnum_add_aligned accept: the sum of two multiples of 16 below 128 stays below 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0x70
r7 &= 0x70
r6 += r7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== u64_unbounded reject: a 64-bit unknown added to a map value pointer
; map arr array key=4 value=256 entries=1
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

=== u32_unbounded reject: a u32 unknown added to a map value pointer: too large an offset
; map arr array key=4 value=256 entries=1
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

=== prec_or_raises_min accept: or with 0xf0 of a nibble gives [0xf0, 0xff]: the access at offset -0xf0 stays inside
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0x0f
r6 |= 0xf0
r6 -= 0xf0
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== prec_sub_then_add accept: a byte minus 256 then plus 256 is the byte again (signed interval arithmetic)
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xff
r6 -= 0x100
r6 += 0x100
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== prec_sub32_wrap_back accept: a 32-bit byte minus 256 wraps, plus 256 wraps back
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 &= 0xff
w6 -= 0x100
w6 += 0x100
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== prec_arsh_positive accept: a 7-bit value moved to the top and arithmetically shifted back stays [0,127]
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0x7f
r6 <<= 56
r6 s>>= 56
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== prec_arsh_negative reject: an 8-bit value moved to the top and arithmetically shifted back is [-128,127]
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xff
r6 <<= 56
r6 s>>= 56
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== prec_shift_by_const_reg accept: a shift by a register holding a constant is as precise as by an immediate
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 = 4
r6 &= 15
r6 <<= r7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== prec_xor_disjoint accept: xor of a low nibble and a high nibble stays a byte
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0x0f
r7 &= 0xf0
r6 ^= r7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== prec_or_two_bytes accept: or of two bytes stays a byte
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xff
r7 &= 0xff
r6 |= r7
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== prec_and_negative_mask reject: and with -256 clears only the low byte: still unbounded
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= -256
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== prec_mul_signed reject: the product of [-4,3] with itself may be 16: the signed bounds say [-12,16]
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 7
r6 -= 4
r6 *= r6
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== prec_mul_signed_offset accept: the product of [-4,3] with itself plus 12 is non-negative and below 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 7
r6 -= 4
r6 *= r6
r6 += 12
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== prec_tnum_and_sum accept: the low bits known zero survive an addition: (x & 0xf0) + 8 is at most 0xf8
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0xf0
r6 += 8
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== prec_rsh32_of_u64 accept: a 32-bit right shift by 24 of any 64-bit value is a byte
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 >>= 24
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== prec_rsh64_of_u64 reject: a 64-bit right shift by 24 of any 64-bit value is up to 2^40
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 >>= 24
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jgt_imm accept: if x > 255 leave: x is at most 255 after
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 > 255 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jgt_imm_off_by_one reject: if x > 256 leave: x may still be 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 > 256 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jge_imm accept: if x >= 256 leave
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 >= 256 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jge_imm_wrong reject: if x >= 257 leave: x may be 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 >= 257 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jlt_imm accept: continue only when x < 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 < 256 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jlt_imm_wrong_side reject: the access is on the side where x >= 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 < 256 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jle_imm accept: continue only when x <= 255
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 <= 255 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jeq_imm accept: x == 200 makes x a constant
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 == 200 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jeq_imm_big reject: x == 300 makes x a constant out of range
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 == 300 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jne_imm accept: leaving when x != 7 leaves x == 7
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 != 7 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jne_imm_no_bound reject: x != 7 on the taken side says nothing useful
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 == 7 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jsgt_imm accept: signed: leave when x > 255 or x < 0
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 s> 255 goto out
if r6 s< 0 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jsgt_imm_neg reject: signed: leave only when x > 255, x may be negative
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 s> 255 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jsge_imm accept: signed: leave when x >= 256 or x < 0
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 s>= 256 goto out
if r6 s< 0 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jslt_imm accept: signed: continue when 0 <= x < 256
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 s< 0 goto out
if r6 s< 256 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jsle_imm accept: signed: leave when x <= -1, then when x > 255
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 s<= -1 goto out
if r6 s> 255 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jsle_imm_gap reject: signed: leave when x <= -2: x may be -1
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 s<= -2 goto out
if r6 s> 255 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jset_mask accept: leaving when any bit above the low byte is set
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 & 0xffffff00 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jset_mask_short reject: leaving when any bit above bit 8 is set leaves bit 8 possible
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 & 0xfffffe00 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jset_single_bit reject: the taken side of a one-bit jset knows the bit is set, so x >= 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0x1ff
if r6 & 0x100 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jset_clear_bit accept: the fall-through side of a one-bit jset knows the bit is clear
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r6 &= 0x1ff
if r6 & 0x100 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jgt32_imm accept: a 32-bit comparison bounds a value whose upper half is zero
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if w6 > 255 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jgt32_imm_u64 reject: a 32-bit comparison leaves the upper half of a 64-bit value unknown
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if w6 > 255 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jlt32_imm accept: 32-bit x < 256 after a 32-bit move
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 = w6
if w6 < 256 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jsgt32_imm accept: 32-bit signed bounds on a zero-extended value
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 = w6
if w6 s> 255 goto out
if w6 s< 0 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jsgt32_neg reject: 32-bit signed: a negative low half is a large u32
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 = w6
if w6 s> 255 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jeq32_imm accept: 32-bit equality with a small constant after zero extension
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w6 = w6
if w6 == 9 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jne32_imm accept: leaving when the 32-bit value differs from 3
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if w6 != 3 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jset32 accept: a 32-bit jset on a zero-extended value
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if w6 & 0xffffff00 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jge32_imm accept: 32-bit x >= 256 leaves
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if w6 >= 256 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jle32_imm accept: 32-bit x <= 255 continues
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if w6 <= 255 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jslt32_imm accept: 32-bit signed x < 0 and x > 255 leave
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if w6 s< 0 goto out
if w6 s> 255 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jsge32_imm accept: 32-bit signed x >= 256 and x < 0 leave
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if w6 s>= 256 goto out
if w6 s< 0 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jsle32_imm accept: 32-bit signed x <= 255 and x >= 0 continue
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if w6 s< 0 goto out
if w6 s<= 255 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jgt_reg_const accept: comparison with a register holding 255
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r8 = 255
if r6 > r8 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jgt_reg_const_big reject: comparison with a register holding 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r8 = 256
if r6 > r8 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jgt_reg_bounded accept: comparison with a register known to be at most 255
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 &= 255
if r6 > r7 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jge_reg_bounded reject: x >= y leaves, y <= 256: x may be 255... or y itself up to 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 &= 511
if r6 >= r7 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jlt_reg_bounded accept: x < y continues, y <= 256
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 &= 255
r7 += 1
if r6 < r7 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jle_reg_bounded accept: x <= y continues, y <= 255
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 &= 255
if r6 <= r7 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jeq_reg accept: x == y where y is bounded gives x the same bounds
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 &= 255
if r6 == r7 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jeq_reg_unbounded reject: x == y where y is unbounded says nothing
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 == r7 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jne_reg accept: leaving when x != y, y bounded
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 &= 127
if r6 != r7 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jsgt_reg accept: signed comparison with a bounded register
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
call bpf_get_prandom_u32#7
r7 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 &= 255
if r6 s> r7 goto out
if r6 s< 0 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jslt_reg accept: signed x < y continues, y in [1,256]
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
call bpf_get_prandom_u32#7
r7 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 &= 255
r7 += 1
if r6 s< 0 goto out
if r6 s< r7 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jsge_reg_rev accept: y >= x (register on the left) bounds x
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
call bpf_get_prandom_u32#7
r7 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 &= 255
if r6 s< 0 goto out
if r7 s>= r6 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jsle_reg accept: signed x <= y continues
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
call bpf_get_prandom_u32#7
r7 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 &= 255
if r6 s< 0 goto out
if r6 s<= r7 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jgt32_reg accept: 32-bit x > y leaves, y bounded
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 &= 255
if w6 > w7 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jgt32_reg_u64 reject: 32-bit x > y on a 64-bit x leaves its upper half unknown
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
call bpf_get_prandom_u32#7
r7 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r7 &= 255
if w6 > w7 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jset_reg accept: jset against a register holding a constant mask
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r8 = 0xffffff00
if r6 & r8 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_jlt_const_on_left accept: 255 >= x with the constant in the left register
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r8 = 255
if r8 >= r6 goto +1
goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_linked_copy accept: a bound learned on a copy applies to the original (same id)
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r8 = r6
if r8 > 255 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_linked_copy_broken reject: the copy was changed by a non-constant operation: the bound does not carry back
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r8 = r6
r8 &= 0x3ff
if r8 > 255 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_linked_copy_plus_const accept: a copy plus a constant still links back (the kernel tracks the delta)
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
r8 = r6
r8 += 4
if r8 > 255 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_linked_32 reject: a 32-bit copy of a 64-bit value carries no link
; map arr array key=4 value=256 entries=1
call bpf_ktime_get_ns#5
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
w8 = w6
if r8 > 255 goto out
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_branch_both_sides accept: both sides of a branch bounded separately, then joined at the access
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 > 100 goto +2
r6 += 10
goto +2
r6 &= 63
r6 += 100
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_branch_one_side_unbounded reject: one side of the branch leaves x unbounded before the join
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 > 100 goto +1
r6 = 0
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_range_after_two_checks accept: lower and upper bound from two unsigned checks, then subtracting the lower
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 < 1000 goto out
if r6 > 1255 goto out
r6 -= 1000
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit

=== br_range_sub_too_little reject: lower and upper bound, but subtracting too little
; map arr array key=4 value=256 entries=1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[idx:0] ll
call bpf_map_lookup_elem#1
if r0 == 0 goto out
if r6 < 1000 goto out
if r6 > 1256 goto out
r6 -= 1000
r0 += r6
r1 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit
