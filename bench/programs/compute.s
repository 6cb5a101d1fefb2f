# Compute loop: 50,000 rounds of a 64-bit LCG step followed by an xorshift-style mix and a
# modulo, folded into an accumulator. A realistic ALU mix: 64-bit multiply, adds, xors, shifts
# (logical and arithmetic), a 64-bit unsigned modulo, and one conditional branch per round.
# Returns the accumulator. The same algorithm is computeJs in bench/js-baselines.ts.
	r0 = 0
	r1 = 0x2545f4914f6cdd1d ll	# state
	r6 = 0x5851f42d4c957f2d ll	# LCG multiplier (Knuth, MMIX)
	r7 = 0x14057b7ef767814f ll	# LCG increment
	r2 = 50000	# rounds
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
	exit
