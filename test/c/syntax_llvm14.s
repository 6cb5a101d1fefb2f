# Every form LLVM 14's BPF assembler accepts, in its own spelling. The test assembles this file
# with llvm-mc and with parseKernel and compares the bytes, then compares the disassembly with
# llvm-objdump's. Comments are `#`, which both assemblers read. LLVM 14 prints but cannot parse
# `%=` and the fetch/xchg/cmpxchg atomics, so they are covered by the C programs instead.
	.text
	.globl	forms
forms:
	r0 = 1
	r0 = -2147483648
	r1 = r2
	w1 = 7
	w1 = w2
	r1 += 2
	r1 += r2
	r1 -= -4
	r1 -= r2
	r1 *= 3
	r1 *= r2
	r1 /= 5
	r1 /= r2
	r1 |= 8
	r1 |= r2
	r1 &= 9
	r1 &= r2
	r1 <<= 10
	r1 <<= r2
	r1 >>= 11
	r1 >>= r2
	r1 s>>= 12
	r1 s>>= r2
	r1 ^= 13
	r1 ^= r2
	r1 = -r1
	w3 += 2
	w3 += w4
	w3 -= -4
	w3 -= w4
	w3 *= 3
	w3 *= w4
	w3 /= 5
	w3 /= w4
	w3 |= 8
	w3 |= w4
	w3 &= 9
	w3 &= w4
	w3 <<= 10
	w3 <<= w4
	w3 >>= 11
	w3 >>= w4
	w3 s>>= 12
	w3 s>>= w4
	w3 ^= 13
	w3 ^= w4
	w3 = -w3
	r5 = be16 r5
	r5 = be32 r5
	r5 = be64 r5
	r6 = 0x1122334455667788 ll
	r6 = -1 ll
	r7 = *(u8 *)(r1 + 0)
	r7 = *(u16 *)(r1 - 2)
	r7 = *(u32 *)(r1 + 4)
	r7 = *(u64 *)(r10 - 8)
	w7 = *(u8 *)(r1 + 0)
	w7 = *(u16 *)(r1 - 2)
	w7 = *(u32 *)(r1 + 4)
	*(u8 *)(r10 - 1) = r7
	*(u16 *)(r10 - 2) = r7
	*(u32 *)(r10 - 4) = r7
	*(u64 *)(r10 - 8) = r7
	*(u8 *)(r10 - 1) = w7
	*(u16 *)(r10 - 2) = w7
	*(u32 *)(r10 - 4) = w7
	lock *(u64 *)(r1 + 0) += r2
	lock *(u64 *)(r1 + 8) |= r2
	lock *(u64 *)(r1 + 16) &= r2
	lock *(u64 *)(r1 + 24) ^= r2
	lock *(u32 *)(r1 + 0) += w2
	lock *(u32 *)(r1 + 4) |= w2
	lock *(u32 *)(r1 + 8) &= w2
	lock *(u32 *)(r1 + 12) ^= w2
	r0 = *(u8 *)skb[12]
	r0 = *(u16 *)skb[14]
	r0 = *(u32 *)skb[26]
	r0 = *(u8 *)skb[r3]
	r0 = *(u16 *)skb[r3]
	r0 = *(u32 *)skb[r3]
LBB0_1:
	if r1 == r2 goto +1
	if r1 == 3 goto LBB0_1
	if r1 != r2 goto -3
	if r1 != 3 goto +0
	if r1 > r2 goto +0
	if r1 > 3 goto +0
	if r1 >= r2 goto +0
	if r1 >= 3 goto +0
	if r1 < r2 goto +0
	if r1 < 3 goto +0
	if r1 <= r2 goto +0
	if r1 <= 3 goto +0
	if r1 s> r2 goto +0
	if r1 s> -3 goto +0
	if r1 s>= r2 goto +0
	if r1 s>= -3 goto +0
	if r1 s< r2 goto +0
	if r1 s< -3 goto +0
	if r1 s<= r2 goto +0
	if r1 s<= -3 goto +0
	if w1 == w2 goto +0
	if w1 == 3 goto +0
	if w1 != w2 goto +0
	if w1 != 3 goto +0
	if w1 > w2 goto +0
	if w1 > 3 goto +0
	if w1 >= w2 goto +0
	if w1 >= 3 goto +0
	if w1 < w2 goto +0
	if w1 < 3 goto +0
	if w1 <= w2 goto +0
	if w1 <= 3 goto +0
	if w1 s> w2 goto +0
	if w1 s> -3 goto +0
	if w1 s>= w2 goto +0
	if w1 s>= -3 goto +0
	if w1 s< w2 goto +0
	if w1 s< -3 goto +0
	if w1 s<= w2 goto +0
	if w1 s<= -3 goto LBB0_1
	goto LBB0_2
	goto -1
	call 1
	call 12
LBB0_2:
	exit
