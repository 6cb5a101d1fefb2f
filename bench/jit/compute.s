; section: xdp
; license: GPL
# The compute loop of bench/programs/compute.s as an XDP program (kept in assembly: clang's
# version of the loop is 23 instructions a round, too many for the kernel's verifier, which walks
# all 50,000 rounds within its limit of 1,000,000 instructions). Returns the accumulator's halves
# folded, as an XDP program's return value is 32 bits.
	r0 = 0
	r1 = 0x2545f4914f6cdd1d ll
	r6 = 0x5851f42d4c957f2d ll
	r7 = 0x14057b7ef767814f ll
	r2 = 50000
loop:
	r1 *= r6
	r1 += r7
	r3 = r1
	r3 >>= 29
	r3 ^= r1
	r4 = r3
	r4 <<= 17
	r3 ^= r4
	r5 = r3
	r5 %= 1000003
	r0 += r5
	r3 s>>= 7
	r0 ^= r3
	r2 += -1
	if r2 != 0 goto loop
	r1 = r0
	r1 >>= 32
	r0 ^= r1
	exit
