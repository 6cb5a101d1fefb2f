# Return the TCP destination port of an Ethernet/IPv4/TCP frame, or 0 for anything else.
# Kernel/LLVM syntax. Input: r1 = the frame, r2 = its length.
	r0 = 0
	if r2 < 54 goto out
	r3 = *(u16 *)(r1 + 12)
	r3 = be16 r3
	if r3 != 0x800 goto out
	r3 = *(u8 *)(r1 + 23)
	if r3 != 6 goto out
	r3 = *(u8 *)(r1 + 14)
	r3 &= 15
	r3 <<= 2
	r4 = r3
	r4 += 34
	if r4 > r2 goto out
	r1 += r3
	r0 = *(u16 *)(r1 + 16)
	r0 = be16 r0
out:
	exit
